/**
 * Rows of the error table in Firefox, over the network against the emulator (the Chromium
 * suite's tests/e2e/faults-network.spec.ts and faults-session.spec.ts have them all), and the
 * notifications Firefox shows without buttons (lib/platform/notifications.ts drops them: Firefox
 * rejects the property). One browser for the file; each test starts from a fresh emulator,
 * signed out, default timing (FAST_TIMING or the failover timer set per test). Each ends
 * signed out with none of its devices left (Carol's seeded ones stay) and no emulator deviation.
 */
import { expect, test } from '@playwright/test';
import type { Browser, Page } from 'puppeteer-core';
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import { ALICE, CAROL, type Emulator, type EmulatorConfig, startEmulator } from '../emulator/index';
import {
  FAST_TIMING,
  freshStart,
  isRegistered,
  launchFirefox,
  logged,
  openExtensionPage,
  send,
  signIn,
  sleep,
  useEmulator,
  waitForStatus,
} from './firefox';

const allServers = ['base', 'primary', 'backup'] as const;

let emulator: Emulator;
let browser: Browser;
let page: Page;

test.beforeAll(async () => {
  emulator = await startEmulator({ ports: { base: 0, primary: 0, backup: 0 } });
  browser = await launchFirefox();
  page = await openExtensionPage(browser);
});

test.afterAll(async () => {
  await browser?.close();
  await emulator?.close();
});

test.beforeEach(async () => {
  await freshStart(page, emulator);
});

test.afterEach(async () => {
  emulator.clearFaults();
  await Promise.all(allServers.map((server) => emulator.serverUp(server)));
});

interface Setup {
  config?: Partial<EmulatorConfig>;
  timing?: Record<string, number>;
  settings?: Record<string, unknown>;
  /** Whom the consent page signs in (its button's name). */
  who?: string;
}

/** Emulator config and engine timing as given, then signed in as Alice. */
async function signInWith({
  config = {},
  timing = FAST_TIMING,
  settings = {},
  who = 'Alice',
}: Setup) {
  emulator.setConfig({ keepaliveIntervalSec: 1, missedKeepalivesBeforeExpiry: 5, ...config });
  await send(page, 'dev/timing', { timing });
  await useEmulator(page, emulator, settings);
  await signIn(browser, page, who);
}

async function registerLine(setup: Setup = {}) {
  await signInWith(setup);
  await send(page, 'line/register');
  return waitForStatus(page, isRegistered, 30_000);
}

/** Waits until every injected fault was taken by a request. */
async function untilTaken() {
  await expect.poll(() => emulator.pendingFaults().length, { intervals: [25] }).toBe(0);
}

const onRole = (role: 'primary' | 'backup') => (s: StatusSnapshot) =>
  isRegistered(s) && s.server?.role === role;

/**
 * Failover timer compressed (the Chromium suite's FAILOVER_SETUP): interval(n) = 2 + 2^n s
 * (4, 6, 10), no jitter, primaries for 12 s (the SDK's 114).
 */
const FAILOVER_TIMING = {
  baseRetrySec: 2,
  retryFactor: 2,
  retryJitterMinSec: 0,
  retryJitterMaxSec: 0,
  tryBackupAfterSec: 12,
  requestTimeoutMs: 3_000,
};

/** The popup's (the page the suite drives) elements matching `selector`, as shown. */
function shown(selector: string) {
  return page.evaluate(
    (sel) =>
      [...document.querySelectorAll(sel)].map((e) => ({
        text: e.textContent ?? '',
        className: e.className,
      })),
    selector,
  );
}

/** Whether the popup shows a button whose text has `label`. */
function hasButton(label: string) {
  return page.evaluate(
    (l) => [...document.querySelectorAll('button')].some((b) => b.textContent?.includes(l)),
    label,
  );
}

/**
 * Deregistered and signed out, nothing of ours left at the emulator (`others`: devices the
 * emulator seeded for the user, which stay), nothing it found wrong.
 */
async function endsClean(email = ALICE.email, others: string[] = []) {
  expect((await send<StatusSnapshot>(page, 'line/deregister')).state).toBe('idle');
  expect(emulator.devices(email).map((d) => d.deviceId)).toEqual(others);
  expect((await send<StatusSnapshot>(page, 'auth/signOut')).auth).toBe('signedOut');
  expect(emulator.deviations()).toEqual([]);
}

