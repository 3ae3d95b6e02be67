/**
 * What the end of a round leads to (SDK startFailoverTimer §10, restore §11, failback §11, the
 * 429 rules §9.2): the next round, a wait on the retry timer, or the final error. Pure.
 */

import type { Effects, TransitionContext } from './events';
import { type AttemptFlow, newRound, type RegistrationContext, type Round } from './flow';
import { lastBackupDelaySec, offlineRetryDelayMs, planFailover, tooManyRequests } from './policy';
import type { EngineRecord } from './record';
import { toReconnecting, wait } from './states';

type Ctx = TransitionContext;

/** Every server of a round failed non-finally. */
export function roundDone(
  record: EngineRecord,
  flow: AttemptFlow,
  round: Round,
  ctx: Ctx,
  out: Effects,
) {
  const context = flow.context as RegistrationContext;
  const { plan } = flow;
  switch (round.purpose) {
    case 'primaries': {
      const [attempt, elapsedSec] =
        plan.kind === 'primaries'
          ? [plan.attempt + 1, plan.elapsedSec + (ctx.now - plan.scheduledAt) / ctx.timing.secondMs]
          : [1, 0];
      // Design choice for network failures (no HTTP answer at all): unreachable primaries send
      // us to the backups at once; when those are unreachable too the network is assumed down
      // and we wait for it instead of burning the failover timer into a final error.
      if (round.networkOnly) {
        if (context.backup.length === 0) return waitForNetwork(record, flow, ctx, out);
        flow.round = {
          ...newRound('networkBackups', context.backup),
          failover: { attempt, elapsedSec },
        };
        return;
      }
      return startFailover(record, flow, attempt, elapsedSec, round.retryAfterSec, ctx, out);
    }
    case 'networkBackups':
      if (round.networkOnly) return waitForNetwork(record, flow, ctx, out);
      return startFailover(
        record,
        flow,
        round.failover?.attempt ?? 1,
        round.failover?.elapsedSec ?? 0,
        round.retryAfterSec,
        ctx,
        out,
      );
    case 'backups':
      if (round.networkOnly) return waitForNetwork(record, flow, ctx, out);
      if (plan.kind === 'backups' && plan.last) return giveUp(flow);
      return wait(
        record,
        ctx,
        flow,
        { kind: 'backups', last: true },
        lastBackupDelaySec(round.retryAfterSec, ctx.timing, ctx.int) * ctx.timing.secondMs,
      );
    case 'lastServer':
      return afterLastServer(record, flow, round, ctx, out);
    case 'restoreBackups':
      if (round.networkOnly) return waitForNetwork(record, flow, ctx, out);
      return startFailover(record, flow, 1, 0, round.retryAfterSec, ctx, out);
    case 'failbackPrimaries':
      return afterFailbackPrimaries(record, flow, round, ctx);
    case 'failbackBackup':
      record.failbackAt = null;
      return restart(flow);
  }
}

/** Restore after the last server failed (§11, 429 rules §9.2). */
function afterLastServer(
  record: EngineRecord,
  flow: AttemptFlow,
  round: Round,
  ctx: Ctx,
  out: Effects,
) {
  const context = flow.context as RegistrationContext;
  if (round.retryAfterSec === undefined || !record.lastServer) return restart(flow);
  const decision = tooManyRequests(
    {
      where: 'restore',
      retryAfterSec: round.retryAfterSec,
      lastWasPrimary: context.primary.includes(record.lastServer.url),
      hasBackups: context.backup.length > 0,
    },
    ctx.timing,
    ctx.int,
  );
  out.log('line', 'Restore hit 429', { plan: decision });
  switch (decision.kind) {
    case 'restartAfter':
      return wait(record, ctx, flow, { kind: 'register' }, decision.delaySec * ctx.timing.secondMs);
    case 'tryBackups':
      flow.round = newRound('restoreBackups', context.backup);
      return;
    default:
      return restart(flow);
  }
}

/** Failback's primaries refused: 429 retries (§9.2), then back on the backup. */
function afterFailbackPrimaries(record: EngineRecord, flow: AttemptFlow, round: Round, ctx: Ctx) {
  record.failbackAt = null;
  if (round.retryAfterSec !== undefined) {
    const decision = tooManyRequests(
      { where: 'failback', retriesSoFar: record.failback429Retries },
      ctx.timing,
      ctx.int,
    );
    if (decision.kind === 'retryFailback') {
      record.failback429Retries += 1;
      record.failbackAt = ctx.now + decision.delayMs;
    } else record.failback429Retries = 0;
  }
  const backupUrl = flow.plan.kind === 'failback' ? flow.plan.backupUrl : undefined;
  if (!backupUrl) return restart(flow);
  flow.round = newRound('failbackBackup', [backupUrl]);
}

/** A full registration now, on the primaries (SDK restartRegistration). */
function restart(flow: AttemptFlow) {
  flow.plan = { kind: 'register' };
  flow.round = newRound('primaries', (flow.context as RegistrationContext).primary);
}

/** SDK startFailoverTimer (§10). */
function startFailover(
  record: EngineRecord,
  flow: AttemptFlow,
  attempt: number,
  elapsedSec: number,
  retryAfterSec: number | undefined,
  ctx: Ctx,
  out: Effects,
) {
  const context = flow.context as RegistrationContext;
  const plan = planFailover({
    attempt,
    elapsedSec,
    retryAfterSec,
    hasBackups: context.backup.length > 0,
    timing: ctx.timing,
    jitter: ctx.int,
  });
  out.log('line', 'Failover plan', { attempt, elapsedSec, retryAfterSec, plan });
  switch (plan.kind) {
    case 'retryPrimaries':
      return wait(
        record,
        ctx,
        flow,
        { kind: 'primaries', attempt, elapsedSec, scheduledAt: ctx.now },
        plan.delaySec * ctx.timing.secondMs,
      );
    case 'tryBackups':
      flow.plan = { kind: 'backups', last: false };
      flow.round = newRound('backups', context.backup);
      return;
    case 'final':
      return giveUp(flow);
  }
}

/** Retries exhausted: forget the (maybe stale) server list, then the final error. */
function giveUp(flow: AttemptFlow) {
  flow.phase = 'forgetServers';
  flow.round = null;
}

/** The network looks down: back off (or wait for `online`), then restore. */
export function waitForNetwork(record: EngineRecord, flow: AttemptFlow, ctx: Ctx, out: Effects) {
  const delay = offlineRetryDelayMs(record.offlineTries, ctx.timing);
  record.offlineTries += 1;
  toReconnecting(record);
  out.log('line', 'Network unreachable; waiting to re-register', { delayMs: delay });
  wait(record, ctx, flow, { kind: 'restore', reason: 'network' }, delay);
}
