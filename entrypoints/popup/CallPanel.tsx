import type { JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CallCommand, CallingView, CallView } from '../../lib/messaging/calls';
import type { DisplayStatus } from '../../lib/messaging/protocol';
import {
  callerSubtitle,
  callerTitle,
  callSignature,
  callStateText,
  effectiveRing,
  failedCallText,
  formatDuration,
  holdOutcomeText,
  isWaiting,
  micNotice,
  missedCallText,
  outgoingEndedText,
  readinessText,
  serviceErrorOf,
  transferPendingOf,
} from '../../lib/ui/calls';
import { checkedNumber, KEYPAD_KEYS } from '../../lib/ui/dialer';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import { Keypad } from './Dialer';
import { lockWhile } from './lock-while';

export interface CallPanelProps {
  calling: CallingView;
  /** The line's status as the popup shows it: "ready" needs the line registered too. */
  display: DisplayStatus;
  now: number;
  sendCommand(command: CallCommand): Promise<unknown>;
  onOpenMicrophone(): void;
}

/** Calls: whether the line can ring here, the microphone, the calls in progress, a missed call. */
export function CallPanel({
  calling,
  display,
  now,
  sendCommand,
  onOpenMicrophone,
}: CallPanelProps) {
  const ring = effectiveRing(display, calling.ring);
  const readiness = readinessText(ring);
  const mic = micNotice(calling, ring);
  const missed =
    outgoingEndedText(calling.lastEnded, now) ??
    missedCallText(calling.lastEnded, now) ??
    failedCallText(calling.lastEnded, now);
  if (!readiness && !mic && !missed && calling.calls.length === 0) return null;
  return (
    <section class="calls" aria-label={t('callsTitle')}>
      {calling.calls.map((call) => (
        <CallCard
          key={call.key}
          call={call}
          calls={calling.calls}
          now={now}
          sendCommand={sendCommand}
          onOpenMicrophone={onOpenMicrophone}
        />
      ))}
      {missed && (
        <p class="missed-call" data-testid="missed-call">
          {missed}
        </p>
      )}
      {readiness && (
        <p class={`ring-status ${ring}`} data-testid="ring-status">
          {readiness}
        </p>
      )}
      {mic === 'blocked' && <MicBlocked id="mic-blocked" onOpenMicrophone={onOpenMicrophone} />}
      {mic === 'ask' && (
        <p class="mic-note">
          <button type="button" class="button link" onClick={onOpenMicrophone}>
            {t('micAsk')}
          </button>
        </p>
      )}
    </section>
  );
}

function MicBlocked({ id, onOpenMicrophone }: { id: string; onOpenMicrophone(): void }) {
  return (
    <p class="mic-note blocked">
      <span id={id}>{t('micBlocked')}</span>{' '}
      <button type="button" class="button link" aria-describedby={id} onClick={onOpenMicrophone}>
        {t('micAllow')}
      </button>
    </p>
  );
}

