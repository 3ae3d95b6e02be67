/**
 * The registration steps (each resumable from the persisted record): full registration, the
 * failover timer's retries on primaries and backups (§10), restore of the last server (§11),
 * waiting for the network, deregistration and start-up clean-up.
 */
import {
  discoveryError,
  notConfiguredError,
  retriesExhaustedError,
  tokenExpiredError,
} from '../webex/errors';
import type { WebexFailure } from '../webex/http';
import type { EngineCore } from './core';
import {
  lastBackupDelaySec,
  offlineRetryDelayMs,
  planFailover,
  planRestoreAfter429,
} from './policy';
import type { RegistrationContext } from './ports';
import { clearRuntime, type EngineRecord, type Step } from './record';
import { dropDevices, type RoundResult, tryServers } from './rounds';

/** The discovery context, or null after handling the failure. */
export async function prepare(
  core: EngineCore,
  record: EngineRecord,
): Promise<RegistrationContext | null> {
  const prepared = await core.deps.context.prepare();
  if (prepared.ok) return prepared.context;
  const failure = prepared.error;
  core.deps.log('line', 'Discovery failed', { kind: failure.kind, error: failure.message });
  switch (failure.kind) {
    case 'network':
      await waitForNetwork(core, record);
      break;
    case 'auth':
      await core.fail(record, tokenExpiredError(failure.status));
      break;
    case 'config':
      await core.fail(record, notConfiguredError(failure.message));
      break;
    case 'http':
      if (failure.status === 429 || failure.status >= 500) {
        await retryDiscovery(core, record, failure);
        break;
      }
      await core.fail(record, discoveryError(failure));
      break;
    default:
      await core.fail(record, discoveryError(failure));
  }
  return null;
}

/**
 * A transient catalog / WDM / region / people failure (5xx, 429): the SDK gives up here, but a
 * line kept registered in the background should not need a click. Back off like a network loss
 * (honouring Retry-After), and end in the discovery error after `discoveryRetries` waits.
 */
async function retryDiscovery(
  core: EngineCore,
  record: EngineRecord,
  failure: Extract<WebexFailure, { kind: 'http' }>,
): Promise<void> {
  const { timing, log } = core.deps;
  if (record.offlineTries >= timing.discoveryRetries) {
    await core.fail(record, discoveryError(failure));
    return;
  }
  const delay = Math.max(
    offlineRetryDelayMs(record.offlineTries, timing),
    (failure.retryAfter ?? 0) * timing.secondMs,
  );
  record.offlineTries += 1;
  log('line', 'Discovery failed for a moment; trying again', { delayMs: delay });
  await core.schedule(record, { kind: 'register', runAt: 0 }, delay);
}

/** Common start of a registering step: still wanted, old devices gone, context ready. */
export async function beginAttempt(
  core: EngineCore,
  record: EngineRecord,
): Promise<RegistrationContext | null> {
  if ((await core.intent()) !== 'registered') {
    await abandon(core, record);
    return null;
  }
  await dropDevices(core, record);
  const context = await prepare(core, record);
  await core.keepWatch();
  return context;
}

/**
 * Make `step` the running one, watchdog included, so the next commit persists it: a worker killed
 * before the step gets going is resumed by the `line:retry` timer or the next wake.
 */
export function startStep(core: EngineCore, record: EngineRecord, step: Step): void {
  record.step = step;
  record.nextAttemptAt = null;
  core.watchdog(record);
}

/**
 * The user no longer wants the line: stop registering. Their deregister task normally follows at
 * once; the deregister step is persisted anyway (under its watchdog), so a worker killed before
 * that task ran still ends idle instead of "connecting" with nothing left to run.
 */
export async function abandon(core: EngineCore, record: EngineRecord): Promise<void> {
  record.target = null;
  startStep(core, record, { kind: 'deregister', runAt: 0 });
  await core.commit(record);
}

