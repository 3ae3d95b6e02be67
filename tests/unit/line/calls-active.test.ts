/**
 * The engine and calls in progress (reference/mobius-registration.md §11): a failback or a
 * re-registration would delete the device a call uses, so each waits for the calls to end, as
 * the SDK does (failback timer re-armed; `reconnectPending` until "all calls cleared"). And the
 * wait is bounded: a lost "calls cleared" costs at most one engine period, a stuck calls view at
 * most `deferredRestoreMaxMs`.
 */
import { describe, expect, it } from 'vitest';
import { decideDeferredRestore } from '../../../lib/line/policy';
import { type EngineRecord, RECORD_KEY } from '../../../lib/line/record';
import { DEFAULT_TIMING, type Timing } from '../../../lib/line/timing';
import { BACKUP, PRIMARY } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';
import { must } from '../fakes/must';

const PING = 'https://mobius-p1.webex.test/api/v1/ping';
const STATUS = /\/devices\/[^/]+\/status$/;
const MINUTE = 60_000;

/** A harness whose calls view the test controls (`calls.active`). */
function withCalls(options: { timing?: Partial<Timing>; read?: () => Promise<boolean> } = {}): {
  h: Harness;
  calls: { active: boolean };
} {
  const calls = { active: false };
  const h = new Harness({
    timing: options.timing,
    callsActive: options.read ?? (async () => calls.active),
  });
  return { h, calls };
}

const logged = (h: Harness, text: string) =>
  h.diagnostics.some((entry) => entry.message.includes(text));

const mobiusCalls = (h: Harness) =>
  h.http.calls
    .filter((c) => c.url.includes('mobius') && !STATUS.test(c.url))
    .map((c) => `${c.method} ${c.url}`);

const record = async (h: Harness) => must(await h.store.get<EngineRecord>(RECORD_KEY));

/** Registered on the backup because the primary answered 503 until the failover reached it. */
async function onBackup(options: Parameters<typeof withCalls>[0] = {}) {
  const rig = withCalls(options);
  const { h } = rig;
  h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
  await h.signIn();
  await h.service.register();
  await h.advance(107_000);
  if ((await h.service.snapshot()).server?.role !== 'backup') throw new Error('not on the backup');
  h.http.calls.length = 0;
  return rig;
}

/** Registered, then five keepalives fail while a call is in progress: the restore waits. */
async function lostDuringCall() {
  const rig = withCalls();
  const { h, calls } = rig;
  await h.registered();
  const device = must([...h.cloud.devices.keys()][0]);
  const mark = h.mark();
  calls.active = true;
  h.cloud.fault('keepalive', json(503), { times: 5 });
  await h.advance(150_000);
  return { ...rig, device, mark };
}

describe('failback while a call is in progress', () => {
  it('no ping, no DELETE, no POST: the timer is re-armed; after the call the next one fails back', async () => {
    const { h, calls } = await onBackup();
    const due = must(h.scheduler.at('line:failback'));
    const [backupDevice] = [...h.cloud.devices.keys()];
    calls.active = true;
    await h.advance(60 * MINUTE);
    expect(mobiusCalls(h)).toEqual([]);
    expect(h.scheduler.at('line:failback')).toBe(due + 60 * MINUTE);
    expect(logged(h, 'Failback deferred: a call is in progress')).toBe(true);
    expect(await h.service.snapshot()).toMatchObject({
      state: 'active',
      server: { url: BACKUP, role: 'backup' },
    });
    // The backup keeps the line confirmed meanwhile.
    expect(h.http.count('POST', STATUS)).toBeGreaterThan(100);

    calls.active = false;
    await h.advance(60 * MINUTE);
    expect(mobiusCalls(h)).toEqual([
      `GET ${PING}`,
      `DELETE ${BACKUP}devices/${backupDevice}`,
      `POST ${PRIMARY}device`,
    ]);
    expect((await h.service.snapshot()).server).toEqual({ url: PRIMARY, role: 'primary' });
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a call that starts while the primary is pinged: no DELETE, the timer re-armed', async () => {
    const { h, calls } = await onBackup();
    h.http.on(
      'GET',
      PING,
      () => {
        calls.active = true;
        return json(200);
      },
      1,
    );
    await h.advance(60 * MINUTE);
    expect(mobiusCalls(h)).toEqual([`GET ${PING}`]);
    expect(h.scheduler.at('line:failback')).toBe(h.clock.now() + 60 * MINUTE);
    expect((await h.service.snapshot()).server?.role).toBe('backup');
  });
});

