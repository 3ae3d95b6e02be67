import { describe, expect, it } from 'vitest';
import { BACKUP, PRIMARY } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';

const PING = 'https://mobius-p1.webex.test/api/v1/ping';
const MINUTE = 60_000;

/** Registered on the backup because the primary answered 503 until the failover reached it. */
async function onBackup() {
  const h = new Harness();
  h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
  await h.signIn();
  await h.service.register();
  await h.advance(107_000);
  const snap = await h.service.snapshot();
  if (snap.server?.role !== 'backup') throw new Error('expected to be on the backup');
  h.http.calls.length = 0;
  return h;
}

describe('failback to the primary (rehoming)', () => {
  it('arms the timer at a whole number of minutes in the default 60-120 window', async () => {
    const h = await onBackup();
    expect(h.scheduler.at('line:failback')).toBe(h.clock.now() + 60 * MINUTE);
  });

  it('primary up: ping, delete on the backup, register on the primary', async () => {
    const h = await onBackup();
    const mark = h.mark();
    const [backupDevice] = [...h.cloud.devices.keys()];
    await h.advance(60 * MINUTE);
    const calls = h.http.calls
      .filter((c) => c.url.includes('mobius') && !c.url.endsWith('/status'))
      .map((c) => `${c.method} ${c.url}`);
    expect(calls).toEqual([
      `GET ${PING}`,
      `DELETE ${BACKUP}devices/${backupDevice}`,
      `POST ${PRIMARY}device`,
    ]);
    expect(h.events(mark)).toEqual(['unregistered', 'registered']);
    expect((await h.service.snapshot()).server).toEqual({ url: PRIMARY, role: 'primary' });
    expect(h.scheduler.deadlines.has('line:failback')).toBe(false);
    expect(h.cloud.devices.size).toBe(1);
  });

  it('primary still down: re-arm, stay on the backup', async () => {
    const h = await onBackup();
    h.cloud.fault('ping', json(503));
    const at = h.clock.now() + 60 * MINUTE;
    await h.advance(60 * MINUTE);
    expect(h.http.count('GET', PING)).toBe(1);
    expect(h.http.count('DELETE', /devices\//)).toBe(0);
    expect(h.scheduler.at('line:failback')).toBe(at + 60 * MINUTE);
    expect((await h.service.snapshot()).server?.role).toBe('backup');
  });

  it('the primary refuses: back on the backup, timer re-armed', async () => {
    const h = await onBackup();
    h.cloud.fault('register', json(503), { prefix: PRIMARY });
    await h.advance(60 * MINUTE);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'active', server: { url: BACKUP, role: 'backup' } });
    expect(h.scheduler.at('line:failback')).toBe(h.clock.now() + 60 * MINUTE);
    expect(h.cloud.devices.size).toBe(1);
  });

  it('429 while rehoming: stay on the backup, retry after interval(n), at most 5 times', async () => {
    const h = await onBackup();
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '10' }), {
      prefix: PRIMARY,
      times: 6,
    });
    const start = h.clock.now() + 60 * MINUTE;
    await h.advance(60 * MINUTE);
    expect(h.scheduler.at('line:failback')).toBe(start + 33_000);
    await h.advance(33_000 + 35_000 + 39_000 + 47_000);
    // Retries 1-4 done; the 5th waits interval(5) = 30 + 32 + 1 s.
    const fifth = h.clock.now() + 63_000;
    expect(h.scheduler.at('line:failback')).toBe(fifth);
    await h.advance(63_000);
    // Five 429 retries spent: back to the normal rehoming window.
    expect(h.scheduler.at('line:failback')).toBe(h.clock.now() + 60 * MINUTE);
    expect(h.http.count('POST', `${PRIMARY}device`)).toBe(6);
    expect((await h.service.snapshot()).server?.role).toBe('backup');
    await h.advance(60 * MINUTE);
    expect((await h.service.snapshot()).server?.role).toBe('primary');
  });

  it('runs while keepalives are failing below the threshold (the line is still registered)', async () => {
    const h = await onBackup();
    // Keepalives fail from half a minute before the failback is due.
    await h.advance(60 * MINUTE - 45_000);
    h.cloud.fault('keepalive', json(503), { times: 3 });
    await h.advance(45_000);
    expect(h.http.count('GET', PING)).toBe(1);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ state: 'active', server: { url: PRIMARY, role: 'primary' } });
    expect(h.cloud.devices.size).toBe(1);
  });

  it('uses the rehoming window of the last primary registration', async () => {
    const h = new Harness();
    await h.registered();
    // The primary forgets the device and then refuses it: the line fails over to the backup.
    h.cloud.devices.clear();
    h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
    await h.advance(30_000 + 107_000);
    expect((await h.service.snapshot()).server?.role).toBe('backup');
    // registrationFields: rehomingIntervalMin 90.
    expect(h.scheduler.at('line:failback')).toBe(h.clock.now() + 90 * MINUTE);
  });
});