/** SDK restartRegistration / triggerRegistration: primaries, then the failover timer. */
export async function stepRegister(core: EngineCore, record: EngineRecord): Promise<void> {
  let context = await beginAttempt(core, record);
  if (!context) return;
  let round = await tryServers(core, record, context, context.primary, {
    reportNotFound: context.wdmFromCache,
  });
  if (round.kind === 'notFound') {
    // "Re-create on 404": the cached WDM device may be gone. One more round with a new one.
    core.deps.log('line', 'Mobius does not know this device; registering a new WDM device');
    await core.deps.context.forgetDevice();
    context = await prepare(core, record);
    if (!context) return;
    round = await tryServers(core, record, context, context.primary);
  }
  await afterPrimaries(core, record, context, round, 1, 0);
}

export async function stepPrimaries(
  core: EngineCore,
  record: EngineRecord,
  step: Extract<Step, { kind: 'primaries' }>,
): Promise<void> {
  const context = await beginAttempt(core, record);
  if (!context) return;
  const round = await tryServers(core, record, context, context.primary);
  const waitedSec = (core.deps.clock.now() - step.scheduledAt) / core.deps.timing.secondMs;
  await afterPrimaries(core, record, context, round, step.attempt + 1, step.elapsedSec + waitedSec);
}

/**
 * After a round on the primaries. Design choice for network failures (no HTTP answer at all):
 * unreachable primaries send us to the backups at once; when those are unreachable too the
 * network is assumed down and we wait for it (short back-off, or `onNetwork(true)`) instead of
 * burning the failover timer into a final error.
 */
export async function afterPrimaries(
  core: EngineCore,
  record: EngineRecord,
  context: RegistrationContext,
  round: RoundResult,
  nextAttempt: number,
  elapsedSec: number,
): Promise<void> {
  if (await settled(core, record, round)) return;
  if (round.kind !== 'failed') return;
  let retryAfterSec = round.retryAfterSec;
  if (round.networkOnly) {
    if (context.backup.length === 0) return waitForNetwork(core, record);
    const backups = await tryServers(core, record, context, context.backup);
    if (await settled(core, record, backups)) return;
    if (backups.kind !== 'failed' || backups.networkOnly) return waitForNetwork(core, record);
    retryAfterSec = backups.retryAfterSec;
  }
  await startFailover(core, record, context, nextAttempt, elapsedSec, retryAfterSec);
}

/** True when the round ended the step (registered, final, aborted). */
export async function settled(
  core: EngineCore,
  record: EngineRecord,
  round: RoundResult,
): Promise<boolean> {
  switch (round.kind) {
    case 'registered':
    case 'final':
      return true;
    case 'aborted':
      await abandon(core, record);
      return true;
    case 'notFound':
      await core.fail(record, round.error);
      return true;
    case 'failed':
      return false;
  }
}

/** SDK startFailoverTimer (§10). */
export async function startFailover(
  core: EngineCore,
  record: EngineRecord,
  context: RegistrationContext,
  attempt: number,
  elapsedSec: number,
  retryAfterSec: number | undefined,
): Promise<void> {
  const { timing, clock, random } = core.deps;
  const plan = planFailover({
    attempt,
    elapsedSec,
    retryAfterSec,
    hasBackups: context.backup.length > 0,
    timing,
    jitter: (min, max) => random.int(min, max),
  });
  core.deps.log('line', 'Failover plan', { attempt, elapsedSec, retryAfterSec, plan });
  switch (plan.kind) {
    case 'retryPrimaries':
      return core.schedule(
        record,
        { kind: 'primaries', runAt: 0, attempt, elapsedSec, scheduledAt: clock.now() },
        plan.delaySec * timing.secondMs,
      );
    case 'tryBackups':
      return core.goTo(record, { kind: 'backups', runAt: 0, last: false });
    case 'final':
      return giveUp(core, record);
  }
}