describe('re-registration after the keepalive threshold while a call is in progress', () => {
  it('waits for the call (not shown registered), then callsCleared re-registers one device', async () => {
    const { h, calls, device, mark } = await lostDuringCall();
    expect(h.events(mark)).toEqual([
      'reconnecting',
      'reconnecting',
      'reconnecting',
      'reconnecting',
      'unregistered',
    ]);
    const waiting = async () => {
      const snap = await h.service.snapshot();
      expect(snap).toMatchObject({
        state: 'reconnecting',
        display: 'reconnecting',
        server: { url: PRIMARY, role: 'primary' },
      });
      // The call's device stays the line's: the calls document is not told of a new one. The
      // line's status is the SDK's after the threshold.
      expect(snap.line).toMatchObject({ mobiusDeviceId: device, status: 'inactive' });
    };
    await waiting();
    expect(logged(h, 'Re-registration deferred: a call is in progress')).toBe(true);

    // A long call: no keepalive, no DELETE, no registration all along.
    const statusBefore = h.http.count('POST', STATUS);
    await h.advance(45 * MINUTE);
    await waiting();
    expect(h.http.count('POST', STATUS)).toBe(statusBefore);
    expect(mobiusCalls(h)).toEqual([]);
    expect(h.scheduler.deadlines.has('line:keepalive')).toBe(false);
    expect(h.scheduler.deadlines.has('line:reconcile')).toBe(true);

    calls.active = false;
    await h.service.callsCleared();
    await h.service.whenIdle();
    expect(mobiusCalls(h)).toEqual([`DELETE ${PRIMARY}devices/${device}`, `POST ${PRIMARY}device`]);
    expect(h.events(mark).slice(5)).toEqual(['registered']);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
    expect(h.cloud.devices.has(device)).toBe(false);
    expect((await record(h)).restorePending).toBeNull();
  });

  it('callsCleared while another call has begun: the restore still waits', async () => {
    const { h } = await lostDuringCall();
    // The view still lists a call (a second one rang in as the first ended).
    await h.service.callsCleared();
    await h.service.whenIdle();
    expect(mobiusCalls(h)).toEqual([]);
    expect(await h.state()).toBe('reconnecting');
    expect(logged(h, 'a call is in progress again')).toBe(true);
  });

  it('without a call, the threshold re-registers at once (as before)', async () => {
    const { h } = withCalls();
    await h.registered();
    h.cloud.fault('keepalive', json(503), { times: 5 });
    await h.advance(150_000);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1);
    expect(await h.state()).toBe('active');
  });

  it('survives a worker restart: the record keeps the deferred restore', async () => {
    const { h, calls, device } = await lostDuringCall();
    expect((await record(h)).restorePending).toEqual({
      reason: 'keepalive',
      since: expect.any(Number),
    });
    h.restart();
    await h.startup('workerWake');
    await h.advance(10 * MINUTE);
    expect(mobiusCalls(h)).toEqual([]);
    expect(await h.state()).toBe('reconnecting');
    expect((await h.service.snapshot()).line?.mobiusDeviceId).toBe(device);

    calls.active = false;
    await h.service.callsCleared();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('the user deregisters meanwhile: the device goes, nothing is left waiting', async () => {
    const { h, calls, device } = await lostDuringCall();
    await h.service.deregister();
    expect(mobiusCalls(h)).toEqual([`DELETE ${PRIMARY}devices/${device}`]);
    expect((await record(h)).restorePending).toBeNull();
    calls.active = false;
    await h.service.callsCleared();
    await h.advance(5 * MINUTE);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(0);
    expect(await h.state()).toBe('idle');
  });
});

describe('the "calls cleared" signal is lost', () => {
  it('the next engine timer runs the restore once no call is in progress', async () => {
    const { h, calls } = await lostDuringCall();
    await h.advance(5 * MINUTE);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(0);
    calls.active = false; // the document ended the call, its report never arrived
    await h.advance(DEFAULT_TIMING.reconcileMs);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1);
    expect(await h.state()).toBe('active');
    expect(logged(h, 'No call in progress any more: re-registering')).toBe(true);
  });

  it('a worker woken after the call ended runs it at once', async () => {
    const { h, calls } = await lostDuringCall();
    calls.active = false;
    h.restart();
    await h.startup('workerWake');
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a call that never seems to end: re-registered anyway after the maximum wait', async () => {
    const { h } = await lostDuringCall();
    const since = must((await record(h)).restorePending).since;
    await h.advance(DEFAULT_TIMING.deferredRestoreMaxMs - MINUTE);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(0);
    expect(await h.state()).toBe('reconnecting');
    await h.advance(MINUTE + DEFAULT_TIMING.reconcileMs);
    const posted = h.http.times('POST', `${PRIMARY}device`, since);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toBeGreaterThanOrEqual(DEFAULT_TIMING.deferredRestoreMaxMs);
    expect(posted[0]).toBeLessThanOrEqual(
      DEFAULT_TIMING.deferredRestoreMaxMs + DEFAULT_TIMING.reconcileMs,
    );
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
    expect(logged(h, 'after the maximum wait')).toBe(true);
  });
});

