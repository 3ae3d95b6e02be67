/** Network lost / back (§11 handleConnectionRestoration, without Mercury). */
import type { EngineCore } from './core';
import type { EngineRecord } from './record';
import { startStep } from './steps';

export async function networkLost(core: EngineCore, record: EngineRecord): Promise<void> {
  if (!record.device || record.step) return;
  if (record.state !== 'active' && record.state !== 'reconnecting') return;
  const wasActive = record.state === 'active';
  record.state = 'reconnecting';
  record.keepaliveAt = null;
  // The backstop in case the "online" signal never comes (a worker restarted meanwhile).
  await core.schedule(
    record,
    { kind: 'restore', runAt: 0, reason: 'network' },
    core.deps.timing.networkFlapMs,
  );
  if (wasActive) await core.emit('reconnecting');
}

export async function networkBack(core: EngineCore, record: EngineRecord): Promise<void> {
  if ((await core.intent()) !== 'registered') return;
  if (record.step?.kind === 'restore') {
    record.offlineTries = 0;
    return core.runStep(record);
  }
  if (record.step) return;
  if (record.state === 'reconnecting' && record.device) {
    return core.goTo(record, { kind: 'restore', runAt: 0, reason: 'network' });
  }
  if (record.state === 'inactive' && record.error?.detail?.sdkType === 'service_unavailable') {
    // The retries ran out, probably while offline: try again now that the network is back.
    record.state = 'connecting';
    record.error = null;
    startStep(core, record, { kind: 'register', runAt: 0 });
    await core.commit(record);
    await core.emit('connecting');
    return core.runStep(record);
  }
}
