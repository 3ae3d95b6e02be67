import type { Page } from '@playwright/test';
import type { Emulator } from '../emulator/index';
import {
  ALICE,
  admin,
  consentAs,
  expect,
  expectNoDeviations,
  isRegistered,
  send,
  stopServiceWorker,
  test,
  useEmulator,
  waitForStatus,
} from './fixtures';

interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  at: number;
}

async function devicesOf(emulator: Emulator, email = ALICE): Promise<{ deviceId: string }[]> {
  const answer = await admin<{ devices: { deviceId: string }[] }>(
    emulator,
    'GET',
    `devices?email=${encodeURIComponent(email)}`,
  );
  return answer.devices;
}

async function requests(
  emulator: Emulator,
  method: string,
  pathPart: string,
): Promise<LoggedRequest[]> {
  const { entries } = await admin<{ entries: LoggedRequest[] }>(emulator, 'GET', 'log');
  return entries.filter((entry) => entry.method === method && entry.path.includes(pathPart));
}

/** How many times the service worker started (it logs each start). */
async function workerStarts(page: Page): Promise<number> {
  const { entries } = await send(page, 'diagnostics/get');
  return entries.filter((entry) => entry.kind === 'worker').length;
}

/** Resolves once every injected fault has been taken by a request (which the server now holds). */
async function untilFaultsTaken(emulator: Emulator) {
  await expect
    .poll(
      async () => (await admin<{ faults: unknown[] }>(emulator, 'GET', 'faults')).faults.length,
      {
        intervals: [25],
      },
    )
    .toBe(0);
}

/** Signed in as Alice with the line registered, the emulator configured first. */
async function registerAsAlice(
  page: Page,
  emulator: Emulator,
  config: Record<string, unknown> = {},
) {
  if (Object.keys(config).length > 0) await admin(emulator, 'POST', 'config', config);
  await signInAsAlice(page, emulator);
  await send(page, 'line/register');
  return waitForStatus(page, isRegistered);
}

async function signInAsAlice(page: Page, emulator: Emulator) {
  await useEmulator(page, emulator);
  await consentAs(page.context(), 'Sign in as Alice', () => send(page, 'auth/signIn'));
  return waitForStatus(page, (s) => s.auth === 'signedIn');
}

