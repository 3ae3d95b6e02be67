import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, CAROL, type Emulator } from './index';
import {
  admin,
  bearer,
  createWdmDevice,
  deregister,
  type FakeClock,
  keepalive,
  mobiusHeaders,
  register,
  registeredLine,
  startTest,
} from './test-support';

let emu: Emulator;
let clock: FakeClock;
beforeEach(async () => {
  ({ emu, clock } = await startTest({ keepaliveIntervalSec: 30, missedKeepalivesBeforeExpiry: 5 }));
});
afterEach(() => emu.close());

const reasons = () => emu.deviations().map((d) => d.reason);

describe('keepalive cadence', () => {
  it('a keepalive sooner than half the interval after the previous one is a deviation', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(200);
    clock.advance(15_000); // exactly half: still fine
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(200);
    expect(emu.deviations()).toEqual([]);
    clock.advance(14_999);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(200);
    expect(reasons()).toEqual([
      'keepalive 14999 ms after the previous one for this device, sooner than half the 30 s interval',
    ]);
  });

  it('counts per device: two devices kept alive at the same moment are fine', async () => {
    emu.setConfig({ deviceLimit: 5 });
    const first = await registeredLine(emu);
    const second = await registeredLine(emu);
    await keepalive(first.body.device.uri, first.token, first.deviceUrl);
    await keepalive(second.body.device.uri, second.token, second.deviceUrl);
    expect(emu.deviations()).toEqual([]);
  });

  it('places a keepalive held by an injected delay at its arrival, not at its answer', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    emu.injectFault({ endpoint: 'keepalive', delayMs: 150 });
    const held = keepalive(body.device.uri, token, deviceUrl);
    await new Promise((resolve) => setTimeout(resolve, 30)); // it reached the server
    clock.advance(30_000);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(200);
    expect((await held).status).toBe(200);
    expect(emu.deviations()).toEqual([]);
    const [heldEntry, nextEntry] = emu
      .requestLog()
      .filter((e) => e.path.endsWith('/status'))
      .sort((a, b) => a.receivedAt - b.receivedAt);
    expect((nextEntry?.receivedAt ?? 0) - (heldEntry?.receivedAt ?? 0)).toBe(30_000);
    expect(heldEntry?.at).toBeGreaterThan(heldEntry?.receivedAt ?? Number.POSITIVE_INFINITY);
  });

  it('rateLimitEarlyKeepalives answers the early one 429 with Retry-After and does not count it as seen', async () => {
    emu.setConfig({ rateLimitEarlyKeepalives: true });
    const { body, token, deviceUrl } = await registeredLine(emu);
    await keepalive(body.device.uri, token, deviceUrl);
    const seen = emu.devices(ALICE.email)[0]?.lastSeen;
    clock.advance(2_000);
    const early = await keepalive(body.device.uri, token, deviceUrl);
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('30');
    expect(await early.json()).toMatchObject({ errors: [{ description: expect.any(String) }] });
    expect(emu.devices(ALICE.email)[0]?.lastSeen).toBe(seen);
    expect(reasons()).toHaveLength(1);
    // Back after Retry-After: accepted.
    clock.advance(30_000);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(200);
    expect(reasons()).toHaveLength(1);
  });
});

describe('dead devices leave tombstones', () => {
  it('deleted: the first 404 after the DELETE is normal, the second a deviation', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    expect((await deregister(body.device.uri, token, deviceUrl)).status).toBe(200);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(404);
    expect(emu.deviations()).toEqual([]);
    const again = await deregister(body.device.uri, token, deviceUrl);
    expect(again.status).toBe(404);
    expect(reasons()).toEqual([
      'deregister for a device that was deleted, after 1 earlier 404 answer(s) for it',
    ]);
  });

  it('expired: the keepalive that finds it gone is normal, one more is a deviation', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    clock.advance(150_001);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(404);
    expect(emu.deviations()).toEqual([]);
    clock.advance(30_000);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(404);
    expect(reasons()).toEqual([
      'keepalive for a device that was expired, after 1 earlier 404 answer(s) for it',
    ]);
  });

  it('never issued: 404, and a deviation from the second time on', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    const made = body.device.uri.replace(/devices\/[^/]+$/, 'devices/no-such-device');
    expect((await keepalive(made, token, deviceUrl)).status).toBe(404);
    expect((await deregister(made, token, deviceUrl)).status).toBe(404);
    expect((await keepalive(made, token, deviceUrl)).status).toBe(404);
    expect(reasons()).toEqual([
      'deregister for a device that was never issued, after 1 earlier 404 answer(s) for it',
      'keepalive for a device that was never issued, after 2 earlier 404 answer(s) for it',
    ]);
  });

  it('reset forgets the tombstones', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    await deregister(body.device.uri, token, deviceUrl);
    await keepalive(body.device.uri, token, deviceUrl);
    await emu.reset();
    expect(emu.deviceHistory(ALICE.email).devices).toEqual([]);
  });
});

