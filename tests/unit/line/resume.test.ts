/**
 * A service worker can be killed at any point. Each test stops the current instance mid-flight
 * (its request never answers), builds a new one over the same Store and Scheduler, and checks
 * the line ends registered (or as the user chose) with at most one device at the server.
 */
import { describe, expect, it, vi } from 'vitest';
import { type EngineRecord, RECORD_KEY } from '../../../lib/line/record';
import { DEFAULT_TIMING } from '../../../lib/line/timing';
import { BACKUP, PRIMARY, USER_UUID, WDM_BASE } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';
import { must } from '../fakes/must';

/** A request in flight when its worker died is given up this long after it was sent. */
const WATCHDOG = DEFAULT_TIMING.requestDeadlineMs + DEFAULT_TIMING.watchdogSlackMs;

/** Let the server handle the request, but never deliver the answer: the worker dies meanwhile. */
const processedThenKilled =
  (h: Harness) => async (req: Parameters<Harness['cloud']['handle']>[0]) => {
    await h.cloud.handle(req);
    return 'hang' as const;
  };

/**
 * A worker killed after the server created the device but before it heard the answer, then
 * started again over the same store and scheduler.
 */
async function killedAfterRegistrationPost(): Promise<Harness> {
  const h = new Harness();
  await h.signIn();
  h.http.on('POST', `${PRIMARY}device`, processedThenKilled(h), 1);
  await h.service.register();
  await vi.waitFor(() => expect(h.cloud.devices.size).toBe(1));
  h.restart();
  return h;
}

