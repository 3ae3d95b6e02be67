/**
 * Trust boundaries in real Chromium (issue 10): the session's token stays with its environment
 * (two emulators as the old and the new one), a server response cannot send it elsewhere (a
 * trap listener that must receive nothing), and a web page cannot sign out another device.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../lib/dev-integration';
import { type Emulator, startEmulator, userByEmail } from '../emulator/index';
import {
  ALICE,
  admin,
  expect,
  expectNoDeviations,
  isRegistered,
  send,
  signIn,
  test,
  waitForStatus,
} from './fixtures';

async function log(emulator: Emulator) {
  return (await admin<{ entries: { method: string; path: string }[] }>(emulator, 'GET', 'log'))
    .entries;
}

async function devicesOf(emulator: Emulator, email: string) {
  return (
    await admin<{ devices: { deviceId: string }[] }>(
      emulator,
      'GET',
      `devices?email=${encodeURIComponent(email)}`,
    )
  ).devices;
}

/** A listener on another loopback address that records whatever reaches it. */
async function trap(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.2:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('a new environment signs out first against the old one; the new one never sees the old token or secret', async ({
  extensionPage: page,
  emulator,
}) => {
  const next = await startEmulator({
    host: 'localhost',
    ports: { base: 0, primary: 0, backup: 0 },
  });
  try {
    await signIn(page, emulator);
    await send(page, 'line/register');
    await waitForStatus(page, isRegistered);
    expect(await devicesOf(emulator, ALICE)).toHaveLength(1);

    const moveTo = (secret?: string) =>
      send(page, 'settings/save', {
        settings: {
          environment: { kind: 'custom', baseUrl: next.urls.base },
          clientId: DEMO_CLIENT_ID,
          keepRegistered: true,
          notifications: false,
          ...(secret ? { clientSecret: secret } : {}),
        },
      });
    // The old environment's secret is not carried over: refused, nothing changed.
    const refused = await moveTo();
    expect(refused.errors).toEqual({ clientSecret: 'clientSecretReenter' });
    expect((await send(page, 'status/get')).state).toBe('active');

    const moved = await moveTo(DEMO_CLIENT_SECRET);
    expect(moved.errors).toBeUndefined();
    // Signed out against the old environment: its device and WDM device are gone...
    expect((await send(page, 'status/get')).auth).toBe('signedOut');
    expect(await devicesOf(emulator, ALICE)).toEqual([]);
    const old = await log(emulator);
    expect(
      old.some((e) => e.method === 'DELETE' && e.path.startsWith('/wdm/api/v1/devices/')),
    ).toBe(true);
    // ...and not a single request reached the new one before the user signed in there.
    expect(await log(next)).toEqual([]);

    await signIn(page, next);
    await send(page, 'line/register');
    await waitForStatus(page, isRegistered);
    expect(await devicesOf(next, ALICE)).toHaveLength(1);
    expect(await devicesOf(emulator, ALICE)).toEqual([]);
    await expectNoDeviations(emulator);
    await expectNoDeviations(next);
  } finally {
    await next.close();
  }
});

test('a device-limit answer naming another host gets no request there, and the popup says why', async ({
  extensionPage: page,
  emulator,
}) => {
  const bait = await trap();
  try {
    await signIn(page, emulator);
    const alice = userByEmail(ALICE);
    await admin(emulator, 'POST', 'faults', {
      endpoint: 'register',
      status: 403,
      body: {
        userId: alice?.id,
        errorCode: 101,
        devices: [
          {
            deviceId: 'bait',
            uri: `${bait.url}/api/v1/calling/web/devices/bait`,
            clientDeviceUri: `${bait.url}/wdm/api/v1/devices/bait`,
          },
        ],
      },
    });
    await send(page, 'line/register');
    const failed = await waitForStatus(page, (s) => s.display === 'error');
    expect(failed.error?.msg).toContain('127.0.0.2');
    expect(bait.hits).toEqual([]);
    await page.reload();
    await expect(page.getByRole('alert')).toContainText('127.0.0.2');
    const { entries } = await send(page, 'diagnostics/get');
    expect(entries.some((e) => e.kind === 'security')).toBe(true);
    await expectNoDeviations(emulator);
  } finally {
    await bait.close();
  }
});

test('a page control at the device limit signs out no other device; the popup offers it as a choice', async ({
  context,
  extensionId,
  extensionPage: page,
  emulator,
}) => {
  // Carol already holds her whole device limit with other devices.
  const CAROL = 'carol@example.com';
  await signIn(page, emulator, 'Carol');
  const before = (await devicesOf(emulator, CAROL)).map((d) => d.deviceId);
  expect(before.length).toBeGreaterThan(0);
  await send(page, 'sites/add', { origin: emulator.urls.base });

  const demo = await context.newPage();
  await demo.goto(`${emulator.urls.base}/demo`);
  const control = demo.locator('[data-webex-line="register"]');
  await expect(control).toHaveAttribute('data-webex-line-status', 'inactive');
  await control.click();
  await expect(control).toHaveAttribute('data-webex-line-status', 'error', { timeout: 15_000 });
  expect((await devicesOf(emulator, CAROL)).map((d) => d.deviceId)).toEqual(before);
  expect((await log(emulator)).filter((e) => e.method === 'DELETE')).toEqual([]);

  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByText(/lets each user keep only a few devices/)).toBeVisible();
  await popup
    .getByRole('button', { name: 'Sign out your oldest device and use this browser' })
    .click();
  await waitForStatus(page, isRegistered);
  const after = (await devicesOf(emulator, CAROL)).map((d) => d.deviceId);
  expect(after).toHaveLength(before.length);
  expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
  await expectNoDeviations(emulator);
});

test('click-to-register sites must be https, except on this computer', async ({
  extensionPage: page,
}) => {
  const add = (origin: string) =>
    page.evaluate(
      (o) => chrome.runtime.sendMessage({ type: 'sites/add', payload: { origin: o } }),
      origin,
    );
  expect(await add('http://crm.example.com')).toEqual({
    ok: false,
    error: { code: 'invalid', message: 'siteInsecure' },
  });
  expect((await send(page, 'sites/list')).sites).not.toContain('http://crm.example.com');
});
