/**
 * Pure decisions of the registration engine: what to do next given what just happened. No I/O,
 * so every branch of the SDK's timing rules is tested directly.
 */
import type { ClassifiedFailure } from '../webex/errors';
import type { LineErrorPayload } from '../webex/line-contract';
import { supersededError, toLineError } from '../webex/line-errors';
import { retryIntervalSec, type Timing } from './timing';

export type Jitter = (min: number, max: number) => number;

export type FailoverPlan =
  | { kind: 'retryPrimaries'; delaySec: number }
  | { kind: 'tryBackups' }
  | { kind: 'final' };

/**
 * SDK `startFailoverTimer(attempt, elapsed)` (§10, §9.2): wait and retry the primaries while the
 * time spent stays under `tryBackupAfterSec`; a Retry-After that would push past it sends us to
 * the backups at once; no backups means the final error.
 */
export function planFailover(args: {
  attempt: number;
  elapsedSec: number;
  retryAfterSec?: number;
  hasBackups: boolean;
  timing: Timing;
  jitter: Jitter;
}): FailoverPlan {
  const { attempt, elapsedSec, retryAfterSec, hasBackups, timing } = args;
  const limit = timing.tryBackupAfterSec;
  let interval = retryIntervalSec(attempt, timing, args.jitter);
  if (elapsedSec + interval > limit) interval = limit - elapsedSec;
  let immediately = false;
  if (retryAfterSec !== undefined && interval < retryAfterSec) {
    immediately = retryAfterSec + elapsedSec > limit;
  }
  if (interval > timing.baseRetrySec && !immediately) {
    if (retryAfterSec !== undefined) interval = Math.max(interval, retryAfterSec);
    return { kind: 'retryPrimaries', delaySec: interval };
  }
  return hasBackups ? { kind: 'tryBackups' } : { kind: 'final' };
}

/** Wait before the last try on the backups: interval(1), stretched to a Retry-After under 60 s. */
export function lastBackupDelaySec(
  retryAfterSec: number | undefined,
  timing: Timing,
  jitter: Jitter,
): number {
  const interval = retryIntervalSec(1, timing, jitter);
  if (retryAfterSec !== undefined && retryAfterSec < timing.retryAfterUpperLimitSec) {
    return Math.max(interval, retryAfterSec);
  }
  return interval;
}

/**
 * The 429 rule, in one place (reference §7, §9.2): what a `429 Too Many Requests` leads to, by
 * where it was answered. In every case no request goes to that server before its Retry-After
 * has passed (Webex always sends one; a missing one counts as the keepalive interval / zero).
 * - registration: no event; try the next server, and the failover timer waits at least
 *   Retry-After (`planFailover`, which also skips to the backups when it would pass 114 s);
 * - restore of the last server: `planRestoreAfter429`;
 * - failback: retry after interval(n) up to 5 times while staying on the backup, then give up;
 * - keepalive: pause, then a keepalive after Retry-After plus one interval (the failure count
 *   stays: a run of 429s must not hide a line that is failing);
 * - discovery (catalog, WDM...): back off like a network loss, at least Retry-After, then the
 *   final error after `discoveryRetries` waits.
 */
export type TooManyRequests =
  | { where: 'registration'; retryAfterSec?: number }
  | { where: 'restore'; retryAfterSec: number; lastWasPrimary: boolean; hasBackups: boolean }
  | { where: 'failback'; retriesSoFar: number }
  | { where: 'keepalive'; retryAfterSec?: number; intervalSec: number }
  | { where: 'discovery'; retryAfterSec?: number; triesSoFar: number };

export type TooManyRequestsDecision =
  | { kind: 'nextServer'; holdSec?: number }
  | Restore429Plan
  | { kind: 'retryFailback'; delayMs: number }
  | { kind: 'stayOnBackup' }
  | { kind: 'pauseKeepalive'; delayMs: number }
  | { kind: 'retryDiscovery'; delayMs: number }
  | { kind: 'giveUp' };

export function tooManyRequests(
  situation: TooManyRequests,
  timing: Timing,
  jitter: Jitter,
): TooManyRequestsDecision {
  switch (situation.where) {
    case 'registration':
      return { kind: 'nextServer', holdSec: situation.retryAfterSec };
    case 'restore':
      return planRestoreAfter429({ ...situation, timing });
    case 'failback': {
      if (situation.retriesSoFar >= timing.failback429MaxRetries) return { kind: 'stayOnBackup' };
      const delaySec = retryIntervalSec(situation.retriesSoFar + 1, timing, jitter);
      return { kind: 'retryFailback', delayMs: delaySec * timing.secondMs };
    }
    case 'keepalive': {
      // The SDK waits Retry-After plus one interval: a Retry-After of 0 is not "at once".
      const seconds = Math.max(0, situation.retryAfterSec ?? 0) + situation.intervalSec;
      return { kind: 'pauseKeepalive', delayMs: seconds * timing.secondMs };
    }
    case 'discovery': {
      if (situation.triesSoFar >= timing.discoveryRetries) return { kind: 'giveUp' };
      const delayMs = Math.max(
        offlineRetryDelayMs(situation.triesSoFar, timing),
        (situation.retryAfterSec ?? 0) * timing.secondMs,
      );
      return { kind: 'retryDiscovery', delayMs };
    }
  }
}