test('a keepalive 404 (the device is gone): the line registers again, one device', async () => {
  const first = await registerLine();
  emulator.injectFault({ endpoint: 'keepalive', status: 404 });
  await untilTaken();
  await expect
    .poll(() => logged(emulator, 'register').filter((e) => e.status === 200).length, {
      timeout: 15_000,
    })
    .toBe(2);
  const again = await waitForStatus(page, isRegistered, 15_000);
  expect(again.line?.mobiusDeviceId).not.toBe(first.line?.mobiusDeviceId);
  expect(emulator.devices(ALICE.email).map((d) => d.deviceId)).toEqual([
    again.line?.mobiusDeviceId,
  ]);
  await endsClean();
});

test('a keepalive 401: the token is refreshed once and the keepalive replayed, the line stays registered', async () => {
  await registerLine();
  const tokensBefore = logged(emulator, 'token').length;
  emulator.injectFault({ endpoint: 'keepalive', status: 401 });
  await untilTaken();
  const refused = logged(emulator, 'keepalive').find((e) => e.status === 401);
  await expect
    .poll(
      () =>
        logged(emulator, 'keepalive').filter(
          (e) => e.status === 200 && e.receivedAt > (refused?.receivedAt ?? 0),
        ).length,
      { timeout: 10_000 },
    )
    .toBeGreaterThanOrEqual(2);
  const refreshes = logged(emulator, 'token').slice(tokensBefore);
  expect(refreshes.map((e) => e.status)).toEqual([200]);
  expect(refreshes[0]?.receivedAt).toBeGreaterThanOrEqual(refused?.receivedAt ?? 0);
  expect(logged(emulator, 'register')).toHaveLength(1);
  await waitForStatus(page, isRegistered);
  expect(emulator.devices(ALICE.email)).toHaveLength(1);
  await endsClean();
});

test('429 with Retry-After at registration: nothing to that server before it is over, then registered', async () => {
  // interval(1) is 4 s here: the 6 s Retry-After is what holds the retry back. (Retry-After is
  // the 429 row's; a 503 is retried on the back-off schedule, as the SDK's error table says.)
  await signInWith({ timing: FAILOVER_TIMING });
  emulator.injectFault({ endpoint: 'register', status: 429, retryAfter: 6, server: 'primary' });
  await send(page, 'line/register');
  await waitForStatus(page, onRole('primary'), 30_000);
  const tries = logged(emulator, 'register');
  expect(tries.map((e) => [e.server, e.status])).toEqual([
    ['primary', 429],
    ['primary', 200],
  ]);
  const limitedAt = tries[0]?.receivedAt ?? 0;
  expect(
    emulator
      .requestLog()
      .filter(
        (e) =>
          e.server === 'primary' && e.receivedAt > limitedAt && e.receivedAt < limitedAt + 6_000,
      ),
  ).toEqual([]);
  await endsClean();
});

test('primary down: the line moves to the backup and stays registered there', async () => {
  await registerLine();
  await emulator.serverDown('primary');
  const downAt = Date.now();
  const onBackup = await waitForStatus(page, onRole('backup'), 40_000);
  test.info().annotations.push({ type: 'backup after', description: `${Date.now() - downAt} ms` });
  expect(onBackup.server?.url).toContain(new URL(emulator.urls.backup).host);
  expect(emulator.devices(ALICE.email)).toHaveLength(1);
  await emulator.serverUp('primary');
  await endsClean();
});