describe('an injected keepalive 404', () => {
  it('really removes the device: not listed, the same browser registers afresh, asking again deviates', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    emu.injectFault({ endpoint: 'keepalive', status: 404 });
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(404);
    expect(emu.devices(ALICE.email)).toEqual([]);
    expect(emu.deviceHistory(ALICE.email).devices[0]).toMatchObject({
      deviceId: body.device.deviceId,
      end: 'removed',
    });
    // Registering again takes the production path: a new device, no 403/101 for the old one.
    const again = await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl);
    expect(again.status).toBe(200);
    expect(emu.deviations()).toEqual([]);
    // The injected 404 told the client once; a keepalive for it now is a client that did not stop.
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(404);
    expect(reasons()).toEqual([
      'keepalive for a device that was removed, after 1 earlier 404 answer(s) for it',
    ]);
  });

  it('a keepalive fault with another status leaves the device alive', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    emu.injectFault({ endpoint: 'keepalive', status: 503 });
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(503);
    expect(emu.devices(ALICE.email)).toHaveLength(1);
  });
});

describe('429 faults carry Retry-After', () => {
  it('the admin API refuses a 429 fault without Retry-After', async () => {
    const res = await admin(emu, 'POST', '/faults', { endpoint: 'register', status: 429 });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('retryAfter');
    expect((await admin(emu, 'GET', '/faults')).body.faults).toEqual([]);
  });

  it('accepts retryAfter, or a Retry-After header given by hand', async () => {
    const a = await admin(emu, 'POST', '/faults', {
      endpoint: 'register',
      status: 429,
      retryAfter: 3,
    });
    const b = await admin(emu, 'POST', '/faults', {
      endpoint: 'keepalive',
      status: 429,
      headers: { 'retry-after': '4' },
    });
    expect([a.status, b.status]).toEqual([201, 201]);
  });

  it('the in-process helper refuses it too', () => {
    expect(() => emu.injectFault({ endpoint: 'keepalive', status: 429 })).toThrow(/Retry-After/);
  });
});

describe('stalled bodies', () => {
  /** Reads until `bytes` arrived or the body ends; returns what came and the reader. */
  async function readSome(res: Response, bytes: number) {
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    let text = '';
    while (text.length < bytes) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    return { text, reader };
  }

  it('register: headers and the first bytes of the real answer, then nothing; the device exists', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    emu.injectFault({ endpoint: 'register', stall: true, stallAfterBytes: 12 });
    const res = await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const { text, reader } = await readSome(res, 12);
    expect(text).toBe('{"userId":"0');
    // The server did its work: only the answer is stuck.
    expect(emu.devices(ALICE.email)).toHaveLength(1);
    const rest = reader.read();
    const outcome = await Promise.race([
      rest.then(
        () => 'more came',
        () => 'cut',
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300)),
    ]);
    expect(outcome).toBe('still waiting');
    expect(emu.requestLog().at(-1)).toMatchObject({
      status: 200,
      fault: expect.stringContaining('stalled after 12 bytes'),
    });
    // A reset ends it: the connection is cut.
    await emu.reset();
    await expect(rest).rejects.toThrow();
  });

  it('keepalive (no body at all): 200 headers, then a body that never ends', async () => {
    const { body, token, deviceUrl } = await registeredLine(emu);
    emu.injectFault({ endpoint: 'keepalive', stall: true });
    const controller = new AbortController();
    const res = await fetch(`${body.device.uri}/status`, {
      method: 'POST',
      headers: mobiusHeaders(token, deviceUrl),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const rest = res.text();
    const outcome = await Promise.race([
      rest.then(() => 'ended'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 200)),
    ]);
    expect(outcome).toBe('still waiting');
    // The client giving up closes it.
    controller.abort();
    await expect(rest).rejects.toThrow();
  });

  it('token: a given status and body, stalled', async () => {
    emu.injectFault({ endpoint: 'token', stall: true, status: 200, body: { access_token: 'x' } });
    const res = await fetch(`${emu.urls.base}/v1/access_token`, { method: 'POST' });
    expect(res.status).toBe(200);
    const rest = res.text();
    const outcome = await Promise.race([
      rest.then(() => 'ended'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 200)),
    ]);
    expect(outcome).toBe('still waiting');
    await emu.close();
    await expect(rest).rejects.toThrow();
    ({ emu, clock } = await startTest());
  });

  it.each([
    [{ endpoint: 'token', stall: 'yes' }, 'stall must be a boolean'],
    [{ endpoint: 'token', stallAfterBytes: 3, status: 200 }, 'stallAfterBytes needs stall'],
    [{ endpoint: 'token', stall: true, reset: true }, 'cannot both stall and reset'],
    [{ endpoint: 'token', stall: true, stallAfterBytes: -1 }, 'non-negative'],
  ])('refuses a bad stall fault %j', async (spec, words) => {
    const res = await admin(emu, 'POST', '/faults', spec);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(words);
  });
});

