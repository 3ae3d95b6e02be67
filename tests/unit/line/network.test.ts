import { describe, expect, it } from 'vitest';
import { BACKUP, PRIMARY } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';
import { must } from '../fakes/must';

/** Every request fails at the network level until `online()` is called. */
function network(h: Harness) {
  let down = false;
  const original = h.cloud.handle;
  h.http.setFallback((req) => (down ? 'network' : original(req)));
  return {
    down: () => {
      down = true;
    },
    up: () => {
      down = false;
    },
  };
}

describe('network loss and return', () => {
  it('keepalive fetch failures: reconnecting; online again: re-register on the last server at once', async () => {
    const h = new Harness();
    await h.registered();
    const net = network(h);
    const mark = h.mark();
    const [old] = [...h.cloud.devices.keys()];
    net.down();
    await h.advance(60_000);
    expect(h.events(mark)).toEqual(['reconnecting', 'reconnecting']);
    net.up();
    const before = h.http.calls.length;
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    const after = h.http.calls.slice(before).map((c) => `${c.method} ${c.url}`);
    expect(after).toEqual([`DELETE ${PRIMARY}devices/${old}`, `POST ${PRIMARY}device`]);
    expect(h.events(mark)).toEqual(['reconnecting', 'reconnecting', 'registered']);
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a registered primary that stops answering: keepalive threshold, then the backup at once', async () => {
    const h = new Harness();
    await h.registered();
    const mark = h.mark();
    const [old] = [...h.cloud.devices.keys()];
    h.http.on('POST', `${PRIMARY}*`, 'network');
    h.http.on('DELETE', `${PRIMARY}*`, 'network');
    const t0 = h.clock.now();
    await h.advance(6 * 30_000);
    const snapshot = await h.service.snapshot();
    expect(snapshot).toMatchObject({ state: 'active', server: { url: BACKUP, role: 'backup' } });
    const events = h.events(mark);
    // Each server that fails non-finally says `unregistered`, as the SDK does.
    expect(events.slice(0, 5)).toEqual([...Array(4).fill('reconnecting'), 'unregistered']);
    expect(new Set(events.slice(5, -1))).toEqual(new Set(['unregistered']));
    expect(events.at(-1)).toBe('registered');
    // Registered on the backup right after the fifth missed keepalive, not after a back-off.
    expect(must(h.http.times('POST', `${BACKUP}device`, t0)[0])).toBe(5 * 30_000);
    // The unreachable primary's device stays listed for deletion once it answers again.
    h.http.clearOverrides();
    expect(h.cloud.devices.has(must(old))).toBe(true);
  });

  it('the last server is tried first even when it is a backup', async () => {
    const h = new Harness();
    h.cloud.fault('register', 'network', { prefix: PRIMARY });
    await h.registered();
    expect((await h.service.snapshot()).server?.url).toBe(BACKUP);
    const net = network(h);
    await h.service.onNetwork(false);
    net.down();
    await h.advance(2_000);
    net.up();
    const before = h.http.calls.length;
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(h.http.calls.slice(before).map((c) => `${c.method} ${c.url}`)[1]).toBe(
      `POST ${BACKUP}device`,
    );
    expect(await h.state()).toBe('active');
  });

  it('offline signal: stop keepalives, reconnecting; a short timer retries if "online" never comes', async () => {
    const h = new Harness();
    await h.registered();
    const mark = h.mark();
    const t0 = h.clock.now();
    await h.service.onNetwork(false);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'reconnecting', nextAttemptAt: t0 + 5_000 });
    expect(h.events(mark)).toEqual(['reconnecting']);
    expect(h.scheduler.deadlines.has('line:keepalive')).toBe(false);
    await h.advance(5_000);
    expect(h.events(mark)).toEqual(['reconnecting', 'registered']);
    expect(h.cloud.devices.size).toBe(1);
  });

  it('stays reconnecting with a capped back-off while the network is down, never a final error', async () => {
    const h = new Harness();
    await h.registered();
    const net = network(h);
    await h.service.onNetwork(false);
    net.down();
    const t0 = h.clock.now();
    await h.advance(30 * 60_000);
    expect(h.errors()).toEqual([]);
    expect(await h.state()).toBe('reconnecting');
    // Each attempt tries to delete the old device first (and fails); attempts come after the
    // offline timer at 5 s, then waits of 5, 10, 20, 40 s, capped at 60 s.
    const attempts = [...new Set(h.http.times('DELETE', /devices\//, t0))];
    expect(attempts.slice(0, 6)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 140_000]);
    expect(must(attempts[6]) - must(attempts[5])).toBe(60_000);
    net.up();
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('register() while offline waits, then registers when the network returns', async () => {
    const h = new Harness();
    await h.signIn();
    const net = network(h);
    net.down();
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('connecting');
    expect(h.errors()).toEqual([]);
    net.up();
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
  });

  it('after the retries ran out, the network coming back registers again', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { times: 8 });
    await h.signIn();
    await h.service.register();
    await h.advance(10 * 60_000);
    expect(await h.state()).toBe('inactive');
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.events().slice(-2)).toEqual(['connecting', 'registered']);
  });

  it('online with nothing to do sends nothing', async () => {
    const h = new Harness();
    await h.registered();
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(h.http.calls).toEqual([]);
  });
});
