import { describe, expect, it, vi } from 'vitest';
import { BACKUP, PRIMARY, USER_UUID, WDM_BASE } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';

const REGISTER = `${PRIMARY}device`;

async function signedIn() {
  const h = new Harness();
  await h.signIn();
  h.http.calls.length = 0;
  return h;
}

async function register(h: Harness) {
  await h.service.register();
  await h.service.whenIdle();
  return h.service.snapshot();
}

describe('registration', () => {
  it('registers on the first primary: connecting, then registered with the line', async () => {
    const h = await signedIn();
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting', 'registered']);
    expect(snap).toMatchObject({
      state: 'active',
      display: 'registered',
      error: null,
      server: { url: PRIMARY, role: 'primary' },
    });
    expect(snap.line).toMatchObject({
      status: 'active',
      keepaliveInterval: 30,
      phoneNumber: '+1 408 555 0100',
      extension: '0100',
      voicemail: '5000',
    });
    expect(h.cloud.devices.size).toBe(1);
    const post = h.http.calls.find((c) => c.url === REGISTER);
    expect(JSON.parse(post?.body ?? '{}')).toMatchObject({
      userId: USER_UUID,
      clientDeviceUri: expect.stringContaining(WDM_BASE),
    });
  });

  it('never creates a second device for repeated or concurrent register()', async () => {
    const h = await signedIn();
    await Promise.all([h.service.register(), h.service.register(), h.service.register()]);
    await h.service.whenIdle();
    await h.service.register();
    await h.service.whenIdle();
    expect(h.http.count('POST', REGISTER)).toBe(1);
    expect(h.cloud.devices.size).toBe(1);
    expect(h.events()).toEqual(['connecting', 'registered']);
  });

  it('resolves register() once started, before the POST answers', async () => {
    const h = await signedIn();
    let answer!: () => void;
    h.http.on(
      'POST',
      REGISTER,
      (req) =>
        new Promise((resolve) => {
          answer = () => resolve(h.cloud.handle(req));
        }),
      1,
    );
    const snap = await h.service.register();
    expect(snap.state).toBe('connecting');
    expect(h.events()).toEqual(['connecting']);
    await vi.waitFor(() => expect(answer).toBeTypeOf('function'));
    expect(await h.state()).toBe('connecting');
    answer();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
  });

  it('a keepaliveInterval that is not positive falls back to the default 30 s', async () => {
    const h = await signedIn();
    h.cloud.registrationFields.keepaliveInterval = 0;
    const snap = await register(h);
    expect(snap.line?.keepaliveInterval).toBe(30);
    expect(h.scheduler.at('line:keepalive')).toBe(h.clock.now() + 30_000);
  });

  it('extreme server values are clamped (and logged): no keepalive storm, no failback loop', async () => {
    const h = await signedIn();
    h.cloud.registrationFields.keepaliveInterval = 0.001;
    h.cloud.registrationFields.rehomingIntervalMin = -5;
    h.cloud.registrationFields.rehomingIntervalMax = 1e9;
    const snap = await register(h);
    // 1 s, the bound: the old engine armed the next keepalive 1 ms ahead (2,000 in 2 s).
    expect(snap.line?.keepaliveInterval).toBe(1);
    expect(h.scheduler.at('line:keepalive')).toBe(h.clock.now() + 1_000);
    // A negative bound is "not set" (the default window applies), a huge one a day.
    expect(snap.line?.rehomingIntervalMin).toBeUndefined();
    expect(snap.line?.rehomingIntervalMax).toBe(1440);
    const logged = (text: string) =>
      h.diagnostics.filter((d) => d.message.includes(text)).map((d) => d.data?.name);
    expect(logged('clamped')).toEqual(['keepaliveInterval', 'rehomingIntervalMax']);
    expect(logged('not positive')).toEqual(['rehomingIntervalMin']);
  });

  it('deregister: DELETE, unregistered, idle; the line status becomes IDLE', async () => {
    const h = await signedIn();
    await register(h);
    const snap = await h.service.deregister();
    expect(snap).toMatchObject({ state: 'idle', display: 'inactive' });
    expect(snap.line?.status).toBe('IDLE');
    expect(h.events().at(-1)).toBe('unregistered');
    expect(h.cloud.devices.size).toBe(0);
    expect(h.scheduler.deadlines.has('line:keepalive')).toBe(false);
  });

  it('a deregister right after register ends idle with no device', async () => {
    const h = await signedIn();
    void h.service.register();
    await h.service.deregister();
    await h.service.whenIdle();
    expect(await h.state()).toBe('idle');
    expect(h.cloud.devices.size).toBe(0);
  });
});

