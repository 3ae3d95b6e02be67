/** The calls document's records as the worker and the popup see them (lib/messaging/calls). */
import type { CallView, EndedCallView } from '../messaging/calls';
import type { CallerId } from './caller-id';
import type { CallNotice, CallRecord, EndReason } from './types';

/** Reasons the user had no chance to take the call here: a missed-call notice. */
const MISSED: ReadonlySet<EndReason> = new Set(['missed', 'busy', 'micBlocked']);

const callerOf = (callerId: CallerId) => ({
  ...(callerId.name ? { callerName: callerId.name } : {}),
  ...(callerId.number ? { callerNumber: callerId.number } : {}),
});

/** The calls not yet ended, as the view lists them. */
export const callViews = (records: CallRecord[], muted: ReadonlySet<string>): CallView[] =>
  records
    .filter((record) => record.state !== 'ended')
    .map((record) => ({
      key: record.key,
      state: record.state as CallView['state'],
      direction: record.direction,
      held: false,
      ...callerOf(record.callerId),
      since: record.ringingSince,
      connectedAt: record.connectedAt,
      muted: muted.has(record.key),
      micBlocked: record.micBlocked,
    }));

/** The call that just ended, for the "missed call" notice and the popup's last line. */
export const endedView = (
  notice: Extract<CallNotice, { kind: 'ended' }>,
  at: number,
): EndedCallView => ({
  key: notice.key,
  reason: notice.reason,
  ...callerOf(notice.callerId),
  at,
  missed: MISSED.has(notice.reason),
});
