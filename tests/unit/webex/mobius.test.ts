import { describe, expect, it } from 'vitest';
import {
  deleteDevice,
  listDevices,
  ping,
  pingUrl,
  registerDevice,
  sendKeepalive,
  serverOfDevice,
} from '../../../lib/webex/mobius';
import { registerWdmDevice } from '../../../lib/webex/wdm';
import { bodyJson, json, ScriptedFetch } from '../fakes/fetch';
import { must } from '../fakes/must';

const SERVER = 'https://mobius-dfw.test/api/v1/calling/web/';
const AUTH = {
  authorization: 'Bearer tok',
  clientDeviceUri: 'https://wdm.test/devices/w1',
  trackingId: 'track-1',
};
const DEVICE = {
  deviceId: 'beb3c025',
  uri: `${SERVER}devices/beb3c025`,
  status: 'active',
  lastSeen: '2022-04-05T05:08:46Z',
  addresses: ['sip:x@y'],
  clientDeviceUri: AUTH.clientDeviceUri,
};

describe('Mobius requests', () => {
  it('registers with POST {server}device, the headers and the reference body', async () => {
    const http = new ScriptedFetch();
    http.on(
      'POST',
      `${SERVER}device`,
      json(200, { userId: 'u1', device: DEVICE, keepaliveInterval: 30, voicePortalNumber: '5000' }),
    );
    const outcome = await registerDevice(http.fetch, SERVER, AUTH, 'u1');
    expect(outcome).toMatchObject({
      ok: true,
      value: { device: DEVICE, keepaliveInterval: 30, voicePortalNumber: 5000 },
    });
    const call = must(http.calls[0]);
    expect(call.headers).toMatchObject({
      authorization: 'Bearer tok',
      'cisco-device-url': AUTH.clientDeviceUri,
      'spark-user-agent': 'webex-calling/beta',
      trackingid: 'track-1',
      'content-type': 'application/json',
    });
    expect(bodyJson(call)).toEqual({
      userId: 'u1',
      clientDeviceUri: AUTH.clientDeviceUri,
      serviceData: { indicator: 'calling', domain: '' },
    });
  });

  it('returns failures as data: status, body, Retry-After, tracking id', async () => {
    const http = new ScriptedFetch();
    http.on(
      'POST',
      `${SERVER}device`,
      json(429, { message: 'slow down' }, { 'Retry-After': '42', trackingid: 'T1' }),
    );
    const outcome = await registerDevice(http.fetch, SERVER, AUTH, 'u1');
    expect(outcome).toEqual({
      ok: false,
      error: {
        kind: 'http',
        status: 429,
        body: { message: 'slow down' },
        retryAfter: 42,
        trackingId: 'T1',
        message: 'Line registration failed with HTTP 429: slow down',
      },
    });
  });

  it('reports a network failure and a garbled 200 without throwing', async () => {
    const http = new ScriptedFetch();
    http.on('POST', `${SERVER}device`, 'network', 1);
    expect(await registerDevice(http.fetch, SERVER, AUTH, 'u1')).toEqual({
      ok: false,
      error: { kind: 'network', message: 'mobius-dfw.test could not be reached' },
    });
    http.on('POST', `${SERVER}device`, () => new Response('<html>oops</html>', { status: 200 }), 1);
    const garbled = await registerDevice(http.fetch, SERVER, AUTH, 'u1');
    expect(garbled.ok ? null : garbled.error).toMatchObject({
      kind: 'malformed',
      message: 'Line registration: response: expected an object',
    });
    http.on('POST', `${SERVER}device`, json(200, { device: { uri: DEVICE.uri } }), 1);
    const missing = await registerDevice(http.fetch, SERVER, AUTH, 'u1');
    expect(missing.ok ? '' : missing.error.message).toBe(
      'Line registration: device.deviceId: expected a non-empty string',
    );
  });

  it('sends the keepalive to {device.uri}/status with no body', async () => {
    const http = new ScriptedFetch();
    http.on('POST', `${DEVICE.uri}/status`, new Response(null, { status: 204 }));
    expect((await sendKeepalive(http.fetch, DEVICE.uri, AUTH)).ok).toBe(true);
    expect(http.calls[0]?.body).toBeUndefined();
    expect(http.calls[0]?.headers['cisco-device-url']).toBe(AUTH.clientDeviceUri);
  });

  it('deletes with DELETE {server}devices/{id}', async () => {
    const http = new ScriptedFetch();
    http.on('DELETE', `${SERVER}devices/beb3c025`, json(200, { userId: 'u1', device: DEVICE }));
    expect(
      (await deleteDevice(http.fetch, SERVER, 'beb3c025', { ...AUTH, clientDeviceUri: 'other' }))
        .ok,
    ).toBe(true);
    expect(http.calls[0]?.headers['cisco-device-url']).toBe('other');
  });

  it('pings {base}/ping and lists devices by user', async () => {
    expect(pingUrl(SERVER)).toBe('https://mobius-dfw.test/api/v1/ping');
    const http = new ScriptedFetch();
    http.on('GET', 'https://mobius-dfw.test/api/v1/ping', json(200, {}));
    http.on(
      'GET',
      `${SERVER}devices?userid=u%201`,
      json(200, { userId: 'u 1', devices: [DEVICE] }),
    );
    expect((await ping(http.fetch, SERVER, AUTH)).ok).toBe(true);
    expect(await listDevices(http.fetch, SERVER, 'u 1', AUTH)).toMatchObject({
      ok: true,
      value: { devices: [DEVICE] },
    });
  });

  it('derives the server from a device uri', () => {
    expect(serverOfDevice(DEVICE)).toBe(SERVER);
  });

  it('registers a WDM device with the SDK default body', async () => {
    const http = new ScriptedFetch();
    http.on(
      'POST',
      'https://wdm.test/wdm/api/v1/devices',
      json(200, { url: 'https://wdm.test/wdm/api/v1/devices/d1', userId: 'u1' }),
    );
    expect(
      await registerWdmDevice(http.fetch, 'https://wdm.test/wdm/api/v1', 'Bearer t'),
    ).toMatchObject({
      ok: true,
      value: { url: 'https://wdm.test/wdm/api/v1/devices/d1', userId: 'u1' },
    });
    expect(bodyJson(must(http.calls[0]))).toEqual({
      name: 'browser',
      deviceType: 'WEB',
      model: 'web-js-sdk',
      localizedModel: 'webex-js-sdk',
      systemName: 'WEBEX_JS_SDK',
      systemVersion: '1.0.0',
    });
  });
});