test('a stalled keepalive (headers, then a body that never ends): it times out, keepalives resume on the same registration', async () => {
  const line = await registerLine();
  emulator.injectFault({ endpoint: 'keepalive', stall: true, stallAfterBytes: 0 });
  await untilTaken();
  const stalled = logged(emulator, 'keepalive').find((e) => e.fault);
  const stalledAt = stalled?.receivedAt ?? Date.now();
  await expect
    .poll(
      () =>
        logged(emulator, 'keepalive').filter((e) => e.receivedAt > stalledAt && e.status === 200)
          .length,
      { timeout: 15_000 },
    )
    .toBeGreaterThanOrEqual(3);
  const next = logged(emulator, 'keepalive').find((e) => e.receivedAt > stalledAt);
  test.info().annotations.push({
    type: 'next keepalive after the stalled one',
    description: `${(next?.receivedAt ?? 0) - stalledAt} ms`,
  });
  // The stalled one failed by the request timeout (3 s here), not at once and not never.
  const { entries } = await send<{
    entries: { at: number; kind: string; message: string; data?: unknown }[];
  }>(page, 'diagnostics/get');
  const failures = entries.filter(
    (e) => e.kind === 'keepalive' && e.message === 'Keepalive failed' && e.at >= stalledAt,
  );
  test
    .info()
    .annotations.push({ type: 'keepalive failures', description: JSON.stringify(failures) });
  expect(failures).toHaveLength(1);
  expect(failures[0]?.data).toMatchObject({
    detail: expect.stringMatching(/did not answer in time/),
  });
  expect((failures[0]?.at ?? 0) - stalledAt).toBeGreaterThanOrEqual(2_500);
  expect((failures[0]?.at ?? 0) - stalledAt).toBeLessThan(5_000);
  // In time for the device (5 missed 1 s keepalives): never expired, never registered again.
  expect((next?.receivedAt ?? 0) - stalledAt).toBeLessThan(5_000);
  const after = await waitForStatus(page, isRegistered);
  expect(after.line?.mobiusDeviceId).toBe(line.line?.mobiusDeviceId);
  expect(logged(emulator, 'register')).toHaveLength(1);
  expect(emulator.devices(ALICE.email).map((d) => d.deviceId)).toEqual([line.line?.mobiusDeviceId]);
  await endsClean();
});

test('every listener unreachable past the keepalive threshold: reconnecting, then registered within seconds of the return', async () => {
  await registerLine();
  await Promise.all(allServers.map((server) => emulator.serverDown(server)));
  await waitForStatus(page, (s) => s.state === 'reconnecting', 15_000);
  // Past 5 missed keepalives the device expires. The pill, read in the page (no message that
  // would keep the background awake), never claims registered meanwhile.
  const pills = new Set<string>();
  const until = Date.now() + 7_000;
  while (Date.now() < until) {
    pills.add((await shown('[data-testid="status-pill"]'))[0]?.className ?? 'none');
    await sleep(250);
  }
  test
    .info()
    .annotations.push({ type: 'pill during the outage', description: [...pills].join(', ') });
  expect([...pills].filter((c) => /registered/.test(c))).toEqual([]);
  expect(emulator.devices(ALICE.email)).toEqual([]);
  expect(await send<StatusSnapshot>(page, 'status/get')).toMatchObject({
    state: 'reconnecting',
    display: 'reconnecting',
  });
  expect((await shown('[data-testid="status-pill"]'))[0]?.className).toMatch(/pill reconnecting/);
  await Promise.all(allServers.map((server) => emulator.serverUp(server)));
  const returned = Date.now();
  const back = await waitForStatus(page, isRegistered, 20_000);
  const registeredAgain = logged(emulator, 'register').find(
    (e) => e.receivedAt >= returned && e.status === 200,
  );
  expect(registeredAgain, 'a registration after the return').toBeDefined();
  test.info().annotations.push({
    type: 'registered after the return',
    description: `${(registeredAgain?.receivedAt ?? 0) - returned} ms`,
  });
  // The offline back-off is capped at 2 s here: a registration follows the return promptly.
  expect((registeredAgain?.receivedAt ?? 0) - returned).toBeLessThan(10_000);
  expect(emulator.devices(ALICE.email).map((d) => d.deviceId)).toEqual([back.line?.mobiusDeviceId]);
  await endsClean();
});

test('a 503 burst at registration: the primary is retried on the back-off schedule until it passes', async () => {
  await signInWith({ timing: FAILOVER_TIMING });
  emulator.injectFault({ endpoint: 'register', status: 503, count: 1, server: 'primary' });
  emulator.injectFault({ endpoint: 'register', status: 500, count: 1, server: 'primary' });
  await send(page, 'line/register');
  await waitForStatus(page, onRole('primary'), 30_000);
  const tries = logged(emulator, 'register');
  expect(tries.map((e) => [e.server, e.status])).toEqual([
    ['primary', 503],
    ['primary', 500],
    ['primary', 200],
  ]);
  // interval(1) = 4 s, then interval(2) = 6 s: never sooner.
  const gaps = tries.slice(1).map((e, i) => e.receivedAt - (tries[i]?.receivedAt ?? 0));
  test.info().annotations.push({ type: 'gaps', description: `${gaps.join(', ')} ms` });
  expect(gaps[0]).toBeGreaterThanOrEqual(4_000);
  expect(gaps[1]).toBeGreaterThanOrEqual(6_000);
  expect(emulator.devices(ALICE.email)).toHaveLength(1);
  await endsClean();
});

