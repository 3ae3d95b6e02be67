/**
 * The transition table: `transition(record, event, ctx) -> { record, effects }`, pure. One row per
 * event kind; an outcome goes to the flow that made the request. After every event, `proceed`
 * moves the flow on until it has a request in flight or a timer to wait for, so a persisted
 * record always says what happens next.
 *
 * Where to look:
 * - a keepalive answer (404 included): keepalive.ts;
 * - a registration answer and the error table, the device-limit restore: register-answer.ts;
 * - the end of a round (failover, restore, failback): failover.ts;
 * - 429 everywhere: `tooManyRequests` in policy.ts;
 * - a worker killed mid-request: `onWake` in lifecycle.ts (then the flow's phase runs again).
 * - a call in progress (failback re-armed, re-registration deferred): failback.ts,
 *   deferred-restore.ts.
 */
import { onAttemptOutcome, startAttempt, stepAttempt } from './attempt';
import { onCleanupOutcome, proceedCleanup, settleLeftoverOf } from './cleanup';
import { followClock, observe } from './clock-step';
import { onCallsCleared, restoreIfClear } from './deferred-restore';
import { Effects, type EngineEvent, type TransitionContext } from './events';
import { failbackIfDue, onFailbackOutcome, onFailbackTimer, proceedFailback } from './failback';
import { deregisterFlow } from './flow';
import { onKeepaliveOutcome, onKeepaliveTimer } from './keepalive';
import {
  onDeregister,
  onNetwork,
  onRegister,
  onRemoveDevice,
  onRetryTimer,
  onSignedIn,
  onSignOut,
  onStartup,
  onTokenLost,
  onWake,
  onWatchdogTimer,
} from './lifecycle';
import { keepWatching, onReconcile } from './reconcile';
import { type EngineRecord, type Pending, unconfirmedOf } from './record';
import { unknownAnswer } from './register-answer';
import type { RequestResult } from './requests';
import { leftoverOf, setFlow, toConnecting } from './states';

type Row<K extends EngineEvent['kind']> = (
  record: EngineRecord,
  event: Extract<EngineEvent, { kind: K }>,
  ctx: TransitionContext,
  out: Effects,
) => void;

const TABLE: { [K in EngineEvent['kind']]: Row<K> } = {
  register: onRegister,
  deregister: (record) => onDeregister(record),
  startup: onStartup,
  wake: onWake,
  signedIn: onSignedIn,
  signOut: (record) => onSignOut(record),
  tokenLost: onTokenLost,
  removeDevice: onRemoveDevice,
  network: onNetwork,
  timer: (record, event, ctx, out) => {
    switch (event.timer) {
      case 'keepalive':
        return onKeepaliveTimer(record, ctx, out);
      case 'retry':
        return onRetryTimer(record, ctx, out);
      case 'failback':
        return onFailbackTimer(record, ctx, out);
      case 'watchdog':
        return onWatchdogTimer(record, ctx, out);
      case 'reconcile':
        // The service turns this timer into a `reconcile` event (it needs `blocked`).
        return onReconcile(record, null, ctx, out);
    }
  },
  reconcile: (record, event, ctx, out) => onReconcile(record, event.blocked, ctx, out),
  callsCleared: (record, _event, ctx, out) => onCallsCleared(record, ctx, out),
  outcome: onOutcome,
};

export function transition(
  record: EngineRecord,
  event: EngineEvent,
  ctx: TransitionContext,
): { record: EngineRecord; effects: Effects['list'] } {
  const next = structuredClone(record);
  const out = new Effects();
  followClock(next, ctx.now, out);
  (TABLE[event.kind] as Row<typeof event.kind>)(next, event as never, ctx, out);
  proceed(next, ctx, out);
  keepWatching(next, ctx);
  if (next.state !== record.state) next.stateSince = ctx.now;
  observe(next, record, ctx.now);
  return { record: next, effects: out.list };
}