describe('cookies on API endpoints', () => {
  it('a Cookie header on a Mobius or REST API request is a deviation', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    await fetch(`${emu.urls.base}/v1/people/me`, { headers: { ...bearer(token), cookie: 'a=b' } });
    await fetch(`${emu.urls.mobiusPrimaryApi}/ping`, { headers: { cookie: 'session=1' } });
    expect(reasons().filter((r) => r.includes('Cookie'))).toEqual([
      'Cookie header sent to an API endpoint',
      'Cookie header sent to an API endpoint',
    ]);
  });

  it('pages a browser opens (consent, demo) and the admin API may carry cookies', async () => {
    await fetch(`${emu.urls.base}/demo`, { headers: { cookie: 'a=b' } });
    await fetch(`${emu.urls.base}/v1/authorize?client_id=x`, { headers: { cookie: 'a=b' } });
    await fetch(`${emu.urls.admin}/config`, { headers: { cookie: 'a=b' } });
    expect(reasons().filter((r) => r.includes('Cookie'))).toEqual([]);
  });
});

describe('supersedeOlderDevices', () => {
  async function twoBrowsers() {
    const first = await registeredLine(emu);
    const second = await registeredLine(emu);
    return { first, second };
  }

  it('off (default): both registrations live', async () => {
    await twoBrowsers();
    expect(emu.devices(ALICE.email)).toHaveLength(2);
  });

  it('on: the newer registration supersedes the older; its keepalive answers 409 in the REST shape', async () => {
    emu.setConfig({ supersedeOlderDevices: true });
    const { first, second } = await twoBrowsers();
    expect(emu.devices(ALICE.email).map((d) => d.deviceId)).toEqual([second.body.device.deviceId]);
    const res = await keepalive(first.body.device.uri, first.token, first.deviceUrl);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      message: expect.stringContaining('conflicts'),
      errors: [{ description: expect.stringContaining('superseded') }],
      trackingId: expect.any(String),
    });
    expect(emu.deviations()).toEqual([]);
    // A client that keeps going after the 409 strays from §13 (hard stop).
    clock.advance(30_000);
    expect((await keepalive(first.body.device.uri, first.token, first.deviceUrl)).status).toBe(409);
    expect(reasons()).toEqual([
      'keepalive for a device that was superseded, after 1 earlier 409 answer(s) for it',
    ]);
    // Its DELETE is a plain 404 (it is gone).
    expect((await deregister(first.body.device.uri, first.token, first.deviceUrl)).status).toBe(
      404,
    );
    expect((await keepalive(second.body.device.uri, second.token, second.deviceUrl)).status).toBe(
      200,
    );
  });

  it('on: a user at the device limit is not refused, the seeded devices are superseded', async () => {
    emu.setConfig({ supersedeOlderDevices: true });
    const token = emu.issueTokens(CAROL.email).access_token;
    const res = await register(
      emu.urls.mobiusPrimaryApi,
      token,
      CAROL.id,
      await createWdmDevice(emu, token),
    );
    expect(res.status).toBe(200);
    expect(emu.devices(CAROL.email)).toHaveLength(1);
  });
});

describe('lapses and device history', () => {
  it('reports each expiry with the moment it happened; deletions are not lapses', async () => {
    const kept = await registeredLine(emu);
    const lost = await registeredLine(emu);
    await deregister(kept.body.device.uri, kept.token, kept.deviceUrl);
    clock.advance(10_000);
    await keepalive(lost.body.device.uri, lost.token, lost.deviceUrl);
    const lastKeepalive = clock.t;
    clock.advance(200_000);
    const { status, body } = await admin(emu, 'GET', `/lapses?email=${ALICE.email}`);
    expect(status).toBe(200);
    expect(body.lapses).toEqual([
      {
        email: ALICE.email,
        userId: ALICE.id,
        deviceId: lost.body.device.deviceId,
        server: 'primary',
        createdAt: expect.any(String),
        lastKeepaliveAt: new Date(lastKeepalive).toISOString(),
        expiredAt: new Date(lastKeepalive + 150_000).toISOString(),
      },
    ]);
  });

  it('maxLive: the most devices of one user alive at once, seeded ones not counted', async () => {
    emu.setConfig({ deviceLimit: 5 });
    const a = await registeredLine(emu);
    await deregister(a.body.device.uri, a.token, a.deviceUrl);
    await registeredLine(emu);
    expect(emu.deviceHistory(ALICE.email).maxLive).toBe(1);
    await registeredLine(emu);
    const history = await admin(emu, 'GET', `/device-history?email=${ALICE.email}`);
    expect(history.body.maxLive).toBe(2);
    expect(history.body.devices).toHaveLength(3);
    expect(emu.deviceHistory(CAROL.email).maxLive).toBe(0);
    expect(emu.deviceHistory(CAROL.email).devices).toHaveLength(3);
  });

  it('the request log has each request’s arrival time', async () => {
    await fetch(`${emu.urls.mobiusPrimaryApi}/ping`);
    expect(emu.requestLog()[0]).toMatchObject({ receivedAt: clock.t, at: clock.t });
  });
});
