/**
 * Level-triggered as well as edge-triggered: on every worker wake and on the engine's own timer
 * (`line:reconcile`, armed whenever there is something to watch), re-derive from the record what
 * must be in flight and which timers must exist, and repair any difference, saying so. A lost
 * event, a failed write or a killed handler then costs at most one period, never the line.
 * The interpreter does the other half: the timers the record implies are compared with the
 * scheduler's own list, not with what this worker remembers writing.
 */
import { SERVER_BOUNDS } from '../webex/bounds';
import type { LineErrorPayload } from '../webex/line-contract';
import type { Effects, TransitionContext } from './events';
import { DUE_SLACK_MS } from './keepalive';
import { onRegister, onWake } from './lifecycle';
import { failbackDelayMs, keepaliveDelayMs } from './policy';
import { type EngineRecord, registeredDevice } from './record';

/** Something the engine must keep an eye on: the line is wanted, or work or a device is left. */
export function needsWatching(record: EngineRecord): boolean {
  return (
    // A final error waits for the user (or the network): nothing to watch until then.
    (record.wanted && record.state !== 'inactive') ||
    record.device !== null ||
    record.flow !== null ||
    record.pending !== null ||
    record.leftovers.length > 0
  );
}

/** Keep the engine's own timer armed exactly while there is something to watch. */
export function keepWatching(record: EngineRecord, ctx: TransitionContext): void {
  if (!needsWatching(record)) record.reconcileAt = null;
  else if (record.reconcileAt === null) record.reconcileAt = ctx.now + ctx.timing.reconcileMs;
}

export function onReconcile(
  record: EngineRecord,
  blocked: LineErrorPayload | null,
  ctx: TransitionContext,
  out: Effects,
): void {
  const { now, timing } = ctx;
  const repaired: string[] = [];
  const pending = record.pending;
  if (pending && pending.deadlineAt + timing.watchdogSlackMs <= now) {
    // Long past its deadline, and its watchdog did not say so: the request is lost.
    onWake(record, { kind: 'wake', reason: 'worker' }, ctx, out);
    repaired.push('lost request');
  }
  const device = registeredDevice(record);
  const busy = record.flow !== null || record.pending !== null;
  // A re-registration waiting for a call has stopped keepalives and failback on purpose.
  const waitingForCall = record.restorePending !== null;
  if (device && !busy && !waitingForCall) {
    const interval = keepaliveDelayMs(device.keepaliveInterval, timing);
    // The farthest a keepalive can rightly be: one interval after the longest Retry-After.
    const farthest = now + interval + SERVER_BOUNDS.retryAfter.max * timing.secondMs;
    if (record.keepaliveAt === null || record.keepaliveAt > farthest) {
      // Never sooner than one interval after the last confirmation (Mobius counts early ones).
      record.keepaliveAt = Math.max(now, (record.confirmedAt ?? now) + interval);
      repaired.push('keepalive timer');
    }
  }
  if (
    device?.role === 'backup' &&
    !waitingForCall &&
    record.flow?.kind !== 'failback' &&
    record.failbackAt === null
  ) {
    record.failbackAt = now + failbackDelayMs(record.rehoming, timing, ctx.int);
    repaired.push('failback timer');
  }
  const flow = record.flow;
  if (flow?.kind === 'attempt' && flow.phase === 'wait' && record.retryAt === null) {
    record.retryAt = now;
    repaired.push('retry timer');
  }
  if (record.wanted && !record.device && !busy && record.state !== 'inactive') {
    // Wanted, not registered, nothing under way and no final error: start again.
    onRegister(record, { kind: 'register', blocked, evict: true }, ctx, out);
    repaired.push('registration');
  }
  if (repaired.length > 0) out.log('line', 'Reconciled: repaired what was missing', { repaired });
  // The next period, unless the engine's timer is still ahead (a wake between two periods).
  const next = record.reconcileAt;
  if (!needsWatching(record)) record.reconcileAt = null;
  else if (next === null || next <= now + DUE_SLACK_MS || next > now + timing.reconcileMs) {
    record.reconcileAt = now + timing.reconcileMs;
  }
}
