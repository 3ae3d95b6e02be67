/**
 * Keepalive (reference §7): one POST {device.uri}/status per interval, and what each answer
 * means. This file answers "what happens on a keepalive 404?" (register again) and every other
 * keepalive outcome; the decision itself is `decideKeepalive` in policy.ts.
 */
import { classifyFailure } from '../webex/errors';
import type { Outcome } from '../webex/http';
import { startAttempt } from './attempt';
import { restoreOrDefer } from './deferred-restore';
import type { Effects, TransitionContext } from './events';
import { decideKeepalive, keepaliveDelayMs } from './policy';
import { type EngineRecord, registeredDevice } from './record';
import { send, toInactive } from './states';

/** A timer fired within this much of its deadline counts as due (alarms are not exact). */
export const DUE_SLACK_MS = 1000;

export function onKeepaliveTimer(record: EngineRecord, ctx: TransitionContext, out: Effects) {
  const { now, timing } = ctx;
  const device = registeredDevice(record);
  // No device, or one whose re-registration waits for a call (its keepalives have stopped).
  if (!device || record.restorePending) {
    record.keepaliveAt = null;
    return;
  }
  const interval = keepaliveDelayMs(device.keepaliveInterval, timing);
  if (record.flow || record.pending) {
    // Something else owns the line (a failback, a request in flight): one interval on, so the
    // timer is armed again if that work ends with this device still registered.
    record.keepaliveAt = now + interval;
    return;
  }
  if (record.keepaliveAt === null || record.keepaliveAt > now + DUE_SLACK_MS) return;
  const lateMs = now - record.keepaliveAt;
  if (lateMs > timing.overdueToleranceMs) {
    // The worker slept or the alarm was late: the server may have dropped the device. Never
    // registered on faith: reconnecting until this keepalive answers.
    out.log('timer', 'Keepalive timer fired late; confirming the registration now', { lateMs });
    unconfirmed(record, out);
  }
  sendKeepalive(record, ctx, out);
}

/** Not confirmed in time: `reconnecting` until the next keepalive answers (then `reconnected`). */
export function unconfirmed(record: EngineRecord, out: Effects) {
  if (record.state !== 'active') return;
  record.state = 'reconnecting';
  out.emit('reconnecting');
}

/** Confirm the registration now (a keepalive), and arm the next one first. */
export function sendKeepalive(record: EngineRecord, ctx: TransitionContext, out: Effects) {
  const device = registeredDevice(record);
  if (!device) return;
  record.keepaliveAt = ctx.now + keepaliveDelayMs(device.keepaliveInterval, ctx.timing);
  send(record, ctx, out, {
    tag: 'keepalive',
    deviceUri: device.uri,
    clientDeviceUri: device.clientDeviceUri,
  });
}

export function onKeepaliveOutcome(
  record: EngineRecord,
  outcome: Outcome<unknown>,
  ctx: TransitionContext,
  out: Effects,
) {
  const device = registeredDevice(record);
  if (!device) return;
  const { now, timing } = ctx;
  const failure = outcome.ok ? null : classifyFailure(outcome.error);
  if (failure) {
    out.log('keepalive', 'Keepalive failed', {
      status: failure.httpStatus,
      sdkType: failure.row.sdkType,
      detail: failure.detail,
      failures: record.keepaliveFailures + 1,
    });
  }
  const decision = decideKeepalive({
    failure,
    previousFailures: record.keepaliveFailures,
    wasReconnecting: record.state === 'reconnecting',
    intervalSec: device.keepaliveInterval,
    timing,
  });
  switch (decision.kind) {
    case 'ok':
      record.confirmedAt = now;
      if (!decision.reconnected) return;
      record.keepaliveFailures = 0;
      record.state = 'active';
      out.emit('reconnected');
      return;
    case 'pause':
      // 429: the next keepalive after Retry-After plus one interval; the failure count stays.
      record.keepaliveAt = now + decision.delayMs;
      record.state = 'reconnecting';
      out.emit('reconnecting');
      return;
    case 'failed':
      record.state = 'reconnecting';
      if (!decision.lost) {
        record.keepaliveFailures = decision.failures;
        out.emit('reconnecting');
        return;
      }
      // Threshold reached: the old device is deleted, the last server tried first (§11), once
      // no call is in progress on it (SDK reconnectOnFailure: `reconnectPending` until then).
      record.keepaliveFailures = 0;
      out.emit('unregistered');
      restoreOrDefer(record, 'keepalive', ctx, out);
      return;
    case 'superseded':
      // Stop at once, no re-registration loop, and no DELETE: the server already ended our
      // device (asking again about it is what a client told it is gone must not do).
      out.log('keepalive', 'The line was registered in another client; stopping');
      record.device = null;
      toInactive(record, out, decision.error, 'unregistered');
      record.wanted = false;
      return;
    case 'final':
      if (decision.notFound) {
        // The server no longer knows the device: nothing to delete; register again (§7).
        record.device = null;
        record.keepaliveFailures = 0;
        record.state = 'reconnecting';
        record.error = decision.error;
        out.emit('error', decision.error);
        out.emit('unregistered');
        startAttempt(record, { kind: 'register' }, true);
        return;
      }
      toInactive(record, out, decision.error);
      out.emit('unregistered');
      return;
  }
}
