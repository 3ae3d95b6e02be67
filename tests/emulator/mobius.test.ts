import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, CAROL, type Emulator } from './index';
import {
  bearer,
  createWdmDevice,
  deregister,
  type FakeClock,
  get,
  keepalive,
  mobiusHeaders,
  register,
  registeredLine,
  startTest,
} from './test-support';

let emu: Emulator;
let clock: FakeClock;
beforeEach(async () => {
  ({ emu, clock } = await startTest());
});
afterEach(() => emu.close());

const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('registration', () => {
  it('registers on the primary with every §5 field', async () => {
    const { body, deviceUrl } = await registeredLine(emu);
    expect(body).toEqual({
      userId: ALICE.id,
      device: {
        deviceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        uri: expect.any(String),
        status: 'active',
        lastSeen: expect.stringMatching(ISO_SECONDS),
        addresses: [expect.stringMatching(/^sip:\S+@\S+$/)],
        clientDeviceUri: deviceUrl,
      },
      keepaliveInterval: 30,
      callKeepaliveInterval: 60,
      rehomingIntervalMin: 60,
      rehomingIntervalMax: 120,
      voicePortalNumber: 5000,
      voicePortalExtension: 5000,
    });
    expect(body.device.uri).toBe(
      `${emu.urls.mobiusPrimaryApi}/calling/web/devices/${body.device.deviceId}`,
    );
  });

  it('gives a device registered on the backup a backup uri', async () => {
    const { body } = await registeredLine(emu, ALICE.email, 'backup');
    expect(body.device.uri.startsWith(`${emu.urls.mobiusBackupApi}/calling/web/devices/`)).toBe(
      true,
    );
  });

  it('answers 403 errorCode 102 for a user not enabled for WebRTC calling', async () => {
    const token = emu.issueTokens(BOB.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    const res = await register(emu.urls.mobiusPrimaryApi, token, BOB.id, deviceUrl);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ userId: BOB.id, errorCode: 102 });
  });

  it('answers 403/101 with full devices oldest first at the limit; the SDK restore then works', async () => {
    const token = emu.issueTokens(CAROL.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    const res = await register(emu.urls.mobiusPrimaryApi, token, CAROL.id, deviceUrl);
    expect(res.status).toBe(403);
    const body = await res.json();
    expect(body.userId).toBe(CAROL.id);
    expect(body.errorCode).toBe(101);
    expect(body.devices).toHaveLength(3);
    for (const d of body.devices) {
      expect(Object.keys(d).sort()).toEqual([
        'addresses',
        'clientDeviceUri',
        'deviceId',
        'lastSeen',
        'status',
        'uri',
      ]);
    }
    const created = emu.devices(CAROL.email).map((d) => d.deviceId);
    expect(body.devices.map((d: { deviceId: string }) => d.deviceId)).toEqual(created);

    // SDK restore: DELETE devices[0] with its own clientDeviceUri on its server, then re-POST there.
    const oldest = body.devices[0];
    const del = await deregister(oldest.uri, token, oldest.clientDeviceUri);
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ userId: CAROL.id, device: oldest });
    const server = oldest.uri.replace(/devices\/[^/]+$/, '');
    const again = await register(
      server.replace(/\/calling\/web\/$/, ''),
      token,
      CAROL.id,
      deviceUrl,
    );
    expect(again.status).toBe(200);
    expect(emu.devices(CAROL.email)).toHaveLength(3);
    expect(emu.deviations()).toEqual([]);
  });

  it('counts a user up to deviceLimit live devices', async () => {
    emu.setConfig({ deviceLimit: 2 });
    await registeredLine(emu);
    await registeredLine(emu, ALICE.email, 'backup');
    const token = emu.issueTokens(ALICE.email).access_token;
    const res = await register(
      emu.urls.mobiusPrimaryApi,
      token,
      ALICE.id,
      await createWdmDevice(emu, token),
    );
    expect(res.status).toBe(403);
    expect((await res.json()).devices).toHaveLength(2);
  });

  it('answers 403/101 listing the live device when the same browser registers again', async () => {
    const { token, deviceUrl, body } = await registeredLine(emu);
    const res = await register(emu.urls.mobiusBackupApi, token, ALICE.id, deviceUrl);
    expect(res.status).toBe(403);
    const again = await res.json();
    expect(again.errorCode).toBe(101);
    expect(again.devices).toEqual([body.device]);
  });

  it('answers 401 for a token without spark:webrtc_calling', async () => {
    const token = emu.issueTokens(ALICE.email, { scopes: ['spark:people_read'] }).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    expect((await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl)).status).toBe(
      401,
    );
  });

  it('answers 401 for a missing, expired or revoked token', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    const bare = await fetch(`${emu.urls.mobiusPrimaryApi}/calling/web/device`, { method: 'POST' });
    expect(bare.status).toBe(401);
    emu.expireTokens({ email: ALICE.email });
    expect((await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl)).status).toBe(
      401,
    );
    const fresh = emu.issueTokens(ALICE.email).access_token;
    emu.revokeTokens({ email: ALICE.email });
    expect((await register(emu.urls.mobiusPrimaryApi, fresh, ALICE.id, deviceUrl)).status).toBe(
      401,
    );
  });

  it.each([
    [
      'userId of someone else',
      (url: string) => ({
        userId: BOB.id,
        clientDeviceUri: url,
        serviceData: { indicator: 'calling', domain: '' },
      }),
    ],
    ['no serviceData', (url: string) => ({ userId: ALICE.id, clientDeviceUri: url })],
    [
      'a bad indicator',
      (url: string) => ({
        userId: ALICE.id,
        clientDeviceUri: url,
        serviceData: { indicator: 'x', domain: '' },
      }),
    ],
    [
      'an unknown clientDeviceUri',
      () => ({
        userId: ALICE.id,
        clientDeviceUri: 'https://wdm.example/devices/1',
        serviceData: { indicator: 'calling', domain: '' },
      }),
    ],
    ['a JSON array', () => []],
  ])('answers 400 for %s', async (_name, makeBody) => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    const res = await register(
      emu.urls.mobiusPrimaryApi,
      token,
      ALICE.id,
      deviceUrl,
      makeBody(deviceUrl),
    );
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].description).toBeTruthy();
    expect(emu.deviations().length).toBeGreaterThan(0);
  });

  it('answers 400 for invalid JSON and for a non-JSON content type', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    for (const [type, body] of [
      ['application/json', '{"userId":'],
      ['text/plain', JSON.stringify({ userId: ALICE.id })],
    ]) {
      const res = await fetch(`${emu.urls.mobiusPrimaryApi}/calling/web/device`, {
        method: 'POST',
        headers: { ...mobiusHeaders(token, deviceUrl), 'content-type': type ?? '' },
        body,
      });
      expect(res.status).toBe(400);
    }
  });
});

