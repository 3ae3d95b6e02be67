import { expect, test } from '@playwright/test';
import type { Browser, Page } from 'puppeteer-core';
import { emulatorSettings } from '../e2e/emulator-settings';
import { ALICE, type Emulator, startEmulator } from '../emulator/index';
import { clickButton, launchFirefox, openExtensionPage, send, waitForPage } from './firefox';

interface Snapshot {
  auth: string;
  state: string;
  display: string;
}

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

test('installs, runs its background and takes the emulator settings from its own page', async () => {
  // The background answers a moz-extension:// page as one of the extension's own.
  const before = await send<Snapshot>(page, 'status/get');
  expect(before.auth).not.toBe('signedIn');
  const view = await send<{ errors?: unknown }>(page, 'settings/save', {
    settings: emulatorSettings(emulator.urls.base),
  });
  expect(view.errors).toBeUndefined();
});

test('signs in through identity.launchWebAuthFlow, registers, keeps the line across background suspends, deregisters and signs out', async () => {
  test.setTimeout(90_000);
  emulator.setConfig({ keepaliveIntervalSec: 8, missedKeepalivesBeforeExpiry: 3 });
  const signedIn = send<Snapshot>(page, 'auth/signIn');
  const consent = await waitForPage(browser, '/v1/authorize');
  await clickButton(consent, 'Sign in as Alice');
  expect((await signedIn).auth).toBe('signedIn');

  await send(page, 'line/register');
  await expect
    .poll(async () => (await send<Snapshot>(page, 'status/get')).display, { timeout: 20_000 })
    .toBe('registered');
  // No extension page open and keepalives 8 s apart: the background idles out after 5 s here
  // and only its alarms wake it, as Firefox does to an idle event page.
  const keepalives = () =>
    emulator.requestLog().filter((e) => e.method === 'POST' && e.path.endsWith('/status'));
  const before = keepalives().length;
  await page.close();
  await new Promise((resolve) => setTimeout(resolve, 26_000));
  page = await openExtensionPage(browser);
  expect(keepalives().length).toBeGreaterThanOrEqual(before + 2);
  expect(keepalives().filter((e) => e.status >= 400)).toEqual([]);
  expect(emulator.devices(ALICE.email)).toHaveLength(1);
  expect((await send<Snapshot>(page, 'status/get')).display).toBe('registered');
  const { entries } = await send<{ entries: { message: string }[] }>(page, 'diagnostics/get');
  const starts = entries.filter((e) => e.message === 'Service worker started').length;
  expect(starts, 'the background was suspended and woken').toBeGreaterThanOrEqual(3);

  expect((await send<Snapshot>(page, 'line/deregister')).state).toBe('idle');
  expect(emulator.devices(ALICE.email)).toEqual([]);
  expect((await send<Snapshot>(page, 'auth/signOut')).auth).toBe('signedOut');
  expect(emulator.deviations()).toEqual([]);
});
