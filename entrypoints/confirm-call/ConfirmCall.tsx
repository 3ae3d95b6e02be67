import { useEffect, useRef, useState } from 'preact/hooks';
import type { PageCallDetails } from '../../lib/messaging/protocol';
import { t } from '../../lib/ui/i18n';

/**
 * Milliseconds the window must have had focus before Call works: a page cannot time a click
 * meant for itself to land on a button that just appeared (browsers' permission prompts wait
 * the same way). Any loss of focus starts the wait again.
 */
export const ARM_DELAY_MS = 700;

/** What the window needs; injectable for tests (main.tsx passes the real ones). */
export interface ConfirmCallEnv {
  /** The request this window was opened for (its URL's fragment). */
  requestId: string;
  details(requestId: string): Promise<PageCallDetails>;
  confirm(requestId: string, accept: boolean): Promise<PageCallDetails>;
  /** Close this window. */
  close(): void;
  /** Whether this window has the focus now (`document.hasFocus()`). */
  focused(): boolean;
  /** Where focus, blur and key events arrive (`window`). */
  events: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}

type Phase = 'loading' | 'asking' | 'answering' | 'placing' | 'gone' | 'failed';

/**
 * The extension's own confirmation of a call a web page asked for: the number, the site that
 * asks, Call and Cancel. Only a click on Call here dials; Cancel, Escape or closing the window
 * refuses. The page can neither see nor script this window.
 */
export function ConfirmCall({ env }: { env: ConfirmCallEnv }) {
  const [phase, setPhase] = useState<Phase>('loading');
  const [details, setDetails] = useState<PageCallDetails | null>(null);
  const [armed, setArmed] = useState(false);
  const cancelButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let live = true;
    env.details(env.requestId).then(
      (answer) => {
        if (!live) return;
        setDetails(answer);
        setPhase(answer.state === 'confirming' ? 'asking' : 'gone');
      },
      () => {
        if (live) setPhase('gone');
      },
    );
    return () => {
      live = false;
    };
  }, [env]);

  // Call works only after the window has had the focus for a moment, without a break.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const disarm = () => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      setArmed(false);
    };
    const arm = () => {
      disarm();
      if (env.focused()) timer = setTimeout(() => setArmed(true), ARM_DELAY_MS);
    };
    arm();
    env.events.addEventListener('focus', arm);
    env.events.addEventListener('blur', disarm);
    return () => {
      disarm();
      env.events.removeEventListener('focus', arm);
      env.events.removeEventListener('blur', disarm);
    };
  }, [env]);

  useEffect(() => {
    if (phase === 'asking') cancelButton.current?.focus();
  }, [phase]);

  const answer = async (accept: boolean) => {
    if (phase !== 'asking') return;
    if (accept && !armed) return;
    setPhase(accept ? 'placing' : 'answering');
    try {
      const result = await env.confirm(env.requestId, accept);
      if (result.state === 'failed') {
        setPhase('failed');
        return;
      }
    } catch {
      // Already answered or dropped (the tab went away): nothing more to do here.
    }
    env.close();
  };

  useEffect(() => {
    const onKey = (event: Event) => {
      if ((event as KeyboardEvent).key === 'Escape') void answer(false);
    };
    env.events.addEventListener('keydown', onKey);
    return () => env.events.removeEventListener('keydown', onKey);
  });

  if (phase === 'loading') {
    return (
      <main class="confirm-call">
        <p role="status">{t('loading')}</p>
      </main>
    );
  }
  if (phase === 'gone' || phase === 'failed' || !details) {
    return (
      <main class="confirm-call">
        <p role="status" data-testid="confirm-result">
          {phase === 'failed' ? t('confirmCallFailed') : t('confirmCallGone')}
        </p>
        <div class="confirm-actions">
          <button type="button" class="button" onClick={() => env.close()}>
            {t('confirmCallClose')}
          </button>
        </div>
      </main>
    );
  }
  const busy = phase !== 'asking';
  return (
    <main class="confirm-call">
      <h1>{t('confirmCallTitle')}</h1>
      <p class="confirm-site">{t('confirmCallFrom', details.origin)}</p>
      <p class="confirm-number" dir="ltr" data-testid="confirm-number">
        {details.number}
      </p>
      <p class="confirm-note">{t('confirmCallNote')}</p>
      <div class="confirm-actions">
        <button
          type="button"
          class="button"
          ref={cancelButton}
          disabled={busy}
          onClick={() => void answer(false)}
        >
          {t('confirmCallCancel')}
        </button>
        <button
          type="button"
          class="button primary"
          disabled={busy || !armed}
          onClick={() => void answer(true)}
        >
          {phase === 'placing' ? t('confirmCallPlacing') : t('confirmCallPlace')}
        </button>
      </div>
    </main>
  );
}
