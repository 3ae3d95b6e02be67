import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, CAROL, type Emulator } from './index';
import {
  admin,
  bearer,
  codeForm,
  createWdmDevice,
  deregister,
  exchange,
  type FakeClock,
  get,
  keepalive,
  mobiusHeaders,
  register,
  signIn,
  startTest,
} from './test-support';

let emu: Emulator;
let clock: FakeClock;
beforeEach(async () => {
  ({ emu, clock } = await startTest());
});
afterEach(() => emu.close());

describe('CORS and tracking ids', () => {
  it('answers a preflight with the Webex request headers allowed', async () => {
    const res = await fetch(`${emu.urls.mobiusPrimaryApi}/calling/web/device`, {
      method: 'OPTIONS',
      headers: {
        origin: 'chrome-extension://abc',
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'authorization,cisco-device-url,spark-user-agent,content-type,trackingid',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('chrome-extension://abc');
    const allowed = res.headers.get('access-control-allow-headers') ?? '';
    for (const h of [
      'authorization',
      'content-type',
      'cisco-device-url',
      'spark-user-agent',
      'trackingid',
    ]) {
      expect(allowed).toContain(h);
    }
    expect(res.headers.get('access-control-allow-methods')).toContain('DELETE');
    expect(emu.requestLog()).toEqual([]);
  });

  it("allows a page's cross-origin PATCH (the SDK's sig_alerting and sig_connected)", async () => {
    const res = await fetch(`${emu.urls.mobiusPrimaryApi}/calling/web/devices/d1/calls/c1`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://127.0.0.1:8080',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    const methods = (res.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['PATCH', 'DELETE', 'POST']));
  });

  it('puts trackingid and exposed headers on every response, echoing the client id', async () => {
    const res = await fetch(`${emu.urls.base}/v1/region`, {
      headers: { trackingid: 'webex-js-sdk_1' },
    });
    expect(res.headers.get('trackingid')).toBe('webex-js-sdk_1');
    expect(res.headers.get('access-control-expose-headers')).toContain('Trackingid');
    const other = await fetch(`${emu.urls.base}/nowhere`);
    expect(other.headers.get('trackingid')).toMatch(/^ROUTER_[0-9A-F-]{36}$/);
  });
});

describe('bad requests', () => {
  it('answers an unknown path with the REST error shape and records it', async () => {
    const res = await fetch(`${emu.urls.primary}/api/v1/calling/web/devicez`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      message: expect.any(String),
      errors: [{ description: expect.any(String) }],
      trackingId: res.headers.get('trackingid'),
    });
    expect(emu.deviations()).toEqual([
      expect.objectContaining({
        method: 'GET',
        server: 'primary',
        reason: 'unknown path on the primary listener',
      }),
    ]);
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const res = await fetch(`${emu.urls.base}/v1/access_token`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('closes a connection that sends garbage instead of hanging', async () => {
    const port = new URL(emu.urls.primary).port;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('NOT HTTP AT ALL\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (chunk) => {
        data += chunk.toString();
      });
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('deviation log', () => {
  it('records nothing for a well-formed SDK-like sequence', async () => {
    const { code, verifier } = await signIn(emu);
    const tokens = await (await exchange(emu, codeForm(code, verifier))).json();
    const token = tokens.access_token as string;
    await get(`${emu.urls.base}/v1/people/me`, bearer(token));
    await get(`${emu.urls.base}/u2c/api/v1/catalog?format=hostmap`, bearer(token));
    await get(`${emu.urls.base}/v1/region`, { 'spark-user-agent': 'webex-js-sdk/3 (web)' });
    const deviceUrl = await createWdmDevice(emu, token);
    await get(
      `${emu.urls.primary}/api/v1/calling/web/?regionCode=US-EAST&countryCode=US`,
      mobiusHeaders(token, deviceUrl),
    );
    const reg = await (
      await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl)
    ).json();
    await keepalive(reg.device.uri, token, deviceUrl);
    await get(`${emu.urls.mobiusPrimaryApi}/ping`, mobiusHeaders(token, deviceUrl));
    await get(
      `${emu.urls.mobiusPrimaryApi}/calling/web/devices?userid=${ALICE.id}`,
      mobiusHeaders(token, deviceUrl),
    );
    await deregister(reg.device.uri, token, deviceUrl);
    const log = emu.requestLog();
    expect(log.map((e) => e.status)).toEqual([
      200, 302, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200,
    ]);
    expect(emu.deviations()).toEqual([]);
  });

  it('records a Mobius request without spark-user-agent but still serves it', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    const { 'spark-user-agent': _, ...headers } = mobiusHeaders(token, deviceUrl);
    const res = await fetch(`${emu.urls.mobiusPrimaryApi}/calling/web/device`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: ALICE.id,
        clientDeviceUri: deviceUrl,
        serviceData: { indicator: 'calling', domain: '' },
      }),
    });
    expect(res.status).toBe(200);
    expect(emu.deviations()).toEqual([
      {
        at: clock.t,
        method: 'POST',
        path: '/api/v1/calling/web/device',
        server: 'primary',
        reason: 'missing spark-user-agent header',
      },
    ]);
    const logged = (await admin(emu, 'GET', '/log')).body.entries as Array<{ deviation?: string }>;
    expect(logged.at(-1)?.deviation).toBe('missing spark-user-agent header');
  });

  it('never logs tokens or codes', async () => {
    const { code, verifier, location } = await signIn(emu);
    const tokens = await (await exchange(emu, codeForm(code, verifier))).json();
    await get(`${emu.urls.base}/v1/people/me`, bearer(tokens.access_token));
    await get(`${location.origin}/v1/authorize?code=${code}`).catch(() => undefined);
    await get(`${emu.urls.base}/v1/region?code=${code}&access_token=${tokens.access_token}`);
    const text = JSON.stringify([emu.requestLog(), emu.deviations()]);
    expect(text).not.toContain(code);
    expect(text).not.toContain(tokens.access_token);
    expect(text).not.toContain(verifier);
    expect(text).toContain('code=***');
  });
});

describe('admin API', () => {
  it('resets devices, tokens, config, faults, servers and logs', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl);
    await admin(emu, 'POST', '/config', { keepaliveIntervalSec: 5 });
    await admin(emu, 'POST', '/faults', { endpoint: 'ping', status: 500 });
    await admin(emu, 'POST', '/servers/backup/down');
    const carolBefore = emu.devices(CAROL.email).map((d) => d.deviceId);
    expect((await admin(emu, 'POST', '/reset')).status).toBe(200);
    expect((await admin(emu, 'GET', '/devices?email=alice@example.com')).body.devices).toEqual([]);
    const carolAfter = emu.devices(CAROL.email).map((d) => d.deviceId);
    expect(carolAfter).toHaveLength(3);
    expect(carolAfter).not.toEqual(carolBefore);
    expect(emu.config.keepaliveIntervalSec).toBe(30);
    expect((await get(`${emu.urls.base}/v1/people/me`, bearer(token))).status).toBe(401);
    expect((await fetch(`${emu.urls.mobiusBackupApi}/ping`)).status).toBe(200);
    expect((await admin(emu, 'GET', '/faults')).body.faults).toEqual([]);
    expect(emu.requestLog()).toHaveLength(2);
  });

  it('reads and validates config', async () => {
    expect((await admin(emu, 'GET', '/config')).body.deviceLimit).toBe(3);
    const bad = await admin(emu, 'POST', '/config', { keepaliveIntervalSec: -1 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('keepaliveIntervalSec');
    expect((await admin(emu, 'POST', '/config', { nope: 1 })).status).toBe(400);
    const ok = await admin(emu, 'POST', '/config', {
      deviceLimit: 5,
      autoConsentEmail: 'alice@example.com',
    });
    expect(ok.body).toMatchObject({ deviceLimit: 5, autoConsentEmail: 'alice@example.com' });
  });

  it('revokes and expires tokens by email and lists devices with their expiry', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    expect((await admin(emu, 'POST', '/tokens/expire', { email: ALICE.email })).body).toEqual({
      expired: 1,
    });
    expect((await get(`${emu.urls.base}/v1/people/me`, bearer(token))).status).toBe(401);
    const issued = await admin(emu, 'POST', '/tokens', { email: ALICE.email });
    expect(issued.body.token_type).toBe('Bearer');
    expect((await admin(emu, 'POST', '/tokens/revoke', { email: ALICE.email })).body).toEqual({
      revoked: 3,
    });
    expect((await admin(emu, 'POST', '/tokens/revoke', { email: 'x@y.z' })).status).toBe(400);
    const carol = (await admin(emu, 'GET', '/devices?email=carol@example.com')).body
      .devices as unknown[];
    expect(carol[0]).toMatchObject({
      email: CAROL.email,
      server: 'primary',
      expiresAt: null,
      keptAliveElsewhere: true,
    });
  });

  it('advances the clock for demos', async () => {
    const before = emu.now();
    const res = await admin(emu, 'POST', '/clock', { advanceMs: 60_000 });
    expect(res.body.now).toBe(before + 60_000);
  });

  it('serves the admin index, the demo page and a quiet favicon', async () => {
    const index = await (await fetch(`${emu.urls.admin}/`)).text();
    expect(index).toContain('/_emulator/faults');
    const demo = await (await fetch(emu.urls.demo)).text();
    expect(demo).toContain(
      '<button type="button" data-webex-line="register">Register my Webex line</button>',
    );
    expect(demo).toContain("addEventListener('webex-line:status'");
    expect(demo).toContain('data-webex-line-status');
    expect(demo).not.toMatch(/(src|href)="https?:/);
    expect((await fetch(`${emu.urls.base}/favicon.ico`)).status).toBe(204);
    expect(emu.deviations()).toEqual([]);
  });
});
