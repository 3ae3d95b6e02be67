/** The calls document's records as the worker and the popup see them (lib/messaging/calls). */
import type { CallView, CallViewState, EndedCallView } from '../messaging/calls';
import type { CallerId } from './caller-id';
import type { CallNotice, CallRecord, CallState, EndReason } from './types';

/**
 * Reasons an incoming caller had no chance to reach the user here: a missed-call notice. Only
 * inbound calls are ever missed (an outgoing call to a busy callee is not).
 */
const MISSED: ReadonlySet<EndReason> = new Set(['missed', 'busy', 'micBlocked']);

/** Record states as the UI names them; `releasing` (already ended for the UI) is not shown. */
const VIEW_STATE: Readonly<Partial<Record<CallState, CallViewState>>> = {
  ringing: 'ringing',
  answering: 'answering',
  dialing: 'dialing',
  ringback: 'ringback',
  // The callee answered; media is still being negotiated (at most 10 s).
  connecting: 'ringback',
  connected: 'connected',
};

const callerOf = (callerId: CallerId) => ({
  ...(callerId.name ? { callerName: callerId.name } : {}),
  ...(callerId.number ? { callerNumber: callerId.number } : {}),
});

/** The state shown: a waiting call whose Answer is holding the other call shows as answering. */
const viewState = (record: CallRecord): CallViewState | undefined =>
  record.state === 'ringing' && record.answerAfterHold !== null
    ? 'answering'
    : VIEW_STATE[record.state];

/** The calls not yet ended, as the view lists them (the other party as caller, either way). */
export const callViews = (records: CallRecord[], muted: ReadonlySet<string>): CallView[] =>
  records.flatMap((record) => {
    const state = viewState(record);
    if (!state) return [];
    const view: CallView = {
      key: record.key,
      state,
      direction: record.direction,
      held: record.held,
      ...callerOf(record.callerId),
      since: record.ringingSince,
      connectedAt: record.connectedAt,
      muted: muted.has(record.key),
      micBlocked: record.micBlocked,
    };
    if (record.holdPending) view.holdPending = record.holdPending;
    if (record.earlyMedia && record.state !== 'connected') view.earlyMedia = true;
    if (record.transfer) view.transferPending = true;
    if (record.serviceError) view.error = { ...record.serviceError };
    return [view];
  });

/** The call that just ended, for the "missed call" notice and the popup's last line. */
export const endedView = (
  notice: Extract<CallNotice, { kind: 'ended' }>,
  at: number,
): EndedCallView => ({
  key: notice.key,
  reason: notice.reason,
  ...callerOf(notice.callerId),
  at,
  missed: notice.direction === 'inbound' && MISSED.has(notice.reason),
  direction: notice.direction,
  ...(notice.detail ? { detail: notice.detail } : {}),
});
