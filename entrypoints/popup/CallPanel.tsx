import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { CallCommand, CallingView, CallView } from '../../lib/messaging/calls';
import type { DisplayStatus } from '../../lib/messaging/protocol';
import {
  callerSubtitle,
  callerTitle,
  callSignature,
  effectiveRing,
  failedCallText,
  formatDuration,
  micNotice,
  missedCallText,
  readinessText,
} from '../../lib/ui/calls';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
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
  const missed = missedCallText(calling.lastEnded, now) ?? failedCallText(calling.lastEnded, now);
  if (!readiness && !mic && !missed && calling.calls.length === 0) return null;
  return (
    <section class="calls" aria-label={t('callsTitle')}>
      {calling.calls.map((call) => (
        <CallCard
          key={call.key}
          call={call}
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
  now,
  sendCommand,
  onOpenMicrophone,
}: {
  call: CallView;
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
  const card = useRef<HTMLElement>(null);
  const refocus = useRef(false);
  const locked = sentFor.current === signature;

  // The button pressed goes away with the state it belonged to (Answer -> Hang up): keep the
  // keyboard in the card rather than dropping it on the page.
  useLayoutEffect(() => {
    if (sentFor.current !== signature) sentFor.current = null;
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
      class={`card call ${call.state}`}
      aria-labelledby={titleId}
      data-testid="call"
    >
      {/* A ringing call is announced as soon as it appears (or the popup opens on it). */}
      <div class="call-head" role={ringing ? 'alert' : undefined}>
        <p class="call-state muted">
          {ringing && t('callIncoming')}
          {call.state === 'answering' && (
            <span class="working">
              <span class="spinner" aria-hidden="true" /> {t('callConnecting')}
            </span>
          )}
          {call.state === 'connected' && t('callOnCall')}
        </p>
        <h2 id={titleId} class="caller">
          {callerTitle(call)}
        </h2>
        {subtitle && <p class="caller-number">{subtitle}</p>}
      </div>

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
        {call.state === 'answering' && hangUp}
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
            {hangUp}
          </>
        )}
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
