/** Failback to a primary within the rehoming window (§11, SDK executeFailback). */
import { ping } from '../webex/mobius';
import type { EngineCore } from './core';
import { failbackDelayMs } from './policy';
import type { EngineRecord, ServerRef } from './record';
import { dropDevices, tryServers } from './rounds';
import { settled } from './steps';
import { retryIntervalSec } from './timing';

export async function stepFailback(core: EngineCore, record: EngineRecord): Promise<void> {
  const { timing, random, fetch, clock } = core.deps;
  const jitter = (min: number, max: number) => random.int(min, max);
  const device = record.device;
  if (!device && record.state === 'reconnecting') {
    // Resumed after a kill between deleting the backup device and registering again.
    return core.goTo(record, { kind: 'restore', runAt: 0, reason: 'resume' });
  }
  // Keepalives failing below the threshold do not stop it: the line is still registered (SDK
  // isFailbackRequired looks at the registration status only), and dropping the failback here
  // would leave the line on the backup until something else re-registers it.
  const registered = record.state === 'active' || record.state === 'reconnecting';
  if (device?.role !== 'backup' || !registered) {
    record.step = null;
    await core.commit(record);
    return;
  }
  const rearm = async () => {
    record.step = null;
    record.failbackAt = clock.now() + failbackDelayMs(record.rehoming, timing, jitter);
    await core.commit(record);
  };
  const prepared = await core.deps.context.prepare();
  if (!prepared.ok) return rearm();
  const context = prepared.context;
  let primaryUp = false;
  for (const url of context.primary) {
    const answer = await core.mobius(device.clientDeviceUri, (auth) =>
      ping(fetch, url, auth, { timeoutMs: timing.requestTimeoutMs }),
    );
    if (answer.ok && answer.status === 200) {
      primaryUp = true;
      break;
    }
  }
  if (!primaryUp) {
    core.deps.log('line', 'Primary Mobius still down; failback deferred');
    return rearm();
  }
  core.deps.log('line', 'Attempting failback to primary.');
  const backup: ServerRef = { url: device.serverUrl, role: device.role };
  record.state = 'reconnecting';
  await dropDevices(core, record);
  await core.emit('unregistered');
  const round = await tryServers(core, record, context, context.primary);
  if (await settled(core, record, round)) return;
  if (round.kind === 'failed' && round.retryAfterSec !== undefined) {
    if (record.failback429Retries < timing.failback429MaxRetries) {
      // §9.2: retry the failback after interval(n), meanwhile stay on the backup.
      record.failback429Retries += 1;
      const delaySec = retryIntervalSec(record.failback429Retries, timing, jitter);
      record.failbackAt = clock.now() + delaySec * timing.secondMs;
    } else {
      record.failback429Retries = 0;
      record.failbackAt = null;
    }
  } else {
    record.failbackAt = null;
  }
  await core.commit(record);
  const back = await tryServers(core, record, context, [backup.url]);
  if (await settled(core, record, back)) return;
  record.failbackAt = null;
  await core.goTo(record, { kind: 'register', runAt: 0 });
}
