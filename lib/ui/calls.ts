/** Pure helpers that turn the calling view into what the popup's call panel shows. */

import type { CallingView, CallView, EndedCallView, RingReadiness } from '../messaging/calls';
import type { DisplayStatus } from '../messaging/protocol';
import { formatClock } from './format';
import { type MessageKey, t } from './i18n';

/** A missed call is mentioned this long after it ended. */
export const MISSED_CALL_SHOWN_MS = 10 * 60 * 1000;

/**
 * Whether the popup may say the line can ring, given what the line itself shows. The document
 * only knows Mercury; the line must also be confirmed by Mobius, so a line shown reconnecting
 * is never "ready", and a line that is not registered has nothing to ring.
 */
export function effectiveRing(display: DisplayStatus, ring: RingReadiness): RingReadiness {
  if (ring === 'off') return 'off';
  if (display === 'registered') return ring;
  if (display === 'reconnecting') return ring === 'unsupported' ? 'unsupported' : 'connecting';
  return 'off';
}

const READINESS_KEYS: Record<Exclude<RingReadiness, 'off'>, MessageKey> = {
  ready: 'ringReady',
  connecting: 'ringConnecting',
  unsupported: 'ringUnsupported',
};

/** The readiness line, or null when there is nothing to say (the line is off). */
export function readinessText(ring: RingReadiness): string | null {
  return ring === 'off' ? null : t(READINESS_KEYS[ring]);
}

export type MicNotice = 'blocked' | 'ask' | null;

/**
 * What the panel says about the microphone: blocked (an alarm with a way out), a calm request
 * to allow it before a call comes, or nothing. Only where calls can ring; a ringing call that
 * could not use the microphone says it itself, so the panel does not say it twice.
 */
export function micNotice(view: CallingView, ring: RingReadiness): MicNotice {
  if (ring !== 'ready' && ring !== 'connecting') return null;
  if (view.calls.some((call) => call.state === 'ringing' && call.micBlocked)) return null;
  if (view.mic === 'denied') return 'blocked';
  if (view.mic === 'prompt' || view.mic === 'unknown') return 'ask';
  return null;
}

type Party = Pick<CallView, 'callerName' | 'callerNumber'>;

/** The caller as the first line shows them: the name, else the number, else "Unknown caller". */
export function callerTitle(party: Party): string {
  return party.callerName?.trim() || party.callerNumber?.trim() || t('unknownCaller');
}

/** The number under the name, when the name is what the title shows. */
export function callerSubtitle(party: Party): string | null {
  const number = party.callerNumber?.trim();
  return party.callerName?.trim() && number ? number : null;
}

/** A call's running time: "04:07", "1:02:03" past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${two(minutes)}:${two(seconds)}`;
}

/** "Missed call from Bob at 1:23 PM", while the missed call is recent; else null. */
export function missedCallText(ended: EndedCallView | null, now: number): string | null {
  if (!ended?.missed) return null;
  const age = now - ended.at;
  if (age < 0 || age > MISSED_CALL_SHOWN_MS) return null;
  const who = ended.callerName?.trim() || ended.callerNumber?.trim();
  return who
    ? t('missedCallFrom', who, formatClock(ended.at))
    : t('missedCallAt', formatClock(ended.at));
}

/** Calls that ended on a failure here, and what the popup says about them (recent ones only). */
const FAILED_CALL_TEXT: Readonly<Record<string, MessageKey>> = {
  micFailed: 'callEndedMic',
  lost: 'callEndedLost',
  failed: 'callEndedFailed',
};

/** "Call ended: the microphone could not be opened", while recent; else null. */
export function failedCallText(ended: EndedCallView | null, now: number): string | null {
  const key =
    ended && Object.hasOwn(FAILED_CALL_TEXT, ended.reason)
      ? FAILED_CALL_TEXT[ended.reason]
      : undefined;
  if (!ended || !key) return null;
  const age = now - ended.at;
  return age < 0 || age > MISSED_CALL_SHOWN_MS ? null : t(key);
}