export async function stepBackups(
  core: EngineCore,
  record: EngineRecord,
  step: Extract<Step, { kind: 'backups' }>,
): Promise<void> {
  const context = await beginAttempt(core, record);
  if (!context) return;
  const round = await tryServers(core, record, context, context.backup);
  if (await settled(core, record, round)) return;
  if (round.kind !== 'failed') return;
  if (round.networkOnly) return waitForNetwork(core, record);
  if (step.last) return giveUp(core, record);
  const { timing, random } = core.deps;
  const delaySec = lastBackupDelaySec(round.retryAfterSec, timing, (min, max) =>
    random.int(min, max),
  );
  await core.schedule(
    record,
    { kind: 'backups', runAt: 0, last: true },
    delaySec * timing.secondMs,
  );
}

/** Retries exhausted: the final `service_unavailable`. The server list may be stale: drop it. */
export async function giveUp(core: EngineCore, record: EngineRecord): Promise<void> {
  await core.deps.context.forgetServers();
  await core.fail(record, retriesExhaustedError());
}

/**
 * SDK reconnectOnFailure / handleConnectionRestoration: the old device is deleted (so at most
 * one exists), the last server is tried first, then a full restart. A 429 there follows the
 * restore rules of §9.2.
 */
export async function stepRestore(core: EngineCore, record: EngineRecord): Promise<void> {
  if (record.state !== 'connecting') record.state = 'reconnecting';
  const context = await beginAttempt(core, record);
  if (!context) return;
  const last = record.lastServer;
  if (last) {
    const round = await tryServers(core, record, context, [last.url]);
    if (await settled(core, record, round)) return;
    if (round.kind === 'failed' && round.retryAfterSec !== undefined) {
      const plan = planRestoreAfter429({
        retryAfterSec: round.retryAfterSec,
        lastWasPrimary: context.primary.includes(last.url),
        hasBackups: context.backup.length > 0,
        timing: core.deps.timing,
      });
      core.deps.log('line', 'Restore hit 429', { plan });
      if (plan.kind === 'restartAfter') {
        return core.schedule(
          record,
          { kind: 'register', runAt: 0 },
          plan.delaySec * core.deps.timing.secondMs,
        );
      }
      if (plan.kind === 'tryBackups') {
        const backups = await tryServers(core, record, context, context.backup);
        if (await settled(core, record, backups)) return;
        if (backups.kind === 'failed' && backups.networkOnly) return waitForNetwork(core, record);
        const retryAfter = backups.kind === 'failed' ? backups.retryAfterSec : undefined;
        return startFailover(core, record, context, 1, 0, retryAfter);
      }
    }
  }
  await core.goTo(record, { kind: 'register', runAt: 0 });
}

/** The network looks down: wait (back-off) or for `onNetwork(true)`, then restore. */
export async function waitForNetwork(core: EngineCore, record: EngineRecord): Promise<void> {
  const delay = offlineRetryDelayMs(record.offlineTries, core.deps.timing);
  record.offlineTries += 1;
  if (record.state !== 'connecting') record.state = 'reconnecting';
  core.deps.log('line', 'Network unreachable; waiting to re-register', { delayMs: delay });
  await core.schedule(record, { kind: 'restore', runAt: 0, reason: 'network' }, delay);
}

export async function stepDeregister(core: EngineCore, record: EngineRecord): Promise<void> {
  await dropDevices(core, record);
  clearRuntime(record);
  record.state = 'idle';
  record.deregistered = true;
  record.error = null;
  record.lastServer = null;
  await core.commit(record);
  await core.emit('unregistered');
}

export async function stepStartup(
  core: EngineCore,
  record: EngineRecord,
  step: Extract<Step, { kind: 'startup' }>,
): Promise<void> {
  const hadDevice = record.device !== null;
  await dropDevices(core, record);
  if (step.thenRegister) return core.goTo(record, { kind: 'register', runAt: 0 });
  clearRuntime(record);
  record.state = 'idle';
  await core.commit(record);
  if (hadDevice) await core.emit('unregistered');
}
