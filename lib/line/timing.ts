/**
 * Every timing constant in one place. SDK values (reference/mobius-registration.md §10, 3.12.0)
 * are kept in their SDK units (seconds / minutes) and converted with `secondMs` / `minuteMs`, so
 * tests and the emulator demo can compress time by shrinking one unit, or override any constant.
 */
export interface Timing {
  /** Length of an SDK "second" in ms (1000; tests and demos shrink it). */
  secondMs: number;
  /** Length of an SDK "minute" in ms (60000): rehoming intervals are in minutes. */
  minuteMs: number;

  /** BASE_REG_RETRY_TIMER_VAL_IN_SEC: base retry delay, also the minimum worth scheduling. */
  baseRetrySec: number;
  /** BASE_REG_TIMER_MFACTOR: retry delay grows by factor^attempt. */
  retryFactor: number;
  /** Jitter added to a retry delay: a whole number of seconds in [min, max] (SDK 1-10). */
  retryJitterMinSec: number;
  retryJitterMaxSec: number;
  /** REG_TRY_BACKUP_TIMER_VAL_IN_SEC: time on primaries before backups. */
  tryBackupAfterSec: number;
  /** RETRY_TIMER_UPPER_LIMIT: Retry-After threshold in the restore logic. */
  retryAfterUpperLimitSec: number;
  /** REG_FAILBACK_429_MAX_RETRIES. */
  failback429MaxRetries: number;
  /** DEFAULT_KEEPALIVE_INTERVAL (used when Mobius sends none, e.g. the restore path). */
  defaultKeepaliveSec: number;
  /** DEFAULT_REHOMING_INTERVAL_MIN / MAX, in minutes. */
  defaultRehomingMinMin: number;
  defaultRehomingMaxMin: number;
  /** Consecutive keepalive failures before the line is considered lost (5; contact center 4). */
  keepaliveFailureThreshold: number;
  /** NETWORK_FLAP_TIMEOUT: first wait before re-registering while the network looks down. */
  networkFlapMs: number;

  // Extension-specific (not SDK constants).
  /** Longest wait between re-register attempts while the network stays down (doubles up to it). */
  offlineRetryMaxMs: number;
  /** Back-off waits after a transient discovery failure (5xx, 429) before the final error. */
  discoveryRetries: number;
  /**
   * One request's whole life (token refresh, the call, a replay after a 401): past it, the
   * interpreter takes it as "did not answer" and moves on. Discovery (several calls) has its own.
   */
  requestDeadlineMs: number;
  prepareDeadlineMs: number;
  /** The watchdog timer wakes a worker this long after a request's deadline (it died mid-request). */
  watchdogSlackMs: number;
  /** One engine task (load, transition, save, timers, events): past it, it is abandoned. */
  taskDeadlineMs: number;
  /**
   * A keepalive this much past its time was not sent (the worker slept, an alarm was late): the
   * line is shown `reconnecting` until the next keepalive answers, and the late timer is logged.
   */
  overdueToleranceMs: number;
  /** Floor for the keepalive period (packed Chrome alarms cannot fire sooner than 30 s). */
  minKeepaliveMs: number;
  /** How long cached discovery (catalog, Mobius servers) is trusted. */
  discoveryTtlMs: number;
  /**
   * The engine's own timer (`line:reconcile`): how often it re-derives what must exist from the
   * record and repairs it. 30 s is Chrome's minimum alarm for packed extensions, the keepalive
   * interval Mobius sends (so it mostly coincides with a wake that happens anyway), and far
   * inside the ~150 s Mobius keeps a device without keepalives: a lost timer or a failed write
   * costs one keepalive, never the line. Shorter would only add wake-ups.
   */
  reconcileMs: number;
  /**
   * How long the engine waits for "are calls active?" before each transition; past it, the
   * answer is "no" (interpreter.ts says why). The calls view is a memory read after the worker's
   * first (a store read, itself under the store's 5 s deadline): 2 s is ample and keeps the
   * engine's task (15 s) free for its own work.
   */
  callsReadDeadlineMs: number;
  /**
   * A re-registration deferred because a call is in progress (SDK `reconnectPending`) runs
   * anyway this long after it was deferred, in case "no calls" is never seen (a stored calls view
   * that still lists a call the offscreen document lost). Two hours: longer than nearly every
   * call (so a real one is almost never cut), while bounding how long a stale view can keep the
   * line unregistered (it cannot ring meanwhile). The normal ways out, "calls cleared" and the
   * check on every event (the engine's 30 s timer included), come far sooner.
   */
  deferredRestoreMaxMs: number;

  // The token manager's (lib/auth AuthTiming): kept here so one object times everything.
  /** Refresh when this fraction of the access token's lifetime remains... */
  tokenRefreshFraction: number;
  /** ...but at least this long before expiry (never more than half the lifetime). */
  tokenRefreshMinLeadMs: number;
  /** Treat a token this close to expiry as expired before using it. */
  tokenExpirySkewMs: number;
  /** Retry a refresh that failed for a transient reason (network, 5xx) after this long. */
  tokenRetryMs: number;
  /** One HTTP request (headers and body). */
  requestTimeoutMs: number;
}

export const DEFAULT_TIMING: Timing = {
  secondMs: 1000,
  minuteMs: 60_000,
  baseRetrySec: 30,
  retryFactor: 2,
  retryJitterMinSec: 1,
  retryJitterMaxSec: 10,
  tryBackupAfterSec: 114,
  retryAfterUpperLimitSec: 60,
  failback429MaxRetries: 5,
  defaultKeepaliveSec: 30,
  defaultRehomingMinMin: 60,
  defaultRehomingMaxMin: 120,
  keepaliveFailureThreshold: 5,
  networkFlapMs: 5000,

  offlineRetryMaxMs: 60_000,
  // 5 + 10 + 20 + 40 + 60 s: a couple of minutes of outage heals on its own.
  discoveryRetries: 5,
  requestDeadlineMs: 60_000,
  prepareDeadlineMs: 120_000,
  watchdogSlackMs: 5_000,
  taskDeadlineMs: 15_000,
  overdueToleranceMs: 10_000,
  // The keepalive interval Mobius sends (30 s) already meets Chrome's packed-alarm minimum; the
  // scheduler adapter clamps alarms anyway, so no extra floor by default.
  minKeepaliveMs: 0,
  discoveryTtlMs: 24 * 60 * 60 * 1000,
  reconcileMs: 30_000,
  callsReadDeadlineMs: 2_000,
  deferredRestoreMaxMs: 2 * 60 * 60 * 1000,

  tokenRefreshFraction: 0.1,
  tokenRefreshMinLeadMs: 60_000,
  tokenExpirySkewMs: 10_000,
  tokenRetryMs: 60_000,
  requestTimeoutMs: 20_000,
};

export function resolveTiming(overrides?: Partial<Timing>): Timing {
  return { ...DEFAULT_TIMING, ...overrides };
}

/** SDK `getRegRetryInterval(n)`: 30 + 2^n + jitter(1..10) seconds. */
export function retryIntervalSec(
  attempt: number,
  timing: Timing,
  jitter: (min: number, max: number) => number,
): number {
  return (
    timing.baseRetrySec +
    timing.retryFactor ** attempt +
    jitter(timing.retryJitterMinSec, timing.retryJitterMaxSec)
  );
}
