/**
 * Pure helpers on the calls document's reports (lib/messaging/calls.ts): checking a report's
 * shape, and which call a lost document cut off.
 */
import type { CallingView, CallView, EndedCallView } from '../messaging/calls';

/**
 * The call a lost document cut off: the first the user took part in (answered, placed). Its
 * "connected" may not have reached the worker before the document went; a call that only rang
 * here is not cut off (it rings on at the user's other devices).
 */
export function cutOffCall(calls: readonly CallView[], at: number): EndedCallView | null {
  const call = calls.find((c) => c.state !== 'ringing');
  if (!call) return null;
  return {
    key: call.key,
    reason: 'lost',
    ...(call.callerName ? { callerName: call.callerName } : {}),
    ...(call.callerNumber ? { callerNumber: call.callerNumber } : {}),
    at,
    missed: false,
    direction: call.direction,
  };
}

/** Enough of a shape check that a bad report cannot break the popup. */
export function isCallingView(value: unknown): value is CallingView {
  if (typeof value !== 'object' || value === null) return false;
  const view = value as Partial<CallingView>;
  return (
    typeof view.ring === 'string' &&
    typeof view.mic === 'string' &&
    Array.isArray(view.calls) &&
    view.calls.every((call) => typeof call?.key === 'string' && typeof call.state === 'string') &&
    typeof view.at === 'number'
  );
}