export type Restore429Plan =
  | { kind: 'restartAfter'; delaySec: number }
  | { kind: 'tryBackups' }
  | { kind: 'restartNow' };

/** SDK `restorePreviousRegistration` after a 429 on the previous server (§9.2). */
export function planRestoreAfter429(args: {
  retryAfterSec: number;
  lastWasPrimary: boolean;
  hasBackups: boolean;
  timing: Timing;
}): Restore429Plan {
  if (args.retryAfterSec < args.timing.retryAfterUpperLimitSec) {
    return { kind: 'restartAfter', delaySec: args.retryAfterSec };
  }
  if (args.lastWasPrimary && args.hasBackups) return { kind: 'tryBackups' };
  return { kind: 'restartNow' };
}

/** While the network looks down: networkFlapMs, doubling, capped. */
export function offlineRetryDelayMs(tries: number, timing: Timing): number {
  return Math.min(timing.networkFlapMs * 2 ** tries, timing.offlineRetryMaxMs);
}

/** Failback timer: a whole number of minutes in the rehoming window (SDK getFailbackInterval). */
export function failbackDelayMs(
  rehoming: { min: number; max: number } | null,
  timing: Timing,
  jitter: Jitter,
): number {
  const min = rehoming?.min ?? timing.defaultRehomingMinMin;
  const max = Math.max(min, rehoming?.max ?? timing.defaultRehomingMaxMin);
  return jitter(min, max) * timing.minuteMs;
}

export function keepaliveDelayMs(intervalSec: number, timing: Timing): number {
  return Math.max(intervalSec * timing.secondMs, timing.minKeepaliveMs);
}

export type KeepaliveDecision =
  /** Success; `reconnected` when it ends a run of failures. */
  | { kind: 'ok'; reconnected: boolean }
  /** Final error (400, 401, 403/102, 404): stop; 404 re-registers. */
  | { kind: 'final'; notFound: boolean; error: LineErrorPayload }
  /** 429: pause, then a keepalive after Retry-After plus one interval. */
  | { kind: 'pause'; delayMs: number }
  /** Non-final failure; `lost` once the threshold is reached. */
  | { kind: 'failed'; failures: number; lost: boolean }
  /**
   * 409: the same user's line was registered elsewhere (reference §13, newer Mobius): stop at
   * once, no re-registration, until the user registers here on purpose.
   */
  | { kind: 'superseded'; error: LineErrorPayload };

export function decideKeepalive(args: {
  failure: ClassifiedFailure | null;
  previousFailures: number;
  wasReconnecting: boolean;
  intervalSec: number;
  timing: Timing;
}): KeepaliveDecision {
  const { failure, timing } = args;
  if (!failure)
    return { kind: 'ok', reconnected: args.previousFailures > 0 || args.wasReconnecting };
  const { row } = failure;
  if (failure.httpStatus === 409) return { kind: 'superseded', error: supersededError() };
  if (row.final) {
    return { kind: 'final', notFound: row.status === 404, error: toLineError(failure) };
  }
  if (row.reaction === 'retryAfter') {
    const pause = tooManyRequests(
      { where: 'keepalive', retryAfterSec: failure.retryAfter, intervalSec: args.intervalSec },
      timing,
      () => 0,
    );
    if (pause.kind === 'pauseKeepalive') return { kind: 'pause', delayMs: pause.delayMs };
  }
  // 403/101 cannot be restored from a keepalive: it counts like any non-final failure.
  const failures = args.previousFailures + 1;
  return { kind: 'failed', failures, lost: failures >= timing.keepaliveFailureThreshold };
}

/**
 * A re-registration deferred for a call (§11 `reconnectPending`): wait while a call is in
 * progress; run once none is (whatever told us: "calls cleared", or the check every event
 * makes); run anyway after `deferredRestoreMaxMs`, so a lost "no calls" never keeps the line
 * unregistered for good.
 */
export function decideDeferredRestore(args: {
  callsActive: boolean;
  since: number;
  now: number;
  timing: Timing;
}): 'wait' | 'run' | 'overdue' {
  if (!args.callsActive) return 'run';
  return args.now - args.since >= args.timing.deferredRestoreMaxMs ? 'overdue' : 'wait';
}