/**
 * What identifies a call's view for the one-click guard: a command sent for this state stays
 * sent until the state (or the mute, or the hold) changes.
 */
export function callSignature(call: CallView): string {
  const extras = `${transferPendingOf(call)}|${serviceErrorOf(call) ?? ''}`;
  return `${call.key}|${call.state}|${call.muted}|${call.held}|${call.holdPending ?? ''}|${extras}`;
}

/**
 * What the call machine may add to a call's view beyond the contract's fields: a blind transfer
 * under way, and the last mid-call service that failed (the SDK's hold_error, resume_error,
 * transfer_error, a tone not sent) as a plain sentence. Read when present.
 */
type CallViewExtras = {
  transferPending?: boolean;
  error?: { kind: 'hold' | 'resume' | 'transfer' | 'digits'; detail: string };
};

/** The call's last failed mid-call service, in the machine's words, or null. */
export const serviceErrorOf = (call: CallView): string | null =>
  (call as CallView & CallViewExtras).error?.detail?.trim() || null;

/** A blind transfer was asked and the call has not ended yet. */
export const transferPendingOf = (call: CallView): boolean =>
  (call as CallView & CallViewExtras).transferPending === true;

/** What the call machine may add to an ended call's view: its direction and why it failed. */
type EndedExtras = { direction?: 'inbound' | 'outbound'; detail?: string };

/** Outgoing calls that ended normally: nothing to say about them. */
const OUTGOING_ENDED_QUIETLY: ReadonlySet<string> = new Set([
  'localHangup',
  'remoteHangup',
  'transferred',
  'declined',
]);

/**
 * Why an outgoing call just ended without being talked in ("5001 is busy.", "No answer from
 * 5001.", the machine's sentence for a failure), while recent; else null.
 */
export function outgoingEndedText(ended: EndedCallView | null, now: number): string | null {
  const call = ended as (EndedCallView & EndedExtras) | null;
  if (call?.direction !== 'outbound' || OUTGOING_ENDED_QUIETLY.has(call.reason)) {
    return null;
  }
  const age = now - call.at;
  if (age < 0 || age > MISSED_CALL_SHOWN_MS) return null;
  const who = callerTitle(call);
  if (call.reason === 'busy') return t('outgoingBusy', who);
  if (call.reason === 'notAnswered') return t('outgoingNoAnswer', who);
  const detail = call.detail?.trim();
  return detail ? t('outgoingFailedDetail', who, detail) : t('outgoingFailed', who);
}

/** A ringing call while the user is on another one: call waiting. */
export function isWaiting(call: CallView, calls: readonly CallView[]): boolean {
  return (
    call.state === 'ringing' &&
    calls.some((other) => other.key !== call.key && other.state === 'connected')
  );
}

const STATE_KEYS: Record<Exclude<CallView['state'], 'answering'>, MessageKey> = {
  ringing: 'callIncoming',
  dialing: 'callDialing',
  ringback: 'callRingback',
  connected: 'callOnCall',
};

/** The call's state line: "Incoming call", "Call waiting", "Calling…", "On hold", … */
export function callStateText(call: CallView, waiting: boolean): string {
  if (call.state === 'answering') return t('callConnecting');
  if (call.state === 'ringing' && waiting) return t('callWaiting');
  if (call.state === 'connected') {
    if (call.holdPending === 'hold') return t('callHoldPending');
    if (call.holdPending === 'resume') return t('callResumePending');
    if (call.held) return t('callOnHold');
  }
  return t(STATE_KEYS[call.state]);
}

/**
 * A hold or resume that was pending and ended without the change (the SDK's 10 s wait for
 * Mobius ran out, or Mobius refused): what to tell the user, else null.
 */
export function holdOutcomeText(
  before: Pick<CallView, 'holdPending'> | null,
  after: Pick<CallView, 'holdPending' | 'held'>,
): string | null {
  if (!before?.holdPending || after.holdPending) return null;
  if (before.holdPending === 'hold' && !after.held) return t('callHoldFailed');
  if (before.holdPending === 'resume' && after.held) return t('callResumeFailed');
  return null;
}