describe('registration error table', () => {
  it('400: final bad_request', async () => {
    const h = await signedIn();
    h.cloud.fault('register', json(400, { message: 'bad' }));
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting', 'error']);
    expect(snap).toMatchObject({ state: 'inactive', display: 'error', nextAttemptAt: null });
    expect(snap.error).toMatchObject({
      type: 'registrationError',
      detail: { sdkType: 'bad_request', httpStatus: 400, action: 'signIn' },
    });
    expect(h.http.count('POST', /calling\/web\/device$/)).toBe(1);
  });

  it('401 once: refresh the token and replay', async () => {
    const h = await signedIn();
    h.cloud.expireAccessTokens();
    const snap = await register(h);
    expect(snap.state).toBe('active');
    expect(h.http.count('POST', /access_token$/)).toBe(1);
    expect(h.events()).toEqual(['connecting', 'registered']);
  });

  it('401 again after a refresh: the seed token error', async () => {
    const h = await signedIn();
    h.cloud.fault('register', json(401), { times: 2 });
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting', 'error']);
    expect(snap.error).toMatchObject({
      type: 'tokenError',
      msg: 'Token expired. Authentication/Authorization error.',
      detail: { action: 'signIn' },
    });
    expect(h.http.count('POST', REGISTER)).toBe(2);
  });

  it('403/102: final, not configured for WebRTC calling', async () => {
    const h = await signedIn();
    h.cloud.fault('register', json(403, { errorCode: 102 }));
    const snap = await register(h);
    expect(snap.error?.msg).toBe(
      'User is not configured for WebRTC calling. Please contact the administrator to resolve this issue.',
    );
    expect(h.events()).toEqual(['connecting', 'error']);
  });

  it.each([
    ['403/103', json(403, { errorCode: 103 })],
    ['403 other code', json(403, { errorCode: 7 })],
    ['403 without body', () => new Response(null, { status: 403 })],
    ['500', json(500)],
    ['503', json(503)],
    ['502 (default)', json(502)],
    ['409 (default in 3.12.0)', json(409)],
  ] as const)('%s: unregistered, then the failover timer retries', async (_name, reply) => {
    const h = await signedIn();
    h.cloud.fault('register', reply as never, { prefix: PRIMARY });
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting', 'unregistered']);
    expect(snap).toMatchObject({
      state: 'connecting',
      error: null,
      nextAttemptAt: h.clock.now() + 33_000,
    });
    await h.advance(33_000);
    expect(await h.state()).toBe('active');
    expect(h.events()).toEqual(['connecting', 'unregistered', 'registered']);
  });

  it('429: no event; the retry waits at least Retry-After', async () => {
    const h = await signedIn();
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '50' }), { prefix: PRIMARY });
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting']);
    expect(snap.nextAttemptAt).toBe(h.clock.now() + 50_000);
    await h.advance(49_000);
    expect(h.http.count('POST', REGISTER)).toBe(1);
    await h.advance(1_000);
    expect(await h.state()).toBe('active');
  });

  it('network failure on the primary: straight to the backups', async () => {
    const h = await signedIn();
    h.cloud.fault('register', 'network', { prefix: PRIMARY });
    const snap = await register(h);
    expect(snap.server).toEqual({ url: BACKUP, role: 'backup' });
    expect(h.events()).toEqual(['connecting', 'unregistered', 'registered']);
  });

  it('404 with a cached WDM device: re-create it once, then register', async () => {
    const h = await signedIn();
    await register(h);
    await h.service.deregister();
    h.cloud.fault('register', json(404));
    const snap = await register(h);
    expect(snap.state).toBe('active');
    expect(h.http.count('POST', `${WDM_BASE}/devices`)).toBe(2);
  });

  it('404 again with a fresh WDM device: final "Device not found."', async () => {
    const h = await signedIn();
    h.cloud.fault('register', json(404), { times: 5 });
    await register(h);
    expect(h.errors()).toEqual([
      {
        status: 'inactive',
        type: 'registrationError',
        msg: 'Device not found.',
        detail: { sdkType: 'not_found', httpStatus: 404, action: 'retry' },
      },
    ]);
    expect(await h.state()).toBe('inactive');
  });

  it('a garbled 200: remove any device of ours there, count it as a failure', async () => {
    const h = await signedIn();
    h.http.on(
      'POST',
      REGISTER,
      async (req) => {
        await h.cloud.handle(req);
        return new Response('{"device":', { status: 200 });
      },
      1,
    );
    const snap = await register(h);
    expect(h.http.count('GET', `${PRIMARY}devices?userid=${USER_UUID}`)).toBe(1);
    expect(h.http.count('DELETE', /devices\/dev-/)).toBe(1);
    expect(h.cloud.devices.size).toBe(0);
    expect(snap.state).toBe('connecting');
    expect(
      h.diagnostics.some((d) =>
        String(d.data?.detail).includes('Line registration: response: expected an object'),
      ),
    ).toBe(true);
  });
});

