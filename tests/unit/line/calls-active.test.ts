/**
 * The engine and calls in progress (reference/mobius-registration.md §11): a failback would
 * delete the device a call uses, so it waits for the calls to end, as the SDK does (failback
 * timer re-armed).
 */
import { describe, expect, it } from 'vitest';
import type { Timing } from '../../../lib/line/timing';
import { BACKUP, PRIMARY } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';
import { must } from '../fakes/must';

const PING = 'https://mobius-p1.webex.test/api/v1/ping';
const STATUS = /\/devices\/[^/]+\/status$/;
const MINUTE = 60_000;

/** A harness whose calls view the test controls (`calls.active`). */
function withCalls(options: { timing?: Partial<Timing>; read?: () => Promise<boolean> } = {}): {
  h: Harness;
  calls: { active: boolean };
} {
  const calls = { active: false };
  const h = new Harness({
    timing: options.timing,
    callsActive: options.read ?? (async () => calls.active),
  });
  return { h, calls };
}

const logged = (h: Harness, text: string) =>
  h.diagnostics.some((entry) => entry.message.includes(text));

const mobiusCalls = (h: Harness) =>
  h.http.calls
    .filter((c) => c.url.includes('mobius') && !STATUS.test(c.url))
    .map((c) => `${c.method} ${c.url}`);

/** Registered on the backup because the primary answered 503 until the failover reached it. */
async function onBackup(options: Parameters<typeof withCalls>[0] = {}) {
  const rig = withCalls(options);
  const { h } = rig;
  h.cloud.fault('register', json(503), { prefix: PRIMARY, times: 4 });
  await h.signIn();
  await h.service.register();
  await h.advance(107_000);
  if ((await h.service.snapshot()).server?.role !== 'backup') throw new Error('not on the backup');
  h.http.calls.length = 0;
  return rig;
}

describe('failback while a call is in progress', () => {
  it('no ping, no DELETE, no POST: the timer is re-armed; after the call the next one fails back', async () => {
    const { h, calls } = await onBackup();
    const due = must(h.scheduler.at('line:failback'));
    const [backupDevice] = [...h.cloud.devices.keys()];
    calls.active = true;
    await h.advance(60 * MINUTE);
    expect(mobiusCalls(h)).toEqual([]);
    expect(h.scheduler.at('line:failback')).toBe(due + 60 * MINUTE);
    expect(logged(h, 'Failback deferred: a call is in progress')).toBe(true);
    expect(await h.service.snapshot()).toMatchObject({
      state: 'active',
      server: { url: BACKUP, role: 'backup' },
    });
    // The backup keeps the line confirmed meanwhile.
    expect(h.http.count('POST', STATUS)).toBeGreaterThan(100);

    calls.active = false;
    await h.advance(60 * MINUTE);
    expect(mobiusCalls(h)).toEqual([
      `GET ${PING}`,
      `DELETE ${BACKUP}devices/${backupDevice}`,
      `POST ${PRIMARY}device`,
    ]);
    expect((await h.service.snapshot()).server).toEqual({ url: PRIMARY, role: 'primary' });
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a call that starts while the primary is pinged: no DELETE, the timer re-armed', async () => {
    const { h, calls } = await onBackup();
    h.http.on(
      'GET',
      PING,
      () => {
        calls.active = true;
        return json(200);
      },
      1,
    );
    await h.advance(60 * MINUTE);
    expect(mobiusCalls(h)).toEqual([`GET ${PING}`]);
    expect(h.scheduler.at('line:failback')).toBe(h.clock.now() + 60 * MINUTE);
    expect((await h.service.snapshot()).server?.role).toBe('backup');
  });
});

describe('reading whether calls are active', () => {
  it('a read that fails counts as no call (the failback runs)', async () => {
    const { h } = await onBackup({ read: async () => Promise.reject(new Error('closed')) });
    await h.advance(60 * MINUTE);
    expect((await h.service.snapshot()).server?.role).toBe('primary');
    expect(logged(h, 'Calls in progress unknown (failed)')).toBe(true);
  });

  it('a read that hangs counts as no call after its deadline', async () => {
    let hangs = 0;
    const { h } = await onBackup({
      timing: { callsReadDeadlineMs: 5 },
      read: () => {
        if (hangs === 0) return Promise.resolve(false);
        hangs -= 1;
        return new Promise<boolean>(() => {});
      },
    });
    // The failback timer's own transition waits on the read (real time: no `advance` here).
    const due = must(h.scheduler.at('line:failback'));
    h.clock.set(due);
    hangs = 1;
    await h.service.onTimer('line:failback');
    await h.service.whenIdle();
    expect(h.http.count('GET', PING)).toBe(1);
    expect((await h.service.snapshot()).server?.role).toBe('primary');
    expect(logged(h, 'Calls in progress unknown (late)')).toBe(true);
  });
});