describe('resuming after a kill', () => {
  it('mid registration POST: the watchdog timer cleans up our device and registers once', async () => {
    const h = await killedAfterRegistrationPost();
    h.http.calls.length = 0;
    await h.advance(WATCHDOG);
    const calls = h.http.calls.map((c) => `${c.method} ${c.url}`);
    expect(calls[0]).toBe(`GET ${PRIMARY}devices?userid=${USER_UUID}`);
    expect(calls[1]).toMatch(new RegExp(`^DELETE ${PRIMARY}devices/dev-`));
    expect(calls[2]).toBe(`POST ${PRIMARY}device`);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('mid registration POST: a worker wake resumes at once', async () => {
    const h = await killedAfterRegistrationPost();
    await h.startup('workerWake');
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
    const line = (await h.service.snapshot()).line;
    expect(line?.mobiusDeviceId).toBe([...h.cloud.devices.keys()][0]);
  });

  it('mid registration POST, then a sign-out: the next registration deletes the device the lost POST made as the old WDM device (simulation seed 362)', async () => {
    const h = await killedAfterRegistrationPost();
    const [lost] = [...h.cloud.devices.keys()];
    await h.service.signOut();
    await h.service.whenIdle();
    await h.advance(WATCHDOG);
    await h.signIn();
    await h.service.register();
    await h.advance(WATCHDOG);
    expect(await h.state()).toBe('active');
    // Before: two devices at Mobius, the lost one (listed under the old WDM device) kept.
    expect([...h.cloud.devices.keys()]).not.toContain(lost);
    expect(h.cloud.devices.size).toBe(1);
  });

  it('mid registration POST that the server never saw: registers once', async () => {
    const h = new Harness();
    await h.signIn();
    h.http.on('POST', `${PRIMARY}device`, 'hang', 1);
    await h.service.register();
    await vi.waitFor(() => expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1));
    h.restart();
    await h.advance(WATCHDOG);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('mid keepalive: the next keepalive comes from the new worker', async () => {
    const h = new Harness();
    await h.registered();
    const t0 = h.clock.now();
    h.http.on('POST', /\/status$/, 'hang', 1);
    expect((await h.advance(30_000)).killed).toBe(true);
    h.restart();
    await h.advance(30_000);
    expect(h.http.times('POST', /\/status$/, t0)).toEqual([30_000, 60_000]);
    expect(await h.state()).toBe('active');
    expect(h.events().filter((e) => e !== 'connecting' && e !== 'registered')).toEqual([]);
  });

  it('while the failover timer waits: the new worker continues the same schedule', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 2 });
    await h.signIn();
    const t0 = h.clock.now();
    await h.service.register();
    await h.service.whenIdle();
    h.restart();
    await h.advance(33_000);
    h.restart();
    await h.advance(35_000);
    expect(h.http.times('POST', `${PRIMARY}device`, t0)).toEqual([0, 33_000, 68_000]);
    expect(await h.state()).toBe('active');
  });

  it('mid deregister DELETE: finishes idle with no device', async () => {
    const h = new Harness();
    await h.registered();
    h.http.on('DELETE', /devices\//, 'hang', 1);
    void h.service.deregister();
    await vi.waitFor(() => expect(h.http.count('DELETE', /devices\//)).toBe(1));
    h.restart();
    await h.startup('workerWake');
    const snap = await h.service.snapshot();
    expect(snap.state).toBe('idle');
    expect(snap.line?.status).toBe('IDLE');
    expect(h.cloud.devices.size).toBe(0);
    expect(h.scheduler.deadlines.has('line:keepalive')).toBe(false);
  });

  it('register() after a deregister a kill interrupted: the deregistration ends, then the line registers', async () => {
    const h = new Harness();
    await h.registered();
    h.http.on('DELETE', /devices\//, 'hang', 1);
    void h.service.deregister();
    await vi.waitFor(() => expect(h.http.count('DELETE', /devices\//)).toBe(1));
    h.restart();
    const mark = h.mark();
    await h.service.register();
    await h.service.whenIdle();
    await h.advance(2 * WATCHDOG);
    expect(await h.state()).toBe('active');
    // The click shows at once (connecting); the old device's end is still announced.
    expect(h.events(mark)).toEqual(['connecting', 'unregistered', 'connecting', 'registered']);
    expect(h.cloud.devices.size).toBe(1);
  });

  it('mid restore after the keepalive threshold: ends registered with one device', async () => {
    const h = new Harness();
    await h.registered();
    h.cloud.fault('keepalive', json(503), { times: 5 });
    h.http.on('DELETE', /devices\//, 'hang', 1);
    expect((await h.advance(150_000)).killed).toBe(true);
    h.restart();
    await h.advance(WATCHDOG);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('mid failback: ends registered with one device', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
    await h.signIn();
    await h.service.register();
    await h.advance(107_000);
    expect((await h.service.snapshot()).server?.url).toBe(BACKUP);
    h.http.on('POST', `${PRIMARY}device`, processedThenKilled(h), 1);
    expect((await h.advance(60 * 60_000)).killed).toBe(true);
    expect(h.cloud.devices.size).toBe(1);
    h.restart();
    await h.advance(WATCHDOG);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a slow but live request keeps its own watchdog past its deadline, so it is never taken for dead', async () => {
    const h = new Harness();
    await h.signIn();
    // Catalog, WDM, region and discovery take 20 s each: 80 s, beyond one watchdog period.
    h.http.on('GET', /catalog|region|regionCode/, (req) => {
      h.clock.tick(20_000);
      return h.cloud.handle(req);
    });
    h.http.on('POST', `${WDM_BASE}/devices`, (req) => {
      h.clock.tick(20_000);
      return h.cloud.handle(req);
    });
    const ahead: number[] = [];
    h.http.on('POST', `${PRIMARY}device`, (req) => {
      ahead.push((h.scheduler.at('line:watchdog') ?? 0) - h.clock.now());
      return h.cloud.handle(req);
    });
    const t0 = h.clock.now();
    await h.service.register();
    await h.service.whenIdle();
    expect(h.clock.now() - t0).toBe(80_000);
    expect(ahead).toEqual([WATCHDOG]);
    expect(await h.state()).toBe('active');
    expect(h.scheduler.deadlines.has('line:watchdog')).toBe(false);
  });

  it('waits for the network when the clean-up cannot reach the server', async () => {
    const h = await killedAfterRegistrationPost();
    h.http.on('GET', /devices\?userid=/, 'network', 1);
    await h.startup('workerWake');
    // Not registered again while our first device may still exist.
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1);
    expect(await h.state()).toBe('connecting');
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it.each([
    ['idle', async (_h: Harness) => {}],
    ['active', async (h: Harness) => h.registered()],
    [
      'connecting (waiting for a retry)',
      async (h: Harness) => {
        h.cloud.fault('register', json(503), { prefix: PRIMARY });
        await h.signIn();
        await h.service.register();
        await h.service.whenIdle();
      },
    ],
    [
      'reconnecting',
      async (h: Harness) => {
        await h.registered();
        h.cloud.fault('keepalive', json(503));
        await h.advance(30_000);
      },
    ],
    [
      'inactive',
      async (h: Harness) => {
        h.cloud.fault('register', json(400));
        await h.signIn();
        await h.service.register();
        await h.service.whenIdle();
      },
    ],
    [
      'idle after deregister',
      async (h: Harness) => {
        await h.registered();
        await h.service.deregister();
      },
    ],
  ] as const)(
    'a worker wake in state %s changes nothing and sends nothing',
    async (_name, reach) => {
      const h = new Harness();
      await reach(h);
      const before = await h.service.snapshot();
      const timers = new Map(h.scheduler.deadlines);
      const record = JSON.stringify(h.store.data.get(RECORD_KEY));
      h.http.calls.length = 0;
      h.restart();
      await h.startup('workerWake');
      const after = await h.service.snapshot();
      expect({ ...after, at: 0 }).toEqual({ ...before, at: 0 });
      expect(h.scheduler.deadlines).toEqual(timers);
      expect(JSON.stringify(h.store.data.get(RECORD_KEY))).toBe(record);
      expect(h.http.calls).toEqual([]);
    },
  );

  it('a worker wake re-arms a timer lost between the record write and the alarm', async () => {
    const h = new Harness();
    await h.registered();
    const due = h.scheduler.at('line:keepalive');
    h.scheduler.deadlines.delete('line:keepalive');
    h.scheduler.deadlines.delete('auth:refresh');
    h.restart();
    await h.startup('workerWake');
    expect(h.scheduler.at('line:keepalive')).toBe(due);
    expect(h.scheduler.at('auth:refresh')).toBeDefined();
    await h.advance(30_000);
    expect(h.http.count('POST', /\/status$/)).toBe(1);
  });

  it('a sign-in window open when the worker dies leaves nothing behind', async () => {
    const h = new Harness();
    h.identity.behaviour = { redirect: () => new Promise<string>(() => {}) as never };
    h.identity.launchWebAuthFlow = () => new Promise(() => {});
    void h.service.signIn();
    await vi.waitFor(async () => expect((await h.service.snapshot()).auth).toBe('signingIn'));
    h.restart();
    const snap = await h.service.snapshot();
    expect(snap.auth).toBe('signedOut');
    expect([...h.store.data.keys()].filter((k) => k.startsWith('auth:'))).toEqual([]);
  });
});

describe('browser start-up and extension update', () => {
  it('start-up with a registration from the last session: delete it, register again', async () => {
    const h = new Harness();
    await h.registered();
    const [stale] = [...h.cloud.devices.keys()];
    h.restart();
    const mark = h.mark();
    await h.startup('browserStartup');
    expect(h.http.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      `DELETE ${PRIMARY}devices/${stale}`,
      `POST ${PRIMARY}device`,
    ]);
    expect(h.events(mark)).toEqual(['connecting', 'registered']);
    expect(h.cloud.devices.size).toBe(1);
    expect(h.cloud.devices.has(must(stale))).toBe(false);
  });

  it('start-up registers when keepRegistered is on, even if the line was off', async () => {
    const h = new Harness();
    await h.signIn();
    h.restart();
    await h.startup('browserStartup');
    expect(await h.state()).toBe('active');
  });

  it('start-up with keepRegistered off: the stale device is deleted, the line stays off', async () => {
    const h = new Harness();
    await h.registered();
    h.settings.keepRegistered = false;
    h.restart();
    const mark = h.mark();
    await h.startup('browserStartup');
    expect(h.cloud.devices.size).toBe(0);
    expect(await h.state()).toBe('idle');
    expect(h.events(mark)).toEqual(['unregistered']);
  });

  it('start-up: a stale device that cannot be deleted yet does not block registering, and goes right after', async () => {
    const h = new Harness();
    await h.registered();
    const stale = [...h.cloud.devices.keys()];
    h.restart();
    h.http.on('DELETE', /devices\//, 'network', 1);
    await h.startup('browserStartup');
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
    expect([...h.cloud.devices.keys()]).not.toEqual(stale);
    expect(h.http.count('DELETE', /devices\//)).toBe(2);
  });

  it('update re-registers a line that was registered; not one the user turned off', async () => {
    const on = new Harness();
    await on.registered();
    on.restart();
    await on.startup('update');
    expect(await on.state()).toBe('active');
    expect(on.cloud.devices.size).toBe(1);

    const off = new Harness();
    await off.registered();
    await off.service.deregister();
    off.http.calls.length = 0;
    off.restart();
    await off.startup('update');
    expect(await off.state()).toBe('idle');
    expect(off.http.calls).toEqual([]);
  });

  it('start-up signed out does nothing', async () => {
    const h = new Harness();
    await h.startup('browserStartup');
    await h.startup('install');
    expect(await h.state()).toBe('idle');
    expect(h.http.calls).toEqual([]);
  });
});

/**
 * The worker dies as the engine writes a record matching `when`: that write never lands and the
 * old instance never continues. Returns whether it happened, and `revive` for the next worker.
 */
/** Bring the killed worker back: a new instance wakes and its watchdog has time to act. */
async function wakeAfterKill(h: Harness, kill: { revive(): void }): Promise<void> {
  kill.revive();
  h.restart();
  await h.startup('workerWake');
  await h.advance(2 * WATCHDOG);
}

function killOnRecordWrite(h: Harness, when: (record: EngineRecord) => boolean) {
  const store = h.store;
  const original = store.set.bind(store);
  const state = { killed: false };
  store.set = async (key, value) => {
    if (!state.killed && key === RECORD_KEY && when(value as EngineRecord)) {
      state.killed = true;
      // Later writes of the dead instance never land either.
      store.set = async () => new Promise<void>(() => {});
      return new Promise<void>(() => {});
    }
    return original(key, value);
  };
  /** The next worker writes normally. */
  const revive = () => {
    store.set = original;
  };
  return { state, revive };
}

/** The nth write (1-based) of a record matching `when`. */
const nthWrite = (n: number, when: (record: EngineRecord) => boolean) => {
  let seen = 0;
  return (record: EngineRecord) => when(record) && ++seen === n;
};

describe('never stuck: a kill between two writes of one task', () => {
  it('keepalive threshold reached: the restore resumes after a kill before it starts', async () => {
    const h = new Harness();
    await h.registered();
    h.cloud.fault('keepalive', json(503), { times: 5 });
    const kill = killOnRecordWrite(
      h,
      nthWrite(2, (r) => r.state === 'reconnecting' && r.keepaliveAt === null),
    );
    expect((await h.advance(150_000)).killed).toBe(true);
    expect(kill.state.killed).toBe(true);
    await wakeAfterKill(h, kill);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('keepalive 404: the re-registration resumes after a kill before it starts', async () => {
    const h = new Harness();
    await h.registered();
    h.cloud.devices.clear();
    const kill = killOnRecordWrite(
      h,
      nthWrite(2, (r) => r.state === 'reconnecting' && r.device === null),
    );
    expect((await h.advance(30_000)).killed).toBe(true);
    await wakeAfterKill(h, kill);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('network back after the retries ran out: the new attempt resumes after a kill', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { times: 8 });
    await h.signIn();
    await h.service.register();
    await h.advance(10 * 60_000);
    expect(await h.state()).toBe('inactive');
    const kill = killOnRecordWrite(
      h,
      nthWrite(2, (r) => r.state === 'connecting'),
    );
    void h.service.onNetwork(true);
    await vi.waitFor(() => expect(kill.state.killed).toBe(true));
    await wakeAfterKill(h, kill);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a deregister whose task died after the intent was written still ends idle', async () => {
    const h = new Harness();
    await h.signIn();
    h.http.on('POST', `${PRIMARY}device`, 'hang', 1);
    await h.service.register();
    await vi.waitFor(() => expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1));
    // The intent is written, then the worker dies before the deregister task runs.
    void h.service.deregister();
    h.restart();
    await h.advance(2 * WATCHDOG);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'idle', nextAttemptAt: null });
    expect(snap.line?.status).toBe('IDLE');
    expect(h.scheduler.deadlines.has('line:retry')).toBe(false);
    expect(h.cloud.devices.size).toBe(0);
  });

  it('a deregistered line stays idle while an interrupted registration cannot be cleaned up', async () => {
    const h = await killedAfterRegistrationPost();
    h.http.on('GET', /devices\?userid=/, 'network');
    await h.service.deregister();
    expect(await h.state()).toBe('idle');
    h.restart();
    await h.startup('workerWake');
    await h.advance(10 * 60_000);
    expect(await h.state()).toBe('idle');
    expect(h.errors()).toEqual([]);
    // The network is back: the next registration removes the interrupted device first.
    h.http.clearOverrides();
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('browser start-up never registers past an interrupted registration it could not clean up', async () => {
    const h = await killedAfterRegistrationPost();
    h.http.on('GET', /devices\?userid=/, 'network');
    await h.service.deregister();
    h.restart();
    await h.startup('browserStartup');
    await h.service.whenIdle();
    // Our first device may still exist: no second one until it is checked.
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1);
    expect(h.cloud.devices.size).toBe(1);
    h.http.clearOverrides();
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a sign-out killed during its DELETE finishes in the next worker: no device, signed out', async () => {
    const h = new Harness();
    await h.registered();
    h.http.on('DELETE', /devices\//, 'hang', 1);
    void h.service.signOut();
    await vi.waitFor(() => expect(h.http.count('DELETE', /devices\//)).toBe(1));
    // The line is forgotten before the DELETE goes out: never "registered" without a device.
    expect(await h.service.snapshot()).toMatchObject({ state: 'idle', display: 'inactive' });
    h.restart();
    await h.startup('workerWake');
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'idle', display: 'inactive', auth: 'signedOut' });
    expect(h.cloud.devices.size).toBe(0);
    expect(h.cloud.wdmDevices.size).toBe(0);
    await h.signIn();
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a keepalive that falls due while a killed failback waits for its watchdog is not lost', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
    await h.signIn();
    await h.service.register();
    await h.advance(107_000);
    expect((await h.service.snapshot()).server?.role).toBe('backup');
    h.http.on('GET', /\/ping$/, 'hang', 1);
    const failbackAt = must(h.scheduler.at('line:failback'));
    while (!(await h.advance(30_000)).killed) {
      if (h.clock.now() > failbackAt) throw new Error('the failback never ran');
    }
    h.restart();
    // The primary is still down when the failback runs again: the line stays on the backup.
    h.cloud.fault('ping', json(503));
    const t0 = h.clock.now();
    await h.advance(3 * 60_000);
    expect((await h.service.snapshot()).server?.role).toBe('backup');
    const since = h.http.times('POST', /\/status$/, t0).filter((t) => t >= 0);
    expect(since.length).toBeGreaterThanOrEqual(5);
    expect(await h.state()).toBe('active');
  });
});