test('the device limit (403/101) restored: the oldest other device replaced, registered', async () => {
  const seeded = emulator.devices(CAROL.email).map((d) => d.deviceId);
  expect(seeded).toHaveLength(3);
  const line = await registerLine({ who: 'Carol' });
  const now = emulator.devices(CAROL.email).map((d) => d.deviceId);
  expect(now).toHaveLength(3);
  expect(now).not.toContain(seeded[0]);
  expect(now).toContain(line.line?.mobiusDeviceId);
  expect(logged(emulator, 'register').map((e) => e.status)).toEqual([403, 200]);
  expect(logged(emulator, 'delete').map((e) => e.path)).toEqual([
    expect.stringContaining(seeded[0] ?? '?'),
  ]);
  await endsClean(CAROL.email, seeded.slice(1));
});

type NotificationsApi = {
  notifications: {
    create(id: string, options: object): Promise<string>;
    getAll(): Promise<Record<string, unknown>>;
    onClosed: { addListener(f: (id: string, byUser: boolean) => void): void };
  };
  runtime: { getURL(path: string): string };
};

test('a revoked refresh token: the seed tokenError, the sign-in prompts (a notification without buttons), a handful of requests after, and no error logged', async () => {
  await registerLine({ settings: { notifications: true } });
  // Firefox closes a notification as soon as it is shown here (headless, no notification
  // server), so getAll() is empty by the time it is asked: onClosed, fired to every extension
  // page for a notification that was created, is what shows it was. (Where a notification
  // server keeps it open, getAll() has it.)
  await page.evaluate(() => {
    const g = globalThis as unknown as { closedNotifications: string[]; browser: NotificationsApi };
    g.closedNotifications = [];
    g.browser.notifications.onClosed.addListener((id) => g.closedNotifications.push(id));
  });
  const created = () =>
    page.evaluate(async () => {
      const g = globalThis as unknown as {
        closedNotifications: string[];
        browser: NotificationsApi;
      };
      const open = Object.keys(await g.browser.notifications.getAll());
      return [...new Set([...g.closedNotifications, ...open])];
    });
  const revokedAt = Date.now();
  emulator.revokeTokens({ email: ALICE.email });
  const failed = await waitForStatus(page, (s) => s.error !== null, 15_000);
  const failedAt = Date.now();
  // The seed's tokenError, and the sign-in prompts: the notification and the popup's.
  expect(failed.error).toMatchObject({
    status: 'inactive',
    type: 'tokenError',
    msg: 'Token expired. Authentication/Authorization error.',
  });
  await expect.poll(created, { timeout: 10_000 }).toEqual(['webex-line-token-error:signIn']);
  await expect
    .poll(async () => (await shown('[role="alert"]')).map((e) => e.text).join(' '))
    .toContain('Token expired');
  await expect.poll(() => hasButton('Sign in again')).toBe(true);
  // Would anything keep knocking? Only a handful of requests after the revocation.
  await sleep(Math.max(0, failedAt + 4_000 - Date.now()));
  const after = emulator.requestLog().filter((e) => e.receivedAt >= revokedAt);
  expect(
    after.length,
    JSON.stringify(after.map((e) => `${e.method} ${e.path} ${e.status}`)),
  ).toBeLessThanOrEqual(5);
  const { entries } = await send<{ entries: { kind: string; message: string }[] }>(
    page,
    'diagnostics/get',
  );
  expect(entries.filter((e) => e.kind === 'error')).toEqual([]);

  // What the adapter spares it: the same notification with its button is refused by Firefox.
  const withButton = await page.evaluate(async () => {
    const api = (globalThis as unknown as { browser: NotificationsApi }).browser;
    try {
      await api.notifications.create('probe:signIn', {
        type: 'basic',
        iconUrl: api.runtime.getURL('/icon/128.png'),
        title: 'probe',
        message: 'probe',
        buttons: [{ title: 'Sign in' }],
      });
      return 'created';
    } catch (error) {
      return (error as Error).message;
    }
  });
  expect(withButton).toMatch(/buttons.*unsupported/i);

  expect((await send<StatusSnapshot>(page, 'auth/signOut')).auth).toBe('signedOut');
  expect(emulator.deviations()).toEqual([]);
});
