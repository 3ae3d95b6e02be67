/**
 * An organisation's policy in Firefox: `3rdparty.Extensions.<add-on id>` of policies.json, which
 * Firefox reads only at start. Written into a private installation's distribution folder
 * (policy-install.ts: nothing global, no root), removed whatever happens; the suite checks
 * first that no system-wide policies.json would be read instead, and removes private
 * installations a killed run left behind. Then Firefox is started again on the same profile
 * without the policy: nothing stays locked, and no policy is not an error (Firefox rejects
 * storage.managed.get when there is none; lib/platform/managed-absent.ts).
 */
import { existsSync, rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from 'puppeteer-core';
import {
  DEMO_CLIENT_ID,
  EMULATOR_DEFAULT_BASE_URL,
  FIREFOX_ADDON_ID,
} from '../../lib/dev-integration';
import { type Emulator, startEmulator } from '../emulator/index';
import { launchFirefox, openExtensionPage, send, sleep } from './firefox';
import {
  firefoxWithPolicies,
  type PolicyInstall,
  policyProfile,
  removeStaleInstalls,
  systemPolicyFile,
} from './policy-install';

const ORG_CLIENT_ID = 'Corganisation0123456789';
/** The same storage and moz-extension uuid across the restart (the add-on is reinstalled). */
const KEEP_STORAGE = {
  'extensions.webextensions.keepStorageOnUninstall': true,
  'extensions.webextensions.keepUuidOnUninstall': true,
};

interface View {
  settings: { environment: { kind: string; baseUrl?: string }; clientId: string; sites: string[] };
  policy: { managed: boolean; locked: Record<string, boolean>; policySites: string[] };
}

let emulator: Emulator;
let browser: Browser | undefined;
let install: PolicyInstall | undefined;
let profile: string | undefined;

test.beforeAll(async () => {
  const system = systemPolicyFile();
  if (existsSync(system)) {
    throw new Error(
      `${system} exists: Firefox reads it instead of any installation's policies.json, so the ` +
        'policy test cannot give Firefox a policy of its own (it never writes or moves that file).',
    );
  }
  removeStaleInstalls();
  emulator = await startEmulator({ ports: { base: 0, primary: 0, backup: 0 } });
});

test.afterAll(async () => {
  await browser?.close();
  install?.remove();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await emulator?.close();
});

const managedStorage = (page: Page) =>
  page.evaluate(() =>
    (
      globalThis as unknown as {
        browser: { storage: { managed: { get(): Promise<Record<string, unknown>> } } };
      }
    ).browser.storage.managed
      .get()
      .then(
        (value) => ({ value }),
        (error: Error) => ({ error: error.message }),
      ),
  );

async function viewWhen(page: Page, predicate: (view: View) => boolean): Promise<View> {
  const deadline = Date.now() + 20_000;
  let last: View | undefined;
  while (Date.now() < deadline) {
    last = await send<View>(page, 'settings/get');
    if (predicate(last)) return last;
    await sleep(200);
  }
  throw new Error(`settings view never matched: ${JSON.stringify(last)}`);
}

test('a policies.json read at browser start locks the settings it sets; started again without it, nothing is locked and no error is logged', async () => {
  test.setTimeout(75_000);
  const policy = {
    environment: 'custom',
    customBaseUrl: emulator.urls.base,
    clientId: ORG_CLIENT_ID,
    clickToRegisterSites: [emulator.urls.base],
    lockSettings: true,
  };
  profile = policyProfile();
  install = firefoxWithPolicies({ '3rdparty': { Extensions: { [FIREFOX_ADDON_ID]: policy } } });
  try {
    browser = await launchFirefox({
      executablePath: install.executablePath,
      userDataDir: profile,
      prefs: KEEP_STORAGE,
    });
    const page = await openExtensionPage(browser);
    expect(await managedStorage(page)).toEqual({ value: policy });
    const view = await viewWhen(page, (v) => v.policy.managed);
    expect(view.settings).toMatchObject({
      environment: { kind: 'custom', baseUrl: emulator.urls.base },
      clientId: ORG_CLIENT_ID,
    });
    expect(view.settings.sites[0]).toBe(emulator.urls.base);
    expect(view.policy).toMatchObject({
      managed: true,
      locked: { environment: true, clientId: true, keepRegistered: true, notifications: true },
      policySites: [emulator.urls.base],
    });
    // The user cannot change what the policy set.
    await send(page, 'settings/save', {
      settings: {
        environment: { kind: 'webex' },
        clientId: DEMO_CLIENT_ID,
        keepRegistered: false,
        notifications: false,
      },
    });
    expect((await send<View>(page, 'settings/get')).settings).toMatchObject({
      environment: { kind: 'custom', baseUrl: emulator.urls.base },
      clientId: ORG_CLIENT_ID,
    });

    // The options page shows it read-only, "Set by your organisation".
    const options = await openExtensionPage(browser, '/options.html');
    await expect
      .poll(
        () =>
          options.evaluate((clientId) => {
            const field = [...document.querySelectorAll('input')].find((i) => i.value === clientId);
            const webex = [...document.querySelectorAll('label')].find((l) =>
              l.textContent?.includes('Webex (production)'),
            );
            const radio = (webex?.querySelector('input') ??
              document.getElementById(webex?.htmlFor ?? '')) as HTMLInputElement | null;
            return {
              clientIdReadOnly: field?.readOnly ?? null,
              webexDisabled: radio?.disabled ?? null,
              setByOrganisation: document.body.textContent?.includes('Set by your organisation'),
            };
          }, ORG_CLIENT_ID),
        { timeout: 10_000 },
      )
      .toEqual({ clientIdReadOnly: true, webexDisabled: true, setByOrganisation: true });
    const first = await send<{ entries: { kind: string; message: string }[] }>(
      page,
      'diagnostics/get',
    );
    expect(first.entries.filter((e) => e.kind === 'error')).toEqual([]);
  } finally {
    await browser?.close();
    browser = undefined;
    install.remove();
    install = undefined;
  }
  expect(existsSync(systemPolicyFile())).toBe(false);

  // The same profile, the machine's own Firefox: no policies.json at all.
  const restartedAt = Date.now();
  browser = await launchFirefox({ userDataDir: profile, prefs: KEEP_STORAGE });
  const page = await openExtensionPage(browser);
  // Firefox's answer when there is no policy...
  expect(await managedStorage(page)).toEqual({
    error: expect.stringMatching(/managed storage manifest not found/i),
  });
  // ...is no policy to the extension: the locks go, the user's own settings are back.
  const view = await viewWhen(page, (v) => !v.policy.managed);
  expect(Object.values(view.policy.locked).some(Boolean)).toBe(false);
  expect(view.policy.policySites).toEqual([]);
  expect(view.settings).toMatchObject({
    environment: { kind: 'custom', baseUrl: EMULATOR_DEFAULT_BASE_URL },
    clientId: DEMO_CLIENT_ID,
  });
  const { entries } = await send<{ entries: { at: number; kind: string; message: string }[] }>(
    page,
    'diagnostics/get',
  );
  // The same storage as before the restart (so the policy was there to clear)...
  expect(entries.some((e) => e.at < restartedAt)).toBe(true);
  // ...and no error since, the missing policy least of all.
  expect(entries.filter((e) => e.at >= restartedAt && e.kind === 'error')).toEqual([]);
  expect(emulator.deviations()).toEqual([]);
});