test('sign in on the consent page, register, see the 14 line properties, keep alive, deregister', async ({
  extensionPage,
  emulator,
}) => {
  await admin(emulator, 'POST', 'config', { keepaliveIntervalSec: 1 });
  const signedIn = await signInAsAlice(extensionPage, emulator);
  expect(signedIn.user).toEqual({ displayName: expect.stringContaining('Alice'), email: ALICE });
  expect(JSON.stringify(signedIn)).not.toMatch(/_PF84_|access_token|refresh/i);

  await send(extensionPage, 'line/register');
  const snapshot = await waitForStatus(extensionPage, isRegistered);
  const line = snapshot.line;
  expect(Object.keys(line ?? {}).sort()).toEqual(
    [
      'callKeepaliveInterval',
      'extension',
      'keepaliveInterval',
      'lastSeen',
      'lineId',
      'mobiusDeviceId',
      'phoneNumber',
      'rehomingIntervalMax',
      'rehomingIntervalMin',
      'sipAddresses',
      'status',
      'voicemail',
      'voicePortalExtension',
      'voicePortalNumber',
    ].sort(),
  );
  expect(line).toMatchObject({
    status: 'active',
    keepaliveInterval: 1,
    phoneNumber: expect.any(String),
  });
  const devices = await devicesOf(emulator);
  expect(devices.map((d) => d.deviceId)).toEqual([line?.mobiusDeviceId]);

  // Keepalives arrive on their own, driven by alarms.
  await expect
    .poll(async () => (await requests(emulator, 'POST', '/status')).length, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(3);

  await send(extensionPage, 'line/deregister');
  await waitForStatus(
    extensionPage,
    (s) => s.state === 'idle' && s.line?.mobiusDeviceId === undefined,
  );
  expect(await devicesOf(emulator)).toEqual([]);
  await expectNoDeviations(emulator);
});

test('a short-lived access token is refreshed before it expires and the line stays registered', async ({
  extensionPage,
  emulator,
}) => {
  await registerAsAlice(extensionPage, emulator, {
    accessTokenLifetimeSec: 6,
    keepaliveIntervalSec: 1,
  });

  await expect
    .poll(async () => (await requests(emulator, 'POST', '/v1/access_token')).length, {
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(3);
  expect(await send(extensionPage, 'status/get')).toMatchObject({
    state: 'active',
    auth: 'signedIn',
    error: null,
  });
  const keepalives = await requests(emulator, 'POST', '/status');
  expect(keepalives.filter((k) => k.status === 401)).toEqual([]);
  await expectNoDeviations(emulator);
});

test('stopping the service worker mid-registration ends registered with one device', async ({
  context,
  extensionPage,
  emulator,
}) => {
  await signInAsAlice(extensionPage, emulator);
  await admin(emulator, 'POST', 'faults', {
    endpoint: 'register',
    count: 1,
    delayMs: 2_000,
  });
  await send(extensionPage, 'line/register');
  await untilFaultsTaken(emulator); // the registration POST is at the server, held for 2 s
  await stopServiceWorker(context, extensionPage);

  await waitForStatus(extensionPage, isRegistered, 30_000);
  expect(await workerStarts(extensionPage)).toBe(2);
  await expect.poll(async () => (await devicesOf(emulator)).length, { timeout: 10_000 }).toBe(1);
  await expectNoDeviations(emulator);
});

test('stopping the service worker mid-keepalive keeps the line registered with one device', async ({
  context,
  extensionPage,
  emulator,
}) => {
  const before = await registerAsAlice(extensionPage, emulator, { keepaliveIntervalSec: 1 });
  await admin(emulator, 'POST', 'faults', {
    endpoint: 'keepalive',
    count: 1,
    delayMs: 1_500,
  });
  await untilFaultsTaken(emulator); // a keepalive is at the server, held for 1.5 s
  await stopServiceWorker(context, extensionPage);

  const after = await waitForStatus(extensionPage, isRegistered);
  expect(after.line?.mobiusDeviceId).toBe(before.line?.mobiusDeviceId);
  const resumed = (await requests(emulator, 'POST', '/status')).length;
  await expect
    .poll(async () => (await requests(emulator, 'POST', '/status')).length, { timeout: 15_000 })
    .toBeGreaterThan(resumed + 1);
  expect(await devicesOf(emulator)).toHaveLength(1);
  expect(await workerStarts(extensionPage)).toBe(2);
  await expectNoDeviations(emulator);
});

test('a browser restart with the same profile registers the line again and leaks no device', async ({
  profile,
  context,
  extensionPage,
  extensionId,
  emulator,
}) => {
  const first = await registerAsAlice(extensionPage, emulator);
  await context.close();

  const again = await profile.launch();
  try {
    const page = await again.newPage();
    await page.goto(`chrome-extension://${extensionId}/popup.html`);
    const second = await waitForStatus(page, isRegistered, 30_000);
    expect(second.line?.lineId).toBe(first.line?.lineId);
    const worker = again.serviceWorkers()[0];
    await expect.poll(() => worker?.evaluate(() => chrome.action.getBadgeText({}))).toBe('ON');
    await expect
      .poll(async () => (await devicesOf(emulator)).map((d) => d.deviceId), { timeout: 10_000 })
      .toEqual([second.line?.mobiusDeviceId]);
    await expectNoDeviations(emulator);
  } finally {
    await again.close();
  }
});

test('the primary Mobius goes down: the line fails over to the backup and stays registered', async ({
  extensionPage,
  emulator,
}) => {
  const onPrimary = await registerAsAlice(extensionPage, emulator, { keepaliveIntervalSec: 1 });
  expect(onPrimary.server?.role).toBe('primary');

  await admin(emulator, 'POST', 'servers/primary/down');
  const onBackup = await waitForStatus(
    extensionPage,
    (s) => isRegistered(s) && s.server?.role === 'backup',
    40_000,
  );
  expect(onBackup.server?.url).toContain(new URL(emulator.urls.backup).host);
  const devices = await devicesOf(emulator);
  expect(devices.map((d) => d.deviceId)).toContain(onBackup.line?.mobiusDeviceId);
  await expectNoDeviations(emulator);
});

test('concurrent register requests make one device; sign-out deletes the device and the WDM device', async ({
  extensionPage,
  emulator,
}) => {
  await signInAsAlice(extensionPage, emulator);
  await Promise.all([
    send(extensionPage, 'line/register'),
    send(extensionPage, 'line/register'),
    send(extensionPage, 'line/register'),
  ]);
  await waitForStatus(extensionPage, isRegistered);
  expect(await devicesOf(emulator)).toHaveLength(1);
  expect(await requests(emulator, 'POST', '/calling/web/device')).toHaveLength(1);

  const signedOut = await send(extensionPage, 'auth/signOut');
  expect(signedOut).toMatchObject({ auth: 'signedOut', user: null });
  expect(await devicesOf(emulator)).toEqual([]);
  const wdmDeletes = await requests(emulator, 'DELETE', '/wdm/api/v1/devices/');
  expect(wdmDeletes.map((r) => r.status)).toEqual([204]);
  await expectNoDeviations(emulator);
});

test('network loss and return: reconnecting while offline, registered again on the last server when it returns', async ({
  context,
  extensionPage,
  emulator,
}) => {
  const before = await registerAsAlice(extensionPage, emulator, { keepaliveIntervalSec: 1 });

  // Playwright's offline emulation cuts the worker's fetches but sends it no `offline` event:
  // this exercises the fetch-failure path and the engine's own retry timer.
  await context.setOffline(true);
  // Past the keepalive threshold (5 misses), every server tried and failed: the engine now waits
  // for the network (a retry is scheduled). Going online mid-round would race that round.
  await waitForStatus(
    extensionPage,
    (s) =>
      s.state === 'reconnecting' &&
      s.line?.mobiusDeviceId === undefined &&
      s.nextAttemptAt !== null,
  );
  await context.setOffline(false);

  // The next attempt (at most the first 5 s back-off away) tries the last server first.
  const after = await waitForStatus(extensionPage, isRegistered, 30_000);
  expect(after.server).toEqual(before.server);
  await expect
    .poll(async () => (await devicesOf(emulator)).map((d) => d.deviceId))
    .toEqual([after.line?.mobiusDeviceId]);
  await expectNoDeviations(emulator);
});

test('a Webex catalog outage at registration heals on its own after a back-off', async ({
  extensionPage,
  emulator,
}) => {
  await signInAsAlice(extensionPage, emulator);
  await admin(emulator, 'POST', 'faults', { endpoint: 'catalog', count: 1, status: 503 });
  const started = await send(extensionPage, 'line/register');
  expect(started.state).toBe('connecting');
  const waiting = await waitForStatus(extensionPage, (s) => s.nextAttemptAt !== null);
  expect(waiting).toMatchObject({ state: 'connecting', error: null });
  await waitForStatus(extensionPage, isRegistered);
  expect((await requests(emulator, 'GET', '/u2c/api/v1/catalog')).map((r) => r.status)).toEqual([
    503, 200,
  ]);
  await expectNoDeviations(emulator);
});
