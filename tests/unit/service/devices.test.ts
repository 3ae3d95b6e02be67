/** "Your devices" (issue 11): the user's devices at Mobius, this browser's marked, one removed. */
import { describe, expect, it } from 'vitest';
import { type EngineRecord, RECORD_KEY } from '../../../lib/line/record';
import { DISCOVERY_KEYS } from '../../../lib/service/discovery-cache';
import { BACKUP, PRIMARY, WDM_BASE } from '../fakes/cloud';
import { Harness } from '../fakes/harness';
import { heldRequest } from '../fakes/held-request';

function another(h: Harness, deviceId: string, serverUrl: string, wdm: string, lastSeen: string) {
  h.cloud.devices.set(deviceId, {
    deviceId,
    uri: `${serverUrl}devices/${deviceId}`,
    serverUrl,
    clientDeviceUri: `${WDM_BASE}/devices/${wdm}`,
    lastSeen,
    addresses: [],
    status: 'active',
  });
}

describe('your devices', () => {
  it('lists the user devices on the primary and the backup, this browser first', async () => {
    const h = new Harness();
    await h.registered();
    another(h, 'old-profile', PRIMARY, 'old-profile-wdm', '2026-01-01T00:00:00Z');
    another(h, 'desk-phone', BACKUP, 'desk-phone-wdm', '2026-06-01T00:00:00Z');
    const listed = await h.service.listDevices();
    expect(listed.ok).toBe(true);
    const devices = listed.ok ? listed.devices : [];
    expect(devices.map((d) => [d.deviceId, d.current, d.thisBrowser])).toEqual([
      [expect.stringMatching(/^dev-/), true, true],
      ['desk-phone', false, false],
      ['old-profile', false, false],
    ]);
    expect(devices[1]?.server).toBe(BACKUP);
  });

  it('removes a stale device with one request; never the line own registration', async () => {
    const h = new Harness();
    await h.registered();
    another(h, 'old-profile', PRIMARY, 'old-profile-wdm', '2026-01-01T00:00:00Z');
    const own = [...h.cloud.devices.keys()].find((id) => id !== 'old-profile') as string;
    const after = await h.service.removeDevice('old-profile');
    expect(h.http.calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual([
      `${PRIMARY}devices/old-profile`,
    ]);
    const del = h.http.calls.find((c) => c.method === 'DELETE');
    expect(del?.headers['cisco-device-url']).toBe(`${WDM_BASE}/devices/old-profile-wdm`);
    expect(after.ok && after.devices.map((d) => d.deviceId)).toEqual([own]);
    // The line's own device stays: that is Deregister's job.
    await h.service.removeDevice(own);
    expect(h.cloud.devices.has(own)).toBe(true);
    expect(await h.state()).toBe('active');
  });

  it('signed out: a clear failure, no request', async () => {
    const h = new Harness();
    const listed = await h.service.listDevices();
    expect(listed).toMatchObject({ ok: false, error: { kind: 'auth' } });
    expect(h.http.calls).toEqual([]);
  });

  it('a sign-out the engine still owes (it failed half-way, to resume): refused, no request', async () => {
    const h = new Harness();
    await h.registered();
    const record = (await h.store.get<EngineRecord>(RECORD_KEY)) as EngineRecord;
    await h.store.set(RECORD_KEY, {
      ...record,
      flow: { kind: 'signOut', phase: 'cleanup', cursor: 0, announce: true },
    });
    const before = h.http.calls.length;
    expect(await h.service.listDevices()).toMatchObject({
      ok: false,
      error: { kind: 'auth', message: 'Signing out' },
    });
    expect(h.http.calls.length).toBe(before);
  });

  it('a sign-out that starts while the list waits on discovery: no discovery request names its WDM device (simulation seed 1734)', async () => {
    const h = new Harness();
    await h.registered();
    await h.store.del(DISCOVERY_KEYS.servers); // the server list is read again
    const held = heldRequest();
    h.http.on('GET', /\/v1\/region$/, (request) => held.hold(() => h.cloud.handle(request)), 1);
    const listing = h.service.listDevices();
    await held.arrived;
    const discoveriesBefore = h.http.count('GET', /regionCode=/);
    await h.service.signOut();
    held.release();
    expect(await listing).toMatchObject({ ok: false, error: { message: 'Signing out' } });
    // Before: Mobius discovery went out after the sign-out, naming the deleted WDM device.
    expect(h.http.count('GET', /regionCode=/)).toBe(discoveriesBefore);
  });

  it('a sign-out that starts while the list runs: no later request names its WDM device (simulation seed 62)', async () => {
    const h = new Harness();
    await h.registered();
    const held = heldRequest();
    h.http.on(
      'GET',
      /\/devices\?userid=/,
      (request) => held.hold(() => h.cloud.handle(request)),
      1,
    );
    const listing = h.service.listDevices();
    await held.arrived;
    await h.service.signOut();
    held.release();
    expect(await listing).toMatchObject({ ok: false, error: { message: 'Signing out' } });
    // The primary's list was out before the sign-out; the backup's was never asked.
    expect(h.http.count('GET', /\/devices\?userid=/)).toBe(1);
  });
});