describe('keepalive, listing and deregistration', () => {
  it('keeps a device alive, lists it, deletes it, then 404s', async () => {
    const { token, deviceUrl, body } = await registeredLine(emu);
    clock.advance(30_000);
    const ok = await keepalive(body.device.uri, token, deviceUrl);
    expect(ok.status).toBe(200);
    const list = await get(
      `${emu.urls.mobiusPrimaryApi}/calling/web/devices?userid=${ALICE.id}`,
      mobiusHeaders(token, deviceUrl),
    );
    const listed = await list.json();
    expect(listed.userId).toBe(ALICE.id);
    expect(listed.devices).toHaveLength(1);
    expect(Date.parse(listed.devices[0].lastSeen)).toBe(clock.t);
    const del = await deregister(body.device.uri, token, deviceUrl);
    expect(del.status).toBe(200);
    expect((await del.json()).device.deviceId).toBe(body.device.deviceId);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(404);
    expect((await deregister(body.device.uri, token, deviceUrl)).status).toBe(404);
  });

  it('expires a device after 5 missed keepalives, evaluated against the clock', async () => {
    const { token, deviceUrl, body } = await registeredLine(emu);
    clock.advance(150_000);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(200);
    clock.advance(150_001);
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(404);
    expect(emu.devices(ALICE.email)).toEqual([]);
  });

  it('404s an unknown device and a device kept alive on the wrong server', async () => {
    const { token, deviceUrl, body } = await registeredLine(emu);
    const unknown = `${emu.urls.mobiusPrimaryApi}/calling/web/devices/00000000-0000-4000-8000-000000000000`;
    expect((await keepalive(unknown, token, deviceUrl)).status).toBe(404);
    expect(emu.deviations()).toEqual([]);
    const wrong = body.device.uri.replace(emu.urls.primary, emu.urls.backup);
    expect((await keepalive(wrong, token, deviceUrl)).status).toBe(404);
    expect(emu.deviations().map((d) => d.reason)).toEqual([
      'keepalive: sent to backup, but the device lives on primary',
    ]);
  });

  it("refuses to list another user's devices", async () => {
    const { token, deviceUrl } = await registeredLine(emu);
    const res = await get(
      `${emu.urls.mobiusPrimaryApi}/calling/web/devices?userid=${BOB.id}`,
      mobiusHeaders(token, deviceUrl),
    );
    expect(res.status).toBe(403);
  });

  it('answers ping with 200', async () => {
    const { token, deviceUrl } = await registeredLine(emu);
    expect(
      (await get(`${emu.urls.mobiusBackupApi}/ping`, mobiusHeaders(token, deviceUrl))).status,
    ).toBe(200);
  });
});

describe('listeners going down', () => {
  it('refuses connections while down and serves the same port when up', async () => {
    const { token, deviceUrl, body } = await registeredLine(emu);
    await emu.serverDown('primary');
    const failure = await keepalive(body.device.uri, token, deviceUrl).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(TypeError);
    expect(((failure as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
    // The backup still answers.
    expect((await get(`${emu.urls.mobiusBackupApi}/ping`, bearer(token))).status).toBe(200);
    await emu.serverUp('primary');
    expect((await keepalive(body.device.uri, token, deviceUrl)).status).toBe(200);
  });
});