describe('device limit (403/101)', () => {
  /** Another browser of the same user already holds the only slot, on the backup server. */
  function otherDevice(h: Harness) {
    h.cloud.deviceLimit = 1;
    h.cloud.devices.set('other-1', {
      deviceId: 'other-1',
      uri: `${BACKUP}devices/other-1`,
      serverUrl: BACKUP,
      clientDeviceUri: `${WDM_BASE}/devices/someone-else`,
      lastSeen: '2026-01-01T00:00:00Z',
      addresses: [],
      status: 'active',
    });
  }

  it('restores: deletes devices[0] at its own server, registers there', async () => {
    const h = await signedIn();
    otherDevice(h);
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting', 'unregistered', 'registered']);
    expect(snap).toMatchObject({ state: 'active', server: { url: BACKUP, role: 'backup' } });
    const del = h.http.calls.find(
      (c) => c.method === 'DELETE' && c.url === `${BACKUP}devices/other-1`,
    );
    expect(del?.headers['cisco-device-url']).toBe(`${WDM_BASE}/devices/someone-else`);
    expect([...h.cloud.devices.keys()]).toHaveLength(1);
    expect(h.cloud.devices.has('other-1')).toBe(false);
  });

  it('a 429 on the restore re-POST: its Retry-After holds back the failover timer', async () => {
    const h = await signedIn();
    otherDevice(h);
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '50' }), { prefix: BACKUP });
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting', 'unregistered']);
    expect(snap).toMatchObject({ state: 'connecting', nextAttemptAt: h.clock.now() + 50_000 });
    await h.advance(50_000);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('cannot restore when 101 comes again: the seed device-limit error', async () => {
    const h = await signedIn();
    otherDevice(h);
    h.cloud.fault('register', json(403, { errorCode: 101, devices: [] }), { prefix: BACKUP });
    const snap = await register(h);
    expect(h.events()).toEqual(['connecting', 'unregistered', 'unregistered', 'error']);
    expect(snap.error).toEqual({
      status: 'inactive',
      type: 'registrationError',
      msg: 'Device limit exceeded. The user already logged in to a different device.',
      detail: { sdkType: 'forbidden', httpStatus: 403, errorCode: 101, action: 'retry' },
    });
  });

  it('cannot restore without a listed device', async () => {
    const h = await signedIn();
    h.cloud.fault('register', json(403, { errorCode: 101, userId: USER_UUID, devices: [] }));
    await register(h);
    expect(h.events()).toEqual(['connecting', 'unregistered', 'error']);
    expect(h.errors()[0]?.msg).toBe(
      'Device limit exceeded. The user already logged in to a different device.',
    );
  });
});

describe('preconditions', () => {
  it('not signed in: a token error that says to sign in', async () => {
    const h = new Harness();
    const snap = await register(h);
    expect(snap.error).toMatchObject({
      type: 'tokenError',
      msg: 'Sign in to Webex to register your line.',
      detail: { action: 'signIn' },
    });
    expect(h.http.calls).toHaveLength(0);
  });

  it('not configured: points to the settings', async () => {
    const h = new Harness({ settings: { clientSecret: '' } });
    const snap = await register(h);
    expect(snap).toMatchObject({
      configured: false,
      error: { type: 'registrationError', detail: { action: 'openSettings' } },
    });
  });

  it('a malformed catalog is a clear registration error', async () => {
    const h = await signedIn();
    h.cloud.catalog = { serviceLinks: { wdm: 'not a url' } };
    const snap = await register(h);
    expect(snap.error).toMatchObject({
      type: 'registrationError',
      msg: 'Service catalog: serviceLinks.wdm is missing or not a URL. Wait a moment and try again.',
      detail: { action: 'retry' },
    });
  });
});
