/** Keepalive (§7): one POST {device.uri}/status per timer, and what each outcome means. */
import { classifyFailure } from '../webex/errors';
import { sendKeepalive } from '../webex/mobius';
import { DUE_SLACK_MS, type EngineCore } from './core';
import { decideKeepalive, keepaliveDelayMs } from './policy';
import type { EngineRecord } from './record';
import { startStep } from './steps';

export async function onKeepaliveTimer(core: EngineCore, record: EngineRecord): Promise<void> {
  const { clock, timing, fetch } = core.deps;
  const device = record.device;
  const now = clock.now();
  const live = device !== null && (record.state === 'active' || record.state === 'reconnecting');
  if (!live) {
    if (record.keepaliveAt !== null) {
      record.keepaliveAt = null;
      await core.commit(record);
    }
    return;
  }
  if (record.step) {
    // A step (e.g. a failback resumed after a kill) owns the line: push the keepalive one interval
    // on, so its timer is armed again if the step ends with this device still registered.
    record.keepaliveAt = now + keepaliveDelayMs(device.keepaliveInterval, timing);
    await core.commit(record);
    return;
  }
  if (record.keepaliveAt === null || record.keepaliveAt > now + DUE_SLACK_MS) return;
  // Arm the next keepalive before sending this one: a kill mid-request loses nothing.
  record.keepaliveAt = now + keepaliveDelayMs(device.keepaliveInterval, timing);
  await core.commit(record);
  const outcome = await core.mobius(device.clientDeviceUri, (auth) =>
    sendKeepalive(fetch, device.uri, auth, { timeoutMs: timing.requestTimeoutMs }),
  );
  const failure = outcome.ok ? null : classifyFailure(outcome.error);
  if (failure) {
    core.deps.log('keepalive', 'Keepalive failed', {
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
      if (!decision.reconnected) return;
      record.keepaliveFailures = 0;
      record.state = 'active';
      await core.commit(record);
      await core.emit('reconnected');
      return;
    case 'pause':
      // 429: a fresh keepalive after Retry-After, counter back to 0.
      record.keepaliveFailures = 0;
      record.keepaliveAt = clock.now() + decision.delayMs;
      record.state = 'reconnecting';
      await core.commit(record);
      await core.emit('reconnecting');
      return;
    case 'failed':
      record.keepaliveFailures = decision.failures;
      record.state = 'reconnecting';
      if (!decision.lost) {
        await core.commit(record);
        await core.emit('reconnecting');
        return;
      }
      record.keepaliveFailures = 0;
      record.keepaliveAt = null;
      record.failbackAt = null;
      // The restore step is persisted with this write: a kill before it runs resumes it.
      startStep(core, record, { kind: 'restore', runAt: 0, reason: 'keepalive' });
      await core.commit(record);
      await core.emit('unregistered');
      return core.runStep(record);
    case 'final':
      if (decision.notFound) {
        // The server no longer knows the device: nothing to delete; register again (§7).
        record.device = null;
        record.keepaliveAt = null;
        record.failbackAt = null;
        record.keepaliveFailures = 0;
        record.state = 'reconnecting';
        record.error = decision.error;
        startStep(core, record, { kind: 'register', runAt: 0 });
        await core.commit(record);
        await core.emit('error', decision.error);
        await core.emit('unregistered');
        return core.runStep(record);
      }
      await core.fail(record, decision.error);
      await core.emit('unregistered');
      return;
  }
}
