import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecentNumbers } from '../../lib/app/recent-numbers';
import type { CallCommand, CallingView } from '../../lib/messaging/calls';
import type { DisplayStatus } from '../../lib/messaging/protocol';
import { checkedNumber, dialBlock, dialBlockText, KEYPAD_KEYS } from '../../lib/ui/dialer';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import { lockWhile } from './lock-while';

export interface DialerProps {
  calling: CallingView;
  display: DisplayStatus;
  sendCommand(command: CallCommand): Promise<unknown>;
  recentNumbers?: RecentNumbers;
}

/**
 * Place a call: a number field with a keypad, the SDK's number rules checked before anything is
 * sent, the last numbers dialled, and what an emergency call from here does. The Call button is
 * there only while the line can place a call; otherwise one line says why.
 */
export function Dialer({ calling, display, sendCommand, recentNumbers }: DialerProps) {
  const [number, setNumber] = useState('');
  const [error, setError] = useState<string | null>(null);
  /** The user tried to call: from then on the field's error follows what is typed. */
  const [checked, setChecked] = useState(false);
  const [keypad, setKeypad] = useState(false);
  const [busy, setBusy] = useState(false);
  const [recent, setRecent] = useState<string[]>([]);
  const field = useRef<HTMLInputElement>(null);
  /** A dial in flight (a ref: two presses of Enter in one frame place one call). */
  const dialling = useRef(false);

  useEffect(() => {
    recentNumbers?.list().then(setRecent, () => setRecent([]));
  }, [recentNumbers]);

  const block = dialBlock(display, calling);
  if (block === 'unsupported') return null;

  const edit = (next: string) => {
    setNumber(next);
    if (checked) {
      const result = checkedNumber(next);
      setError(result.ok ? null : result.text);
    }
  };

  const dial = async (input: string) => {
    if (dialling.current || block !== null) return;
    const result = checkedNumber(input);
    setChecked(true);
    if (!result.ok) {
      setError(result.text);
      field.current?.focus();
      return;
    }
    setError(null);
    dialling.current = true;
    setBusy(true);
    try {
      // Remembered beside the dial, not before it: a slow disk must not hold the call back.
      if (recentNumbers) void recentNumbers.record(result.number).then(setRecent, () => undefined);
      // The worker gives the call its key; whatever is sent here is ignored.
      await sendCommand({ kind: 'dial', key: '', number: result.number });
      setNumber('');
      setChecked(false);
    } catch (failure) {
      setError(requestErrorText(failure));
    } finally {
      dialling.current = false;
      setBusy(false);
    }
  };

  const errorId = 'dialer-error';
  return (
    <section class="card dialer" aria-labelledby="dialer-title">
      <h2 id="dialer-title">{t('dialerTitle')}</h2>
      <form
        class="dialer-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void dial(number);
        }}
      >
        <label for="dialer-number">{t('dialerNumberLabel')}</label>
        <div class="dialer-row">
          <input
            ref={field}
            id="dialer-number"
            type="tel"
            inputMode="tel"
            autoComplete="off"
            value={number}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? errorId : undefined}
            onInput={(event) => edit((event.target as HTMLInputElement).value)}
          />
          {block === null && (
            <button type="submit" class="button primary" {...lockWhile(busy, () => {})}>
              {t('dialerCall')}
            </button>
          )}
          <button
            type="button"
            class="button"
            aria-expanded={keypad}
            aria-controls="dialer-keypad"
            onClick={() => setKeypad(!keypad)}
          >
            {t('callKeypad')}
          </button>
        </div>
        {error && (
          <p id={errorId} class="field-error" role="alert">
            {error}
          </p>
        )}
        {block !== null && (
          <p class="dial-blocked muted" aria-live="polite" data-testid="dial-blocked">
            {dialBlockText(block)}
          </p>
        )}
        <div id="dialer-keypad" hidden={!keypad}>
          {keypad && (
            <Keypad
              keys={[...KEYPAD_KEYS, '+']}
              label={t('callKeypad')}
              onKey={(key) => {
                edit(number + key);
                field.current?.focus();
              }}
            />
          )}
        </div>
      </form>
      {block === null && recent.length > 0 && (
        <div class="recent">
          <h3 id="recent-title">{t('recentNumbersTitle')}</h3>
          <ul aria-labelledby="recent-title">
            {recent.map((item) => (
              <li key={item}>
                <button
                  type="button"
                  class="button link"
                  aria-label={t('recentNumberCall', item)}
                  {...lockWhile(busy, () => void dial(item))}
                >
                  {item}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <p class="emergency muted" data-testid="emergency-notice">
        {t('emergencyNotice')}
      </p>
    </section>
  );
}

/**
 * A phone keypad: one button per key, in a group named for screen readers. With the focus on a
 * key, typing a key's character presses it (a PIN for a voice menu, typed rather than clicked).
 */
export function Keypad({
  keys,
  label,
  onKey,
}: {
  keys: readonly string[];
  label: string;
  onKey(key: string): void;
}) {
  return (
    <fieldset
      class="keypad"
      onKeyDown={(event) => {
        if (event.ctrlKey || event.metaKey || event.altKey || !keys.includes(event.key)) return;
        event.preventDefault();
        onKey(event.key);
      }}
    >
      <legend class="sr-only">{label}</legend>
      <div class="keypad-keys">
        {keys.map((key) => (
          <button key={key} type="button" class="button key" onClick={() => onKey(key)}>
            {key}
          </button>
        ))}
      </div>
    </fieldset>
  );
}