describe('network back during a call', () => {
  it('the restore waits for the call, then runs', async () => {
    const { h, calls } = withCalls();
    await h.registered();
    const device = must([...h.cloud.devices.keys()][0]);
    calls.active = true;
    await h.service.onNetwork(false);
    // The offline backstop's timer (NETWORK_FLAP_TIMEOUT) comes and goes: the device stays.
    await h.advance(DEFAULT_TIMING.networkFlapMs);
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(mobiusCalls(h)).toEqual([]);
    expect((await h.service.snapshot()).line?.mobiusDeviceId).toBe(device);
    expect((await record(h)).restorePending?.reason).toBe('network');
    calls.active = false;
    await h.service.callsCleared();
    await h.service.whenIdle();
    expect(mobiusCalls(h)).toEqual([`DELETE ${PRIMARY}devices/${device}`, `POST ${PRIMARY}device`]);
    expect(await h.state()).toBe('active');
  });
});

describe('reading whether calls are active', () => {
  it('a read that fails counts as no call (the failback runs)', async () => {
    const { h } = await onBackup({ read: async () => Promise.reject(new Error('closed')) });
    await h.advance(60 * MINUTE);
    expect((await h.service.snapshot()).server?.role).toBe('primary');
    expect(logged(h, 'Calls in progress unknown (failed)')).toBe(true);
  });

  it('a read that hangs counts as no call after its deadline', async () => {
    let hangs = 0;
    const { h } = await onBackup({
      timing: { callsReadDeadlineMs: 5 },
      read: () => {
        if (hangs === 0) return Promise.resolve(false);
        hangs -= 1;
        return new Promise<boolean>(() => {});
      },
    });
    // The failback timer's own transition waits on the read (real time: no `advance` here).
    const due = must(h.scheduler.at('line:failback'));
    h.clock.set(due);
    hangs = 1;
    await h.service.onTimer('line:failback');
    await h.service.whenIdle();
    expect(h.http.count('GET', PING)).toBe(1);
    expect((await h.service.snapshot()).server?.role).toBe('primary');
    expect(logged(h, 'Calls in progress unknown (late)')).toBe(true);
  });
});

describe('decideDeferredRestore', () => {
  const timing = DEFAULT_TIMING;
  it.each([
    [false, 0, 'run'],
    [true, 0, 'wait'],
    [true, timing.deferredRestoreMaxMs - 1, 'wait'],
    [true, timing.deferredRestoreMaxMs, 'overdue'],
    [false, timing.deferredRestoreMaxMs * 2, 'run'],
  ] as const)('calls active %s, waited %i ms: %s', (callsActive, waited, expected) => {
    expect(decideDeferredRestore({ callsActive, since: 1_000, now: 1_000 + waited, timing })).toBe(
      expected,
    );
  });
});
