import { expect, test } from '@playwright/test';
import type { Browser, Page } from 'puppeteer-core';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../lib/dev-integration';
import { type Emulator, startEmulator } from '../emulator/index';
import { launchFirefox, openExtensionPage, send } from './firefox';

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
    settings: {
      environment: { kind: 'custom', baseUrl: emulator.urls.base },
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      keepRegistered: true,
      notifications: false,
    },
  });
  expect(view.errors).toBeUndefined();
});
