import { describe, expect, it } from 'vitest';
import {
  decideKeepalive,
  failbackDelayMs,
  keepaliveDelayMs,
  lastBackupDelaySec,
  offlineRetryDelayMs,
  planFailover,
  planRestoreAfter429,
} from '../../../lib/line/policy';
import { DEFAULT_TIMING, resolveTiming, retryIntervalSec } from '../../../lib/line/timing';
import { classifyFailure } from '../../../lib/webex/errors';

const low = (min: number) => min;
const high = (_min: number, max: number) => max;
const timing = DEFAULT_TIMING;

describe('timing constants', () => {
  it('holds the SDK 3.12.0 defaults', () => {
    expect(timing).toMatchObject({
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
    });
    expect(resolveTiming({ secondMs: 10 }).secondMs).toBe(10);
  });

  it('computes interval(n) = 30 + 2^n + jitter(1..10)', () => {
    expect([1, 2, 3, 4].map((n) => retryIntervalSec(n, timing, low))).toEqual([33, 35, 39, 47]);
    expect([1, 2, 3, 4].map((n) => retryIntervalSec(n, timing, high))).toEqual([42, 44, 48, 56]);
  });
});

describe('planFailover', () => {
  const plan = (
    attempt: number,
    elapsedSec: number,
    extra: { retryAfterSec?: number; hasBackups?: boolean } = {},
  ) =>
    planFailover({
      attempt,
      elapsedSec,
      hasBackups: extra.hasBackups ?? true,
      retryAfterSec: extra.retryAfterSec,
      timing,
      jitter: low,
    });

  it('retries the primaries while under 114 s, then goes to the backups', () => {
    expect(plan(1, 0)).toEqual({ kind: 'retryPrimaries', delaySec: 33 });
    expect(plan(2, 33)).toEqual({ kind: 'retryPrimaries', delaySec: 35 });
    // 68 + 39 = 107 <= 114
    expect(plan(3, 68)).toEqual({ kind: 'retryPrimaries', delaySec: 39 });
    // 107 + 47 > 114: cut to 7 s, not worth waiting: backups.
    expect(plan(4, 107)).toEqual({ kind: 'tryBackups' });
  });

  it('cuts the last wait to end at 114 s', () => {
    expect(plan(3, 80)).toEqual({ kind: 'retryPrimaries', delaySec: 34 });
  });

  it('ends in the final error without backups', () => {
    expect(plan(4, 107, { hasBackups: false })).toEqual({ kind: 'final' });
  });

  it('waits at least Retry-After', () => {
    expect(plan(1, 0, { retryAfterSec: 50 })).toEqual({ kind: 'retryPrimaries', delaySec: 50 });
  });

  it('goes to the backups at once when Retry-After would pass 114 s', () => {
    expect(plan(1, 0, { retryAfterSec: 120 })).toEqual({ kind: 'tryBackups' });
    expect(plan(2, 60, { retryAfterSec: 60 })).toEqual({ kind: 'tryBackups' });
  });

  it('waits before the last backup try, stretched to a Retry-After under 60 s', () => {
    expect(lastBackupDelaySec(undefined, timing, low)).toBe(33);
    expect(lastBackupDelaySec(45, timing, low)).toBe(45);
    expect(lastBackupDelaySec(90, timing, low)).toBe(33);
  });
});

describe('planRestoreAfter429', () => {
  it('restarts after a short Retry-After', () => {
    expect(
      planRestoreAfter429({ retryAfterSec: 20, lastWasPrimary: true, hasBackups: true, timing }),
    ).toEqual({ kind: 'restartAfter', delaySec: 20 });
  });
  it('tries the backups now after a long one on a primary', () => {
    expect(
      planRestoreAfter429({ retryAfterSec: 60, lastWasPrimary: true, hasBackups: true, timing }),
    ).toEqual({ kind: 'tryBackups' });
  });
  it('restarts now otherwise', () => {
    expect(
      planRestoreAfter429({ retryAfterSec: 90, lastWasPrimary: false, hasBackups: true, timing }),
    ).toEqual({ kind: 'restartNow' });
    expect(
      planRestoreAfter429({ retryAfterSec: 90, lastWasPrimary: true, hasBackups: false, timing }),
    ).toEqual({ kind: 'restartNow' });
  });
});

describe('other delays', () => {
  it('backs off while offline, capped', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => offlineRetryDelayMs(n, timing))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
  });
  it('picks whole minutes in the rehoming window', () => {
    expect(failbackDelayMs(null, timing, low)).toBe(60 * 60_000);
    expect(failbackDelayMs(null, timing, high)).toBe(120 * 60_000);
    expect(failbackDelayMs({ min: 90, max: 180 }, timing, high)).toBe(180 * 60_000);
  });
  it('converts the keepalive interval, with an optional floor', () => {
    expect(keepaliveDelayMs(30, timing)).toBe(30_000);
    expect(keepaliveDelayMs(1, resolveTiming({ minKeepaliveMs: 30_000 }))).toBe(30_000);
  });
});

describe('decideKeepalive', () => {
  const http = (status: number, body?: unknown, retryAfter?: number) =>
    classifyFailure({ kind: 'http', status, body, retryAfter, message: '' });
  const decide = (
    failure: ReturnType<typeof http> | null,
    previousFailures = 0,
    wasReconnecting = false,
  ) => decideKeepalive({ failure, previousFailures, wasReconnecting, intervalSec: 30, timing });

  it('reports reconnected only after failures', () => {
    expect(decide(null)).toEqual({ kind: 'ok', reconnected: false });
    expect(decide(null, 2, true)).toEqual({ kind: 'ok', reconnected: true });
  });
  it('counts non-final failures up to the threshold of 5', () => {
    expect(decide(http(503), 0)).toEqual({ kind: 'failed', failures: 1, lost: false });
    expect(decide(http(500), 3)).toEqual({ kind: 'failed', failures: 4, lost: false });
    expect(decide(classifyFailure({ kind: 'network', message: '' }), 4)).toEqual({
      kind: 'failed',
      failures: 5,
      lost: true,
    });
    expect(decide(http(403), 0)).toMatchObject({ kind: 'failed' });
    expect(decide(http(403, { errorCode: 101 }), 0)).toMatchObject({ kind: 'failed' });
  });
  it('stops on final errors; 404 re-registers', () => {
    expect(decide(http(404))).toMatchObject({
      kind: 'final',
      notFound: true,
      error: { msg: 'Device not found.' },
    });
    expect(decide(http(400))).toMatchObject({ kind: 'final', notFound: false });
    expect(decide(http(401))).toMatchObject({ kind: 'final', error: { type: 'tokenError' } });
    expect(decide(http(403, { errorCode: 102 }))).toMatchObject({ kind: 'final' });
  });
  it('pauses for Retry-After plus one interval on 429 (a Retry-After of 0 is not "at once")', () => {
    expect(decide(http(429, undefined, 12))).toEqual({ kind: 'pause', delayMs: 42_000 });
    expect(decide(http(429, undefined, 0))).toEqual({ kind: 'pause', delayMs: 30_000 });
    expect(decide(http(429))).toEqual({ kind: 'pause', delayMs: 30_000 });
  });
});
