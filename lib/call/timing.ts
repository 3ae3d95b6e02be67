/**
 * The call timers (SDK 3.12.0, reference/mobius-calls.md §4-§6) and the deadlines a record
 * implies. Timers are derived from the record, never stored, so the interpreter only has to make
 * its timer port hold exactly these.
 */
import type { CallRecord, TimerName } from './types';

export interface CallTiming {
  /** S_SEND_CALL_PROGRESS: an unanswered incoming call is timed out after 60 s. */
  ringMs: number;
  /** S_SEND_CALL_CONNECT: Answer to established (mic, ICE ≤3 s, ROAP OK) within 10 s. */
  connectMs: number;
  /** DEFAULT_SESSION_TIMER: `POST …/status` every 10 min while connected. */
  keepaliveMs: number;
  /** Retry delay after a 500/503 on the keepalive without Retry-After. */
  keepaliveRetryMs: number;
  /** MAX_CALL_KEEPALIVE_RETRY_COUNT. */
  keepaliveMaxRetries: number;
  /** S_SEND_CALL_SETUP: the setup POST sent, progress or connect due within 10 s. */
  setupMs: number;
  /** S_RECV_CALL_PROGRESS: the callee rings at most 60 s (each progress restarts it). */
  progressMs: number;
  /** SUPPLEMENTARY_SERVICES_TIMEOUT: hold/resume confirmed (`midCallService`) within 10 s. */
  holdMs: number;
}

export const CALL_TIMING: CallTiming = {
  ringMs: 60_000,
  connectMs: 10_000,
  keepaliveMs: 600_000,
  keepaliveRetryMs: 30_000,
  keepaliveMaxRetries: 4,
  setupMs: 10_000,
  progressMs: 60_000,
  holdMs: 10_000,
};

/**
 * Development builds: the call timers from the stored timing overrides (`dev/timing`), so the
 * end-to-end suite can see a ring timeout or a call keepalive in seconds. Unknown keys and
 * anything but a positive number are ignored.
 */
export const CALL_TIMING_OVERRIDES: Readonly<Record<string, keyof CallTiming>> = {
  callRingMs: 'ringMs',
  callConnectMs: 'connectMs',
  callKeepaliveMs: 'keepaliveMs',
  callKeepaliveRetryMs: 'keepaliveRetryMs',
  callKeepaliveMaxRetries: 'keepaliveMaxRetries',
  callSetupMs: 'setupMs',
  callProgressMs: 'progressMs',
  callHoldMs: 'holdMs',
};

export function callTimingFrom(overrides: Record<string, unknown> | undefined): CallTiming {
  const timing = { ...CALL_TIMING };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    const name = Object.hasOwn(CALL_TIMING_OVERRIDES, key) ? CALL_TIMING_OVERRIDES[key] : undefined;
    if (name && typeof value === 'number' && Number.isFinite(value) && value > 0)
      timing[name] = value;
  }
  return timing;
}

export function deadlinesOf(
  record: CallRecord,
  timing: CallTiming = CALL_TIMING,
): Partial<Record<TimerName, number>> {
  switch (record.state) {
    case 'ringing':
      return { ring: record.ringingSince + timing.ringMs };
    case 'answering':
      return { connect: (record.answeringSince ?? record.ringingSince) + timing.connectMs };
    case 'dialing':
    case 'releasing':
      // Before the setup POST the media deadlines of the interpreter bound the wait.
      return record.setupSentAt === null ? {} : { setup: record.setupSentAt + timing.setupMs };
    case 'ringback':
      return { progress: (record.progressAt ?? record.ringingSince) + timing.progressMs };
    case 'connecting':
      return { connect: (record.remoteConnectedAt ?? record.ringingSince) + timing.connectMs };
    case 'connected': {
      const deadlines: Partial<Record<TimerName, number>> = {};
      if (record.holdWaitFrom !== null) deadlines.hold = record.holdWaitFrom + timing.holdMs;
      if (!record.keepaliveStopped && record.keepaliveFrom !== null)
        deadlines.keepalive = record.keepaliveRetryAt ?? record.keepaliveFrom + timing.keepaliveMs;
      return deadlines;
    }
    case 'ended':
      return {};
  }
}
