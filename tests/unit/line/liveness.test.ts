/**
 * Liveness, proven: nothing the engine waits for can hold it forever. Each test stalls one thing
 * the old engine waited on without a deadline (a response body, a storage write, a sign-out's
 * steps, a failed read) and shows the line carries on.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_TIMING } from '../../../lib/line/timing';
import { PRIMARY, WDM_BASE } from '../fakes/cloud';
import type { RecordedRequest } from '../fakes/fetch';
import { Harness } from '../fakes/harness';

const STATUS = /\/status$/;
const { requestDeadlineMs, taskDeadlineMs } = DEFAULT_TIMING;

/** A 200 whose headers arrive and whose body never ends. */
const stalledBody = () =>
  new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"device":'));
      },
    }),
    { status: 200, headers: { 'content-type': 'application/json' } },
  );

/** Lets a request through only when `release()` is called. */
function held(h: Harness) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const route = async (request: RecordedRequest) => {
    await gate;
    return h.cloud.handle(request);
  };
  return { route, release: () => release() };
}

/** Let pending promise callbacks run (the fakes answer at once). */
const flush = async () => {
  for (let i = 0; i < 20; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('liveness', () => {
  beforeEach(() => {
    // Only the real-time deadlines are faked; the engine's own clock is the harness's.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => vi.useRealTimers());

  it('a keepalive whose body never ends is "no answer" at its deadline; keepalives and deregister go on', async () => {
    const h = new Harness();
    await h.registered();
    h.http.on('POST', STATUS, stalledBody, 1);
    h.clock.tick(30_000);
    await h.service.onTimer('line:keepalive');
    await flush();
    expect(h.http.count('POST', STATUS)).toBe(1);
    // Stuck: the old engine waited here for the life of the worker.
    await vi.advanceTimersByTimeAsync(requestDeadlineMs);
    await h.service.whenIdle();
    const snap = await h.service.snapshot();
    expect(snap.state).toBe('reconnecting');
    expect(h.diagnostics.some((d) => /did not answer in time/.test(JSON.stringify(d)))).toBe(true);
    // The next keepalive goes out on time and answers: registered again.
    await h.advance(30_000);
    expect(h.http.count('POST', STATUS)).toBe(2);
    expect(await h.state()).toBe('active');
    await h.service.deregister();
    expect(await h.state()).toBe('idle');
    expect(h.cloud.devices.size).toBe(0);
  });

  it('a registration whose body never ends: checked at that server, then registered once', async () => {
    const h = new Harness();
    await h.signIn();
    // The server makes the device, then the answer stalls.
    h.http.on(
      'POST',
      `${PRIMARY}device`,
      async (request) => {
        await h.cloud.handle(request);
        return stalledBody();
      },
      1,
    );
    await h.service.register();
    await flush();
    expect(h.cloud.devices.size).toBe(1);
    await vi.advanceTimersByTimeAsync(requestDeadlineMs);
    await h.service.whenIdle();
    // The device the stalled POST made is found and deleted before another is made.
    expect(h.http.count('GET', /devices\?userid=/)).toBe(1);
    expect(h.cloud.devices.size).toBeLessThanOrEqual(1);
    await h.advance(60_000);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a storage write that never finishes is abandoned at the task deadline; the next event runs', async () => {
    const h = new Harness();
    await h.registered();
    const write = h.store.set.bind(h.store);
    let stuck = true;
    h.store.set = async (key, value) => {
      if (stuck && key === 'line:record') {
        stuck = false;
        return new Promise<void>(() => {});
      }
      return write(key, value);
    };
    h.clock.tick(30_000);
    const hung = h.service.onTimer('line:keepalive');
    await flush();
    await vi.advanceTimersByTimeAsync(taskDeadlineMs);
    // The timer's handler says so: the scheduler keeps the timer and runs it again.
    await expect(hung).rejects.toThrow(/did not finish/);
    expect(h.diagnostics.some((d) => /overran its deadline/.test(d.message))).toBe(true);
    // Not stuck behind it: a deregistration goes through.
    await h.service.deregister();
    expect(await h.state()).toBe('idle');
    expect(h.cloud.devices.size).toBe(0);
  });
});

describe('one queue for sign-out and the line', () => {
  it('a register arriving between the steps of a sign-out makes no device; no WDM device is left', async () => {
    const h = new Harness();
    await h.registered();
    const wdmDelete = held(h);
    h.http.on('DELETE', `${WDM_BASE}/devices/*`, wdmDelete.route, 1);
    const signingOut = h.service.signOut();
    await vi.waitFor(() => expect(h.http.count('DELETE', `${WDM_BASE}/devices/*`)).toBe(1));
    // The Mobius device is gone and the WDM device is being deleted: the old engine had already
    // reset the line here, and a register now made a device nobody could delete.
    await h.service.register();
    await flush();
    wdmDelete.release();
    await signingOut;
    await h.service.whenIdle();
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(0);
    expect(h.cloud.devices.size).toBe(0);
    expect(h.cloud.wdmDevices.size).toBe(0);
    expect((await h.service.snapshot()).auth).toBe('signedOut');
  });

  it('a sign-out while a registration POST is in flight leaves no device and no WDM device', async () => {
    const h = new Harness();
    await h.signIn();
    const post = held(h);
    h.http.on('POST', `${PRIMARY}device`, post.route, 1);
    await h.service.register();
    await vi.waitFor(() => expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1));
    const signingOut = h.service.signOut();
    post.release();
    await signingOut;
    await h.service.whenIdle();
    expect(h.cloud.devices.size).toBe(0);
    expect(h.cloud.wdmDevices.size).toBe(0);
    expect(await h.state()).toBe('idle');
  });
});

describe('nothing caches a failure', () => {
  it('a first storage read that fails does not poison later snapshots', async () => {
    const h = new Harness();
    const read = h.store.get.bind(h.store);
    let failOnce = true;
    h.store.get = async <T>(key: string) => {
      if (failOnce && key === 'line:id') {
        failOnce = false;
        throw new Error('IndexedDB is busy');
      }
      return read<T>(key);
    };
    await expect(h.service.snapshot()).rejects.toThrow('IndexedDB is busy');
    const snap = await h.service.snapshot();
    expect(snap.state).toBe('idle');
    expect(await h.service.snapshot()).toMatchObject({ state: 'idle' });
  });
});
