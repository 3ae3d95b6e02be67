/**
 * Trust boundaries (issue 10): the session's token goes only to its own environment's trusted
 * hosts, the secret only with its own integration, and a web page cannot make the extension
 * delete another of the user's devices.
 */
import { describe, expect, it } from 'vitest';
import { BACKUP, PRIMARY, USER_UUID, WDM_BASE } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';

const ELSEWHERE = 'https://evil.example.net/api/v1/calling/web/';

/** The user already holds the only slot with another device, on the backup server. */
function atDeviceLimit(h: Harness) {
  h.cloud.deviceLimit = 1;
  h.cloud.devices.set('desk-phone', {
    deviceId: 'desk-phone',
    uri: `${BACKUP}devices/desk-phone`,
    serverUrl: BACKUP,
    clientDeviceUri: `${WDM_BASE}/devices/desk-phone`,
    lastSeen: '2026-01-01T00:00:00Z',
    addresses: [],
    status: 'active',
  });
}

describe('the bearer token goes only where the session belongs', () => {
  it('a 403/101 body naming another host gets no request: a clear error instead', async () => {
    const h = new Harness();
    await h.signIn();
    h.cloud.fault(
      'register',
      json(403, {
        errorCode: 101,
        userId: USER_UUID,
        devices: [
          {
            deviceId: 'bait',
            uri: `${ELSEWHERE}devices/bait`,
            clientDeviceUri: `${WDM_BASE}/devices/bait`,
          },
        ],
      }),
    );
    await h.service.register();
    await h.service.whenIdle();
    expect(h.http.calls.filter((c) => c.url.startsWith('https://evil.example.net'))).toEqual([]);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'inactive', display: 'error' });
    expect(snap.error?.msg).toContain('evil.example.net');
    expect(h.diagnostics.some((d) => d.kind === 'security')).toBe(true);
  });

  it('discovery naming a server outside the environment is refused before any registration', async () => {
    const h = new Harness();
    h.cloud.discovery = {
      primary: { region: 'US-EAST', uris: ['https://evil.example.net/api/v1'] },
      backup: { region: 'US-WEST', uris: [] },
    };
    await h.signIn();
    await h.service.register();
    await h.service.whenIdle();
    expect(h.http.calls.filter((c) => c.url.includes('evil.example.net'))).toEqual([]);
    expect(h.http.count('POST', /calling\/web\/device$/)).toBe(0);
    expect((await h.service.snapshot()).error?.msg).toMatch(/nothing was sent to it/);
  });

  it('after the settings moved to another environment the old token is never sent, not even by a timer', async () => {
    const h = new Harness();
    await h.registered();
    // Changed without signing out first (storage edited, a policy pushed): nothing goes out.
    h.settings = {
      ...h.settings,
      environment: { kind: 'custom', baseUrl: 'https://other.example.com' },
    };
    await h.advance(30_000);
    await h.service.onTimer('auth:refresh');
    await h.service.whenIdle();
    expect(h.http.calls.filter((c) => c.headers.authorization)).toEqual([]);
    expect(h.http.calls.filter((c) => c.url.includes('other.example.com'))).toEqual([]);
  });

  it('a refresh goes to the environment the tokens came from, with its own secret only', async () => {
    const h = new Harness();
    await h.registered();
    h.settings = { ...h.settings, clientId: 'Cother0123456789', clientSecret: 'other-secret' };
    h.clock.tick(24 * 60 * 60 * 1000);
    await h.service.onTimer('auth:refresh');
    await h.service.whenIdle();
    const refreshes = h.http.calls.filter((c) => c.url.endsWith('/access_token'));
    expect(refreshes).toEqual([]);
  });
});

describe('a web page cannot sign out another of the user devices', () => {
  it('at the device limit a page-started registration stops with the seed error and asks', async () => {
    const h = new Harness();
    await h.signIn();
    atDeviceLimit(h);
    await h.service.register({ fromPage: true });
    await h.service.whenIdle();
    expect(h.http.count('DELETE', /devices\//)).toBe(0);
    expect(h.cloud.devices.has('desk-phone')).toBe(true);
    expect((await h.service.snapshot()).error).toMatchObject({
      type: 'registrationError',
      msg: 'Device limit exceeded. The user already logged in to a different device.',
      detail: { action: 'restoreDeviceLimit' },
    });
    // The user chooses it in the popup: the SDK's restore replaces the listed device.
    await h.service.register();
    await h.service.whenIdle();
    expect(h.cloud.devices.has('desk-phone')).toBe(false);
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a registration from the popup restores as the SDK does', async () => {
    const h = new Harness();
    await h.signIn();
    atDeviceLimit(h);
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect((await h.service.snapshot()).server?.url).toBe(BACKUP);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(1);
  });
});