function CallCard({
  call,
  calls,
  now,
  sendCommand,
  onOpenMicrophone,
}: {
  call: CallView;
  /** Every call in the view (a ringing call while another is connected is call waiting). */
  calls: readonly CallView[];
  now: number;
  sendCommand(command: CallCommand): Promise<unknown>;
  onOpenMicrophone(): void;
}) {
  const signature = callSignature(call);
  // The view a command was sent for: until the view changes, no second command (a double-click
  // must not answer and then hang up, or decline twice). A ref, so two clicks in one frame count.
  const sentFor = useRef<string | null>(null);
  const [, setSentFor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [holdOutcome, setHoldOutcome] = useState<string | null>(null);
  const previous = useRef<CallView | null>(null);
  const card = useRef<HTMLElement>(null);
  const refocus = useRef(false);
  const locked = sentFor.current === signature;

  // The button pressed goes away with the state it belonged to (Answer -> Hang up): keep the
  // keyboard in the card rather than dropping it on the page.
  useLayoutEffect(() => {
    if (sentFor.current !== signature) sentFor.current = null;
    // A hold or resume that ended without the change says so (until the next one is asked).
    const outcome = holdOutcomeText(previous.current, call);
    if (outcome) setHoldOutcome(outcome);
    previous.current = call;
    if (!refocus.current) return;
    refocus.current = false;
    if (card.current && !card.current.contains(document.activeElement)) {
      card.current.querySelector<HTMLElement>('button')?.focus();
    }
  }, [signature]);

  const send = (command: CallCommand) => () => {
    if (sentFor.current === signature) return;
    sentFor.current = signature;
    refocus.current = true;
    setSentFor(signature);
    setError(null);
    if (command.kind === 'hold') setHoldOutcome(null);
    sendCommand(command).catch((failure: unknown) => {
      if (sentFor.current === signature) {
        sentFor.current = null;
        setSentFor(null);
      }
      setError(requestErrorText(failure));
    });
  };

  const titleId = `call-${call.key}-title`;
  const subtitle = callerSubtitle(call);
  const ringing = call.state === 'ringing';
  const waiting = isWaiting(call, calls);
  const outgoing = call.state === 'dialing' || call.state === 'ringback';
  // The machine's own sentence for a failed hold, resume, transfer or tone comes first.
  const serviceError = serviceErrorOf(call);
  const hangUp = (
    <button
      type="button"
      class="button end-call"
      {...lockWhile(locked, send({ kind: 'hangup', key: call.key }))}
    >
      {t('callHangUp')}
    </button>
  );

  return (
    <section
      ref={card}
      class={`card call ${call.state}${call.held ? ' held' : ''}`}
      aria-labelledby={titleId}
      data-testid="call"
    >
      {/* A ringing call is announced as soon as it appears (or the popup opens on it); other
          states are announced politely as they change. */}
      <div class="call-head" role={ringing ? 'alert' : undefined}>
        <p class="call-state muted" aria-live={ringing ? undefined : 'polite'}>
          {call.state === 'answering' || call.state === 'dialing' ? (
            <span class="working">
              <span class="spinner" aria-hidden="true" /> {callStateText(call, waiting)}
            </span>
          ) : (
            callStateText(call, waiting)
          )}
        </p>
        <h2 id={titleId} class="caller">
          {callerTitle(call)}
        </h2>
        {subtitle && <p class="caller-number">{subtitle}</p>}
      </div>

      {outgoing && call.earlyMedia && <p class="muted early-media">{t('callEarlyMedia')}</p>}
      {waiting && !call.micBlocked && <p class="muted">{t('callWaitingNote')}</p>}

      {call.state === 'connected' && (
        <p class="call-meta">
          {call.connectedAt !== null && (
            <span role="timer" class="call-timer" data-testid="call-timer">
              {formatDuration(now - call.connectedAt)}
            </span>
          )}
          {call.muted && <span class="call-muted">{t('callMuted')}</span>}
        </p>
      )}

      {ringing && call.micBlocked && (
        <>
          <MicBlocked id={`call-${call.key}-mic`} onOpenMicrophone={onOpenMicrophone} />
          <p class="muted">{t('callRingsElsewhere')}</p>
        </>
      )}

      <div class="call-actions">
        {ringing && (
          <>
            {!call.micBlocked && (
              <button
                type="button"
                class="button primary"
                {...lockWhile(locked, send({ kind: 'answer', key: call.key }))}
              >
                {t('callAnswer')}
              </button>
            )}
            <button
              type="button"
              class="button end-call"
              {...lockWhile(locked, send({ kind: 'decline', key: call.key }))}
            >
              {t('callDecline')}
            </button>
          </>
        )}
        {(call.state === 'answering' || outgoing) && hangUp}
        {call.state === 'connected' && (
          <>
            <button
              type="button"
              class="button"
              aria-pressed={call.muted ? 'true' : 'false'}
              {...lockWhile(locked, send({ kind: 'mute', key: call.key, muted: !call.muted }))}
            >
              {t('callMute')}
            </button>
            <button
              type="button"
              class="button"
              {...lockWhile(
                locked || call.holdPending !== undefined,
                send({ kind: 'hold', key: call.key, held: !call.held }),
              )}
            >
              {call.held ? t('callResume') : t('callHold')}
            </button>
          </>
        )}
      </div>
      {call.state === 'connected' && (
        <InCallTools call={call} sendCommand={sendCommand} hangUp={hangUp} />
      )}
      {call.state === 'connected' && (serviceError ?? holdOutcome) && (
        <p class="field-error" role="alert">
          {serviceError ?? holdOutcome}
        </p>
      )}
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

/**
 * A connected call's keypad (each key sends its tone at once) and blind transfer (a number,
 * checked like the dialer's), then Hang up. Neither changes the call's view, so neither waits
 * for it: the keypad may send the same key twice, and a transfer is busy until answered.
 */
function InCallTools({
  call,
  sendCommand,
  hangUp,
}: {
  call: CallView;
  sendCommand(command: CallCommand): Promise<unknown>;
  hangUp: JSX.Element;
}) {
  const [open, setOpen] = useState<'keypad' | 'transfer' | null>(null);
  const [digits, setDigits] = useState('');
  const [to, setTo] = useState('');
  const [toError, setToError] = useState<string | null>(null);
  const [transferring, setTransferring] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const transferPending = transferPendingOf(call);
  const keypadId = `call-${call.key}-keypad`;
  const transferId = `call-${call.key}-transfer`;
  const toggle = (tool: 'keypad' | 'transfer') => setOpen(open === tool ? null : tool);

  const sendDigit = (digit: string) => {
    setError(null);
    setDigits((sent) => sent + digit);
    sendCommand({ kind: 'digits', key: call.key, digits: digit }).catch((failure: unknown) =>
      setError(requestErrorText(failure)),
    );
  };

  const transfer = (event: Event) => {
    event.preventDefault();
    if (transferring || transferPending) return;
    const checked = checkedNumber(to);
    if (!checked.ok) {
      setToError(checked.text);
      return;
    }
    setToError(null);
    setError(null);
    setTransferring(true);
    sendCommand({ kind: 'transfer', key: call.key, to: checked.number })
      .catch((failure: unknown) => setError(requestErrorText(failure)))
      .finally(() => setTransferring(false));
  };

  return (
    <>
      <div class="call-actions">
        <button
          type="button"
          class="button"
          aria-expanded={open === 'keypad'}
          aria-controls={keypadId}
          onClick={() => toggle('keypad')}
        >
          {t('callKeypad')}
        </button>
        <button
          type="button"
          class="button"
          aria-expanded={open === 'transfer'}
          aria-controls={transferId}
          onClick={() => toggle('transfer')}
        >
          {t('callTransfer')}
        </button>
        {hangUp}
      </div>
      <div id={keypadId} hidden={open !== 'keypad'}>
        {open === 'keypad' && (
          <>
            <Keypad keys={KEYPAD_KEYS} label={t('callKeypad')} onKey={sendDigit} />
            <p class="digits-sent" aria-live="polite" data-testid="digits-sent">
              {digits && t('callDigitsSent', digits)}
            </p>
          </>
        )}
      </div>
      <div id={transferId} hidden={open !== 'transfer'}>
        {open === 'transfer' && (
          <form class="transfer-form" noValidate onSubmit={transfer}>
            <label for={`${transferId}-to`}>{t('callTransferLabel')}</label>
            <div class="dialer-row">
              <input
                id={`${transferId}-to`}
                type="tel"
                inputMode="tel"
                autoComplete="off"
                value={to}
                aria-invalid={toError ? 'true' : undefined}
                aria-describedby={toError ? `${transferId}-error` : undefined}
                onInput={(event) => setTo((event.target as HTMLInputElement).value)}
              />
              <button
                type="submit"
                class="button primary"
                {...lockWhile(transferring || transferPending, () => {})}
              >
                {t('callTransferSubmit')}
              </button>
            </div>
            {toError && (
              <p id={`${transferId}-error`} class="field-error" role="alert">
                {toError}
              </p>
            )}
          </form>
        )}
      </div>
      {/* Always there, so the change is announced; out of the layout while empty. */}
      <p class={transferPending ? 'muted' : 'sr-only'} aria-live="polite">
        {transferPending && t('callTransferPending')}
      </p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
