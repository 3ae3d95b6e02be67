import { describe, expect, it } from 'vitest';
import { BACKUP, LINK_SERVER, PRIMARY } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';

const ALWAYS = { times: Number.POSITIVE_INFINITY };

async function start(h: Harness) {
  await h.signIn();
  h.http.calls.length = 0;
  const t0 = h.clock.now();
  await h.service.register();
  await h.service.whenIdle();
  return t0;
}

describe('failover (primaries, then backups, then the final error)', () => {
  it('retries primaries at 33/68/107 s, backups at 107 s and once more, then service_unavailable', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), ALWAYS);
    const t0 = await start(h);
    await h.advance(10 * 60_000);
    expect(h.http.times('POST', `${PRIMARY}device`, t0)).toEqual([0, 33_000, 68_000, 107_000]);
    expect(h.http.times('POST', `${BACKUP}device`, t0)).toEqual([107_000, 140_000]);
    expect(h.http.times('POST', `${LINK_SERVER}device`, t0)).toEqual([107_000, 140_000]);
    expect(h.events()).toEqual(['connecting', ...Array(8).fill('unregistered'), 'error']);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'inactive', display: 'error', nextAttemptAt: null });
    expect(snap.error).toEqual({
      status: 'inactive',
      type: 'registrationError',
      msg: 'An unknown error occurred. Wait a moment and try again. Please contact the administrator if the problem persists.',
      detail: { sdkType: 'service_unavailable', action: 'retry' },
    });
    expect(h.scheduler.deadlines.size).toBe(1); // only the token refresh is left
  });

  it('shows the next attempt time while waiting', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), ALWAYS);
    const t0 = await start(h);
    expect((await h.service.snapshot()).nextAttemptAt).toBe(t0 + 33_000);
    expect(h.scheduler.at('line:retry')).toBe(t0 + 33_000);
    await h.advance(33_000);
    expect((await h.service.snapshot()).nextAttemptAt).toBe(t0 + 68_000);
  });

  it('Try now: a register while a retry waits tries at once', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 1 });
    const t0 = await start(h);
    expect((await h.service.snapshot()).nextAttemptAt).toBe(t0 + 33_000);
    // The old engine ignored a register while it waited: the popup offered only Sign out.
    await h.service.register();
    await h.service.whenIdle();
    expect(h.http.times('POST', `${PRIMARY}device`, t0)).toEqual([0, 0]);
    expect(await h.state()).toBe('active');
  });

  it("Try now waits while a server's Retry-After runs, and the status says until when", async () => {
    const h = new Harness();
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '20' }), ALWAYS);
    const t0 = await start(h);
    const waiting = await h.service.snapshot();
    expect(waiting.retryHoldUntil).toBe(t0 + 20_000);
    const sent = h.http.calls.length;
    await h.service.register();
    await h.service.whenIdle();
    expect(h.http.calls.length).toBe(sent);
    expect(h.diagnostics.some((d) => /waits for the server's Retry-After/.test(d.message))).toBe(
      true,
    );
  });

  it('fails over to a backup and stays registered there', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { prefix: PRIMARY, ...ALWAYS });
    const t0 = await start(h);
    await h.advance(107_000);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'active', server: { url: BACKUP, role: 'backup' } });
    expect(h.http.times('POST', `${BACKUP}device`, t0)).toEqual([107_000]);
    expect(h.events().at(-1)).toBe('registered');
  });

  it('ends at once without backups', async () => {
    const h = new Harness();
    h.cloud.discovery = {};
    h.cloud.fault('register', json(500), ALWAYS);
    const t0 = await start(h);
    await h.advance(10 * 60_000);
    // filterMobiusUris: with no lists the discovery base is the only primary and there are no backups.
    expect(h.http.times('POST', `${LINK_SERVER}device`, t0)).toEqual([0, 33_000, 68_000, 107_000]);
    expect(h.errors()).toHaveLength(1);
    expect(h.errors()[0]?.detail?.sdkType).toBe('service_unavailable');
  });

  it('429 with a long Retry-After skips straight to the backups', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '200' }), { prefix: PRIMARY });
    const t0 = await start(h);
    expect(h.http.times('POST', `${BACKUP}device`, t0)).toEqual([0]);
    expect(await h.state()).toBe('active');
    expect(h.events()).toEqual(['connecting', 'registered']);
  });

  it('a Retry-After under 60 s stretches the wait before the last backup try', async () => {
    const h = new Harness();
    h.cloud.fault('register', json(503), { prefix: PRIMARY, ...ALWAYS });
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '45' }), { prefix: BACKUP });
    h.cloud.fault('register', json(503), { prefix: LINK_SERVER });
    const t0 = await start(h);
    await h.advance(107_000);
    expect(await h.state()).toBe('connecting');
    expect((await h.service.snapshot()).nextAttemptAt).toBe(t0 + 107_000 + 45_000);
    await h.advance(45_000);
    expect(await h.state()).toBe('active');
  });

  it('the final error after network failures everywhere is not reached: it waits for the network', async () => {
    const h = new Harness();
    h.cloud.fault('register', 'network', ALWAYS);
    await start(h);
    await h.advance(10 * 60_000);
    expect(h.errors()).toHaveLength(0);
    expect(await h.state()).toBe('connecting');
    expect((await h.service.snapshot()).nextAttemptAt).not.toBeNull();
  });
});

describe('compressed time', () => {
  it('scales every SDK timer with secondMs / minuteMs', async () => {
    const h = new Harness({ timing: { secondMs: 10, minuteMs: 600 } });
    h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
    const t0 = await start(h);
    await h.advance(2_000);
    expect(h.http.times('POST', `${PRIMARY}device`, t0)).toEqual([0, 330, 680, 1070]);
    expect(h.http.times('POST', `${BACKUP}device`, t0)).toEqual([1070]);
    // Keepalive every 30 "seconds" = 300 ms; failback after 60 "minutes" = 36 s.
    const device = [...h.cloud.devices.values()][0];
    expect(h.http.times('POST', `${device?.uri}/status`, t0).slice(0, 3)).toEqual([
      1370, 1670, 1970,
    ]);
    expect(h.scheduler.at('line:failback')).toBe(t0 + 1070 + 36_000);
  });
});