/** The outcome of the request in flight goes to the flow that made it. */
function onOutcome(
  record: EngineRecord,
  event: Extract<EngineEvent, { kind: 'outcome' }>,
  ctx: TransitionContext,
  out: Effects,
) {
  const pending = record.pending;
  const { result } = event;
  if (pending?.id !== event.id) {
    out.log('line', 'A late answer to an abandoned request', { request: result.tag });
    return absorb(record, result, { serverUrl: event.serverUrl, sentAt: ctx.now }, out);
  }
  record.pending = null;
  const flow = pending.flowSeq === record.flowSeq ? record.flow : null;
  if (flow === null && record.flow !== null) {
    // The flow changed while the request was out (a deregister, a sign-out, a start-up).
    return absorb(record, result, pending, out);
  }
  switch (flow?.kind) {
    case 'attempt':
      return onAttemptOutcome(record, flow, result, pending.sentAt, ctx, out);
    case 'failback':
      if (result.tag === 'prepare' || result.tag === 'ping') {
        return onFailbackOutcome(record, flow, result, ctx, out);
      }
      break;
    case 'deregister':
    case 'signOut':
    case 'tidy':
      if (result.tag === 'delete' || result.tag === 'endSession') {
        return onCleanupOutcome(record, flow, result, out);
      }
      break;
    case undefined:
      if (result.tag === 'keepalive') return onKeepaliveOutcome(record, result.outcome, ctx, out);
      break;
  }
  // The flow changed while the request was out (a deregister, a sign-out): what it did stays ours.
  absorb(record, result, pending, out);
}

/**
 * An answer nobody waits for any more. A registration it made is a device we must delete; one
 * whose answer we could not read may have made one; a DELETE it answered settles its device.
 */
function absorb(
  record: EngineRecord,
  result: RequestResult,
  from: Pick<Pending, 'serverUrl' | 'sentAt' | 'clientDeviceUri' | 'deviceId'>,
  out: Effects,
) {
  const { serverUrl, sentAt, clientDeviceUri, deviceId } = from;
  if (result.tag === 'delete' && deviceId)
    return settleLeftoverOf(record, deviceId, result.outcome, out);
  if (result.tag !== 'register' || !serverUrl) return;
  const { outcome } = result;
  if (outcome.ok) record.leftovers.push(leftoverOf(outcome.value, serverUrl));
  else if (unknownAnswer(outcome)) {
    record.unconfirmed.push(unconfirmedOf(serverUrl, sentAt, clientDeviceUri));
  }
}

/** Move the flow on until a request is in flight, a timer is set, or nothing is left to do. */
function proceed(record: EngineRecord, ctx: TransitionContext, out: Effects) {
  for (let guard = 0; guard < 100 && !record.pending; guard += 1) {
    if (!record.flow) {
      // Nothing under way: a re-registration deferred for a call runs once it may (every
      // event checks, so a lost "calls cleared" costs at most one engine period).
      restoreIfClear(record, ctx, out);
      if (!record.flow) failbackIfDue(record, ctx, out);
    }
    const flow = record.flow;
    if (!flow) return;
    switch (flow.kind) {
      case 'attempt':
        if (!record.wanted) {
          // The user no longer wants the line: stop registering, delete what we made.
          setFlow(record, deregisterFlow(true, true));
          record.retryAt = null;
          continue;
        }
        if (!stepAttempt(record, flow, ctx, out)) return;
        continue;
      case 'failback':
        proceedFailback(record, flow, ctx, out);
        continue;
      case 'deregister':
      case 'signOut':
      case 'tidy':
        proceedCleanup(record, flow, ctx, out, (evict) => {
          if (record.state !== 'connecting') toConnecting(record, out);
          startAttempt(record, { kind: 'register' }, evict);
        });
        if (record.flow === flow && !record.pending) return;
        continue;
    }
  }
}
