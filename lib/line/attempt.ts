/**
 * A registration attempt (SDK triggerRegistration / restartRegistration, reference §9-11), one
 * request at a time: discover, check where an answer was lost, delete old devices, then POST to
 * each server of a round (register-answer.ts reads each answer; failover.ts decides what a
 * round's end leads to). Pure: every function changes the record and collects effects.
 */
import { retriesExhaustedError, untrustedServerError } from '../webex/line-errors';
import { settleLeftover } from './cleanup';
import { onListed, onPrepared } from './discovery-answer';
import type { Effects, TransitionContext } from './events';
import { roundDone } from './failover';
import {
  type AttemptFlow,
  attemptFlow,
  newRound,
  type Plan,
  type RegistrationContext,
  type Round,
  roleOf,
} from './flow';
import type { EngineRecord, ServerRef } from './record';
import { onPosted, onRestorePosted } from './register-answer';
import type { RequestResult } from './requests';
import { dropDevice, send, setFlow, toInactive, toReconnecting, wait } from './states';

type Ctx = TransitionContext;

/** Start an attempt; its first request goes out in `stepAttempt`. */
export function startAttempt(record: EngineRecord, plan: Plan, evict: boolean): AttemptFlow {
  const flow = attemptFlow(plan, evict, 'prepare');
  setFlow(record, flow);
  record.retryAt = null;
  // Whatever it was waiting for, a restore deferred for a call is this attempt now.
  record.restorePending = null;
  beginPlan(record, flow);
  return flow;
}

/** An attempt that starts after `delayMs` (the device, if any, stays until it begins). */
export function scheduleAttempt(
  record: EngineRecord,
  plan: Plan,
  ctx: Ctx,
  delayMs: number,
): AttemptFlow {
  const flow = attemptFlow(plan, true, 'wait');
  setFlow(record, flow);
  record.restorePending = null;
  wait(record, ctx, flow, plan, delayMs);
  return flow;
}

/** A plan starts (now or after its wait): the old device goes, keepalives stop. */
function beginPlan(record: EngineRecord, flow: AttemptFlow) {
  dropDevice(record);
  if (flow.plan.kind === 'restore' || flow.plan.kind === 'failback') toReconnecting(record);
  flow.phase = 'prepare';
  flow.round = null;
  flow.restore = null;
  flow.cursor = 0;
  flow.verified = [];
}

/** The retry timer fired for a waiting attempt. */
export function resumeAttempt(record: EngineRecord, flow: AttemptFlow) {
  record.retryAt = null;
  record.retryHoldUntil = null;
  beginPlan(record, flow);
}

/**
 * One step of the attempt while nothing is in flight: issue its next request (false), or move
 * to another phase or round without a request (true: call again).
 */
export function stepAttempt(
  record: EngineRecord,
  flow: AttemptFlow,
  ctx: Ctx,
  out: Effects,
): boolean {
  switch (flow.phase) {
    case 'wait':
      // Invariant: a waiting attempt has its timer. Repair a record that lost it.
      if (record.retryAt !== null) return false;
      resumeAttempt(record, flow);
      return true;
    case 'prepare':
      send(record, ctx, out, { tag: 'prepare' });
      return false;
    case 'forgetDevice':
    case 'forgetServers':
      send(record, ctx, out, { tag: flow.phase });
      return false;
    case 'verify': {
      const context = flow.context as RegistrationContext;
      const next = record.unconfirmed.find((u) => !flow.verified.includes(u.serverUrl));
      if (!next) {
        flow.phase = 'cleanup';
        flow.cursor = 0;
        return true;
      }
      send(record, ctx, out, {
        tag: 'list',
        serverUrl: next.serverUrl,
        userId: context.userId,
        clientDeviceUri: context.clientDeviceUri,
      });
      return false;
    }
    case 'cleanup': {
      const leftover = record.leftovers[flow.cursor];
      if (!leftover) {
        flow.phase = 'round';
        return true;
      }
      send(record, ctx, out, { tag: 'delete', device: leftover });
      return false;
    }
    case 'round': {
      flow.round ??= roundFor(record, flow);
      const url = flow.round.servers[flow.round.index];
      if (url === undefined) {
        roundDone(record, flow, flow.round, ctx, out);
        return true;
      }
      post(record, flow, { url, role: roleOf(flow, url) }, ctx, out);
      return false;
    }
    case 'restoreDelete':
      send(record, ctx, out, { tag: 'delete', device: restoreOf(flow).device });
      return false;
    case 'restorePost':
      post(record, flow, restoreOf(flow).server, ctx, out);
      return false;
  }
}

const restoreOf = (flow: AttemptFlow) => flow.restore as NonNullable<AttemptFlow['restore']>;

function post(record: EngineRecord, flow: AttemptFlow, server: ServerRef, ctx: Ctx, out: Effects) {
  const context = flow.context as RegistrationContext;
  out.log('mobius', 'Registering', { server: server.url, role: server.role });
  send(record, ctx, out, {
    tag: 'register',
    server,
    userId: context.userId,
    clientDeviceUri: context.clientDeviceUri,
  });
}

function roundFor(record: EngineRecord, flow: AttemptFlow): Round {
  const context = flow.context as RegistrationContext;
  switch (flow.plan.kind) {
    case 'register':
    case 'primaries':
      return newRound('primaries', context.primary);
    case 'backups':
      return newRound('backups', context.backup);
    case 'restore':
      if (record.lastServer) return newRound('lastServer', [record.lastServer.url]);
      flow.plan = { kind: 'register' };
      return newRound('primaries', context.primary);
    case 'failback':
      return newRound('failbackPrimaries', context.primary);
  }
}

/** An outcome for the attempt's request. */
export function onAttemptOutcome(
  record: EngineRecord,
  flow: AttemptFlow,
  result: RequestResult,
  sentAt: number,
  ctx: Ctx,
  out: Effects,
) {
  switch (result.tag) {
    case 'prepare':
      return onPrepared(record, flow, result.prepared, ctx, out);
    case 'list':
      return onListed(record, flow, result.outcome, ctx, out);
    case 'delete':
      if (flow.phase === 'restoreDelete') {
        if (!result.outcome.ok && result.outcome.error.kind === 'untrusted') {
          return toInactive(record, out, untrustedServerError(result.outcome.error.message));
        }
        out.emit('unregistered');
        flow.phase = 'restorePost';
        return;
      }
      if (!settleLeftover(record, flow.cursor, result.outcome, out)) flow.cursor += 1;
      return;
    case 'forgetDevice':
      flow.wdmRecreated = true;
      flow.phase = 'prepare';
      flow.round = null;
      return;
    case 'forgetServers':
      return toInactive(record, out, retriesExhaustedError());
    case 'register':
      return flow.phase === 'restorePost'
        ? onRestorePosted(record, flow, result.outcome, sentAt, ctx, out)
        : onPosted(record, flow, result.outcome, sentAt, ctx, out);
    default:
      out.log('line', 'Unexpected outcome during a registration', { tag: result.tag });
  }
}
