/**
 * The wall clock can be set back (an NTP step, a VM resumed, a user fixing the time). Every
 * deadline and "when" in the record is wall-clock time, so a step back of an hour would read as
 * "the next keepalive is an hour away" and "confirmed in the future": the line would go quiet
 * while the popup says Registered. The record keeps the latest time the engine has seen
 * (`observedAt`); a clock earlier than that by more than a tolerance is a step back, and every
 * time in the record moves back with it, so each wait keeps what was left of it when the engine
 * last looked (at worst one reconcile period of it is added, never an hour).
 */
import type { Effects } from './events';
import type { EngineRecord } from './record';

/**
 * Date.now() does not go back by itself; NTP slews small corrections. Two seconds is far above
 * scheduling jitter and far below anything that could lapse the line (keepalives are 30 s).
 */
export const CLOCK_STEP_TOLERANCE_MS = 2_000;

/** How far the clock went back since the engine last looked (0 when it did not). */
export function steppedBackMs(record: Pick<EngineRecord, 'observedAt'>, now: number): number {
  const seen = record.observedAt;
  return seen !== null && now < seen - CLOCK_STEP_TOLERANCE_MS ? seen - now : 0;
}

/** Notice a step back and move every time in the record with it. */
export function followClock(record: EngineRecord, now: number, out: Effects): void {
  const back = steppedBackMs(record, now);
  if (back === 0) return;
  shiftTimes(record, -back);
  record.observedAt = now;
  out.log('line', 'The clock was set back; every deadline moved with it', { steppedBackMs: back });
}

/**
 * Remember `now` when the record changes anyway (a keepalive every interval while registered),
 * so an event that changes nothing still writes nothing.
 */
export function observe(record: EngineRecord, before: EngineRecord, now: number): void {
  if (JSON.stringify(record) === JSON.stringify(before)) return;
  record.observedAt = Math.max(record.observedAt ?? now, now);
}

const shift = (at: number | null, by: number) => (at === null ? null : at + by);

function shiftTimes(record: EngineRecord, by: number): void {
  record.keepaliveAt = shift(record.keepaliveAt, by);
  record.retryAt = shift(record.retryAt, by);
  record.retryHoldUntil = shift(record.retryHoldUntil, by);
  record.failbackAt = shift(record.failbackAt, by);
  record.reconcileAt = shift(record.reconcileAt, by);
  record.confirmedAt = shift(record.confirmedAt, by);
  record.stateSince = shift(record.stateSince, by);
  record.observedAt = shift(record.observedAt, by);
  if (record.pending) {
    record.pending.sentAt += by;
    record.pending.deadlineAt += by;
  }
  for (const entry of record.unconfirmed) entry.since += by;
  if (record.restorePending) record.restorePending.since += by;
  const flow = record.flow;
  if (flow?.kind === 'attempt' && flow.plan.kind === 'primaries') flow.plan.scheduledAt += by;
}
