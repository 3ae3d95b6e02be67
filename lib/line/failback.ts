/**
 * Failback to a primary within the rehoming window (reference §11, SDK executeFailback): when
 * the timer fires on a backup, discover, ping the primaries; one that answers 200 gets the line
 * (the attempt's `failback` plan), else the timer is armed again. Not while a call is in
 * progress: the failback deletes the backup's device, which carries the call; the timer is
 * armed again instead (as the SDK does), so the next one after the call fails back.
 */
import type { Outcome } from '../webex/http';
import { startAttempt } from './attempt';
import type { PrepareResult } from './deps';
import type { Effects, TransitionContext } from './events';
import type { FailbackFlow } from './flow';
import { DUE_SLACK_MS } from './keepalive';
import { failbackDelayMs } from './policy';
import { type EngineRecord, registeredDevice } from './record';
import { send, setFlow, toReconnecting } from './states';

export function onFailbackTimer(record: EngineRecord, ctx: TransitionContext, out: Effects) {
  if (record.failbackAt === null || record.failbackAt > ctx.now + DUE_SLACK_MS) return;
  const device = registeredDevice(record);
  if (device && (record.flow || record.pending)) {
    // Something else is in progress (a keepalive in flight, a clean-up): the failback stays due
    // and starts as soon as that work ends (`failbackIfDue`). Dropping it here left the line on
    // the backup for good.
    out.log('line', 'Failback deferred: the engine is busy');
    return;
  }
  record.failbackAt = null;
  // Keepalives failing below the threshold do not stop it: the line is still registered (SDK
  // isFailbackRequired looks at the registration status only).
  if (device?.role !== 'backup') return;
  // The SDK pings first and then asks "up AND no active calls"; with calls active both orders
  // end in the same re-armed timer, so asking first spares the discovery and the ping (and the
  // primary a request it cannot act on). A call that starts during the ping is caught below.
  if (ctx.callsActive) return deferForCall(record, ctx, out);
  setFlow(record, { kind: 'failback', phase: 'prepare', index: 0, context: null });
}

/** The engine has nothing under way: a failback that came due meanwhile starts now. */
export function failbackIfDue(record: EngineRecord, ctx: TransitionContext, out: Effects) {
  if (record.flow || record.pending || record.failbackAt === null) return;
  if (record.failbackAt <= ctx.now + DUE_SLACK_MS) onFailbackTimer(record, ctx, out);
}

export function proceedFailback(
  record: EngineRecord,
  flow: FailbackFlow,
  ctx: TransitionContext,
  out: Effects,
) {
  if (flow.phase === 'prepare' || !flow.context) {
    send(record, ctx, out, { tag: 'prepare' });
    return;
  }
  const url = flow.context.primary[flow.index];
  const device = registeredDevice(record);
  if (url === undefined || !device) {
    out.log('line', 'Primary Mobius still down; failback deferred');
    rearm(record, ctx);
    return;
  }
  send(record, ctx, out, {
    tag: 'ping',
    serverUrl: url,
    clientDeviceUri: device.clientDeviceUri,
  });
}

export function onFailbackOutcome(
  record: EngineRecord,
  flow: FailbackFlow,
  result: { tag: 'prepare'; prepared: PrepareResult } | { tag: 'ping'; outcome: Outcome<unknown> },
  ctx: TransitionContext,
  out: Effects,
) {
  if (result.tag === 'prepare') {
    if (!result.prepared.ok) return rearm(record, ctx);
    flow.context = result.prepared.context;
    flow.phase = 'ping';
    return;
  }
  const up = result.outcome.ok && result.outcome.status === 200;
  const device = registeredDevice(record);
  if (!up || !device) {
    flow.index += 1;
    return;
  }
  // A call that began since the timer fired: its device stays (`deferForCall`).
  if (ctx.callsActive) return deferForCall(record, ctx, out);
  out.log('line', 'Attempting failback to primary.');
  const backupUrl = device.serverUrl;
  const context = flow.context;
  toReconnecting(record);
  out.emit('unregistered');
  const attempt = startAttempt(record, { kind: 'failback', backupUrl }, true);
  attempt.context = context;
  attempt.phase = 'verify';
}

function deferForCall(record: EngineRecord, ctx: TransitionContext, out: Effects) {
  out.log('line', 'Failback deferred: a call is in progress');
  rearm(record, ctx);
}

function rearm(record: EngineRecord, ctx: TransitionContext) {
  setFlow(record, null);
  record.failbackAt = ctx.now + failbackDelayMs(record.rehoming, ctx.timing, ctx.int);
}
