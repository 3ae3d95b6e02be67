/**
 * Re-registration and calls (reference §11, SDK `reconnectOnFailure` / `reconnectPending`): a
 * re-registration deletes the device a call may be using, so while a call is in progress it
 * waits, and runs when the calls have ended. Meanwhile the device stays in the record (the
 * offscreen document keeps using it for the call; the line's key does not change), keepalives
 * and the failback timer stop as in the SDK, and the state is `reconnecting`: the line is not
 * confirmed, so it is never shown registered.
 *
 * Liveness: the deferred restore does not hang on the "calls cleared" signal alone. Every event
 * (a worker wake, the engine's 30 s timer, any outcome) checks `ctx.callsActive` and runs it once
 * no call is left; and past `deferredRestoreMaxMs` it runs whatever the calls view says.
 */
import { startAttempt } from './attempt';
import type { Effects, TransitionContext } from './events';
import { decideDeferredRestore } from './policy';
import { type EngineRecord, type RestorePending, registeredDevice } from './record';
import { clearRuntime, toReconnecting } from './states';

type Ctx = TransitionContext;

/**
 * A re-registration now would take the device from under a call. Without a device (a 404 said
 * the server has none, or a restore already dropped it) there is nothing a call could lose.
 */
export const mustWaitForCalls = (record: EngineRecord, ctx: Ctx): boolean =>
  ctx.callsActive && registeredDevice(record) !== null;

/** Re-register the line (the last server, then a full restart), or once the calls have ended. */
export function restoreOrDefer(
  record: EngineRecord,
  reason: RestorePending['reason'],
  ctx: Ctx,
  out: Effects,
): void {
  if (!mustWaitForCalls(record, ctx)) {
    startAttempt(record, { kind: 'restore', reason }, true);
    return;
  }
  // The first deferral's time stays: the maximum wait counts from it.
  const pending = record.restorePending ?? { reason, since: ctx.now };
  // A restore waiting on its timer (the network) gives way; so do the line's timers.
  clearRuntime(record);
  record.restorePending = pending;
  toReconnecting(record);
  out.log('line', 'Re-registration deferred: a call is in progress', { reason });
}

/** After every event, once nothing else is under way: run the deferred restore if it may. */
export function restoreIfClear(record: EngineRecord, ctx: Ctx, out: Effects): void {
  const pending = record.restorePending;
  if (!pending || record.flow || record.pending) return;
  if (!record.wanted) {
    record.restorePending = null;
    return;
  }
  const decision = decideDeferredRestore({
    callsActive: ctx.callsActive,
    since: pending.since,
    now: ctx.now,
    timing: ctx.timing,
  });
  if (decision === 'wait') return;
  out.log(
    'line',
    decision === 'run'
      ? 'No call in progress any more: re-registering'
      : 'A call still seems in progress after the maximum wait: re-registering anyway',
    { reason: pending.reason, waitedMs: ctx.now - pending.since },
  );
  startAttempt(record, { kind: 'restore', reason: pending.reason }, true);
}

/** `callsCleared`: the restore itself runs in `restoreIfClear`, which reads `callsActive`. */
export function onCallsCleared(record: EngineRecord, ctx: Ctx, out: Effects): void {
  if (!record.restorePending) return;
  if (ctx.callsActive) {
    out.log('line', 'Calls cleared, but a call is in progress again: re-registration waits');
  }
}
