import { describe, expect, it } from 'vitest';
import { BACKUP, PRIMARY } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';
import { must } from '../fakes/must';

const STATUS = /\/devices\/[^/]+\/status$/;

async function registered() {
  const h = new Harness();
  await h.registered();
  return h;
}

describe('keepalive', () => {
  it('POSTs {device.uri}/status every keepaliveInterval, first one interval after registering', async () => {
    const h = await registered();
    const t0 = h.clock.now();
    const device = must([...h.cloud.devices.values()][0]);
    await h.advance(100_000);
    expect(h.http.times('POST', `${device.uri}/status`, t0)).toEqual([30_000, 60_000, 90_000]);
    expect(h.events()).toEqual(['connecting', 'registered']);
    expect(h.scheduler.at('line:keepalive')).toBe(t0 + 120_000);
  });

  it.each([
    ['500', json(500)],
    ['503', json(503)],
    ['403/103', json(403, { errorCode: 103 })],
    ['403 other', json(403, { errorCode: 55 })],
    ['403 without body', () => new Response(null, { status: 403 })],
    ['403/101', json(403, { errorCode: 101, devices: [] })],
    ['502', json(502)],
    ['network', 'network'],
  ] as const)(
    '%s: reconnecting below the threshold, reconnected on the next success',
    async (_name, reply) => {
      const h = await registered();
      const mark = h.mark();
      h.cloud.fault('keepalive', reply as never, { times: 3 });
      await h.advance(90_000);
      expect(h.events(mark)).toEqual(['reconnecting', 'reconnecting', 'reconnecting']);
      const snap = await h.service.snapshot();
      expect(snap).toMatchObject({ state: 'reconnecting', display: 'reconnecting' });
      expect(snap.line?.status).toBe('active');
      await h.advance(30_000);
      expect(h.events(mark)).toEqual([
        'reconnecting',
        'reconnecting',
        'reconnecting',
        'reconnected',
      ]);
      expect(await h.state()).toBe('active');
    },
  );

  it('five failures: unregistered, old device deleted, re-registered on the same server', async () => {
    const h = await registered();
    const mark = h.mark();
    const [old] = [...h.cloud.devices.keys()];
    h.cloud.fault('keepalive', json(503), { times: 5 });
    await h.advance(150_000);
    expect(h.events(mark)).toEqual([
      'reconnecting',
      'reconnecting',
      'reconnecting',
      'reconnecting',
      'unregistered',
      'registered',
    ]);
    const order = h.http.calls.slice(-2).map((c) => `${c.method} ${c.url}`);
    expect(order).toEqual([`DELETE ${PRIMARY}devices/${old}`, `POST ${PRIMARY}device`]);
    expect(h.cloud.devices.size).toBe(1);
    expect(h.cloud.devices.has(must(old))).toBe(false);
    expect(await h.state()).toBe('active');
  });

  it('404: "Device not found.", unregistered, then registers again', async () => {
    const h = await registered();
    const mark = h.mark();
    h.cloud.devices.clear();
    await h.advance(30_000);
    expect(h.events(mark)).toEqual(['error', 'unregistered', 'registered']);
    expect(h.errors()[0]).toMatchObject({ type: 'registrationError', msg: 'Device not found.' });
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'active', error: null });
    expect(h.cloud.devices.size).toBe(1);
    expect(h.http.count('DELETE', /devices\//)).toBe(0);
  });

  it('400: final; the keepalive stops; the device is deleted before the next registration', async () => {
    const h = await registered();
    const mark = h.mark();
    h.cloud.fault('keepalive', json(400));
    await h.advance(30_000);
    expect(h.events(mark)).toEqual(['error', 'unregistered']);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({
      state: 'inactive',
      display: 'error',
      error: { detail: { sdkType: 'bad_request' } },
    });
    expect(h.scheduler.deadlines.has('line:keepalive')).toBe(false);
    await h.advance(120_000);
    expect(h.http.count('POST', STATUS)).toBe(1);
    await h.service.register();
    await h.service.whenIdle();
    expect(h.cloud.devices.size).toBe(1);
    expect(await h.state()).toBe('active');
  });

  it('403/102: final', async () => {
    const h = await registered();
    h.cloud.fault('keepalive', json(403, { errorCode: 102 }));
    await h.advance(30_000);
    expect(h.errors()[0]?.msg).toBe(
      'User is not configured for WebRTC calling. Please contact the administrator to resolve this issue.',
    );
    expect(await h.state()).toBe('inactive');
  });

  it('401 once: refresh, replay, no event (and later keepalives use the new token)', async () => {
    const h = await registered();
    const mark = h.mark();
    h.cloud.expireAccessTokens();
    await h.advance(60_000);
    expect(h.events(mark)).toEqual([]);
    expect(h.http.count('POST', /access_token$/)).toBe(1);
    const keepalives = h.http.calls.filter((c) => STATUS.test(c.url));
    expect(keepalives).toHaveLength(3);
    expect(keepalives[2]?.headers.authorization).toBe(keepalives[1]?.headers.authorization);
    expect(keepalives[0]?.headers.authorization).not.toBe(keepalives[1]?.headers.authorization);
  });

  it('401 after a refresh: the seed token error, unregistered', async () => {
    const h = await registered();
    const mark = h.mark();
    h.cloud.fault('keepalive', json(401), { times: 2 });
    await h.advance(30_000);
    expect(h.events(mark)).toEqual(['error', 'unregistered']);
    expect(h.errors()[0]).toMatchObject({
      type: 'tokenError',
      msg: 'Token expired. Authentication/Authorization error.',
    });
  });

  it('429: reconnecting, the next keepalive after Retry-After plus one interval', async () => {
    const h = await registered();
    const mark = h.mark();
    const t0 = h.clock.now();
    h.cloud.fault('keepalive', json(503), { times: 4 });
    h.cloud.fault('keepalive', json(429, {}, { 'Retry-After': '7' }));
    await h.advance(120_000);
    expect(h.events(mark)).toEqual([
      'reconnecting',
      'reconnecting',
      'reconnecting',
      'reconnecting',
    ]);
    // The 5th failure is a 429: no threshold reached, a keepalive 7 + 30 s later.
    await h.advance(67_000);
    expect(h.http.times('POST', STATUS, t0).slice(-2)).toEqual([150_000, 187_000]);
    expect(h.events(mark)).toEqual([...Array(5).fill('reconnecting'), 'reconnected']);
    expect(await h.state()).toBe('active');
  });

  it('429 with Retry-After 0: the next keepalive one interval later, the failure count kept', async () => {
    const h = await registered();
    const t0 = h.clock.now();
    h.cloud.fault('keepalive', json(503), { times: 2 });
    h.cloud.fault('keepalive', json(429, {}, { 'Retry-After': '0' }));
    h.cloud.fault('keepalive', json(503), { times: 3 });
    await h.advance(90_000);
    // The old rule armed the next keepalive at once (Retry-After alone): a request storm.
    expect(h.scheduler.at('line:keepalive')).toBe(t0 + 120_000);
    const mark = h.mark();
    await h.advance(90_000);
    // 2 failures + the 429 + 3 more: the threshold (5) is reached on the third 503 after it.
    expect(h.events(mark)).toContain('unregistered');
  });
});

describe('re-registering after the keepalive threshold: 429 on the last server (§9.2)', () => {
  const lose = async (h: Harness) => {
    h.cloud.fault('keepalive', json(503), { times: 5 });
    await h.advance(150_000);
  };

  it('Retry-After under 60 s: restart the registration after it', async () => {
    const h = await registered();
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '20' }), { prefix: PRIMARY });
    await lose(h);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'reconnecting', nextAttemptAt: h.clock.now() + 20_000 });
    await h.advance(20_000);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a long Retry-After on a primary with backups: the backups at once', async () => {
    const h = await registered();
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '90' }), { prefix: PRIMARY });
    await lose(h);
    expect((await h.service.snapshot()).server).toEqual({ url: BACKUP, role: 'backup' });
  });

  it('a long Retry-After on a backup: restart on the primaries now', async () => {
    const h = new Harness();
    h.cloud.fault('register', 'network', { prefix: PRIMARY });
    await h.registered();
    expect((await h.service.snapshot()).server?.url).toBe(BACKUP);
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '90' }), { prefix: BACKUP });
    await lose(h);
    expect((await h.service.snapshot()).server).toEqual({ url: PRIMARY, role: 'primary' });
    expect(h.cloud.devices.size).toBe(1);
  });
});
