/**
 * An organisation's deployment in real Chromium (issue 12, "Done when"): a managed policy file
 * configures a copy of the extension under its own id (environment, client id, token broker,
 * locked fields); the options page shows them read-only; the user signs in through the broker
 * against the emulator and registers; a refresh goes through the broker; neither the extension's
 * storage nor any message holds the client secret; the broker refuses another origin; and a
 * policy that moves the extension to another environment signs the user out there first,
 * without sending anything to the new one.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { DEFAULT_LIMITS } from '../../lib/broker/config';
import { type BrokerLogEntry, createBroker } from '../../lib/broker/handler';
import { type RunningBroker, serveBroker } from '../../lib/broker/node';
import { DEMO_CLIENT_SECRET, EMULATOR_DEFAULT_BASE_URL } from '../../lib/dev-integration';
import { type Emulator, startEmulator } from '../emulator/index';
import { DEMO_SCOPES } from '../emulator/integrations';
import { postStolenRefreshFromPage } from './broker-helpers';
import {
  admin,
  consentAs,
  expect,
  expectNoDeviations,
  send,
  serviceWorkerOf,
  test,
  waitForStatus,
} from './fixtures';
import {
  type IsolatedExtension,
  isolatedExtension,
  launchExtension,
  managedPolicyFile,
  type PolicyFile,
} from './policy-helpers';
import { screenshotDir } from './screenshots';

const SCREENSHOTS = screenshotDir();

/** The organisation's integration: only the broker ever holds its secret. */
const ORG_CLIENT_ID = 'Corg5e1f0c2d4b6a8e9f1a3c5b7d9e0f2a4c6b8d1e3f5a7c9b0d2e4f6a8c1e3b5d7';
const ORG_SECRET = 'org-secret-7f3a9c1e5b2d8f4a6c0e9b7d1f3a5c2e';

let extension: IsolatedExtension;
let profileDir: string;
let policyFile: PolicyFile;
let context: BrowserContext | undefined;
let broker: RunningBroker | undefined;
let elsewhere: Emulator | undefined;

test.beforeEach(async ({ emulator }) => {
  await admin(emulator, 'POST', 'reset');
  extension = isolatedExtension();
  profileDir = mkdtempSync(join(tmpdir(), 'webex-line-deploy-profile-'));
  policyFile = managedPolicyFile(extension.id);
});

test.afterEach(async () => {
  policyFile.remove();
  await context?.close();
  context = undefined;
  await broker?.close();
  broker = undefined;
  await elsewhere?.close();
  elsewhere = undefined;
  rmSync(profileDir, { recursive: true, force: true });
  extension.remove();
});

/** The broker for the organisation's integration, allowing only this copy of the extension. */
async function startBroker(emulator: Emulator) {
  const logs: BrokerLogEntry[] = [];
  const handler = createBroker(
    {
      clientId: ORG_CLIENT_ID,
      clientSecret: ORG_SECRET,
      tokenUrl: `${emulator.urls.base}/v1/access_token`,
      allowedOrigins: [extension.origin],
      allowedRedirectUris: [extension.redirectUrl],
      path: '/token',
      limits: DEFAULT_LIMITS,
    },
    { fetch, clock: Date, log: (entry) => logs.push(entry) },
  );
  broker = await serveBroker(handler, { host: '127.0.0.1', port: 0 });
  return { url: `${broker.url}/token`, logs };
}

function policyFor(emulator: Emulator, brokerUrl: string): Record<string, unknown> {
  return {
    environment: 'custom',
    customBaseUrl: emulator.urls.base,
    clientId: ORG_CLIENT_ID,
    tokenBrokerUrl: brokerUrl,
    keepRegistered: true,
    notifications: false,
    // The second entry is plain http to another computer: reported and ignored, the rest applies.
    clickToRegisterSites: [emulator.urls.base, 'http://crm.example.com'],
  };
}

/** Every runtime answer and status broadcast an extension page receives, kept for inspection. */
async function recordMessages(page: Page): Promise<() => Promise<string>> {
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (self as unknown as { seen: unknown[] }).seen = seen;
    const send = chrome.runtime.sendMessage.bind(chrome.runtime) as (
      m: unknown,
    ) => Promise<unknown>;
    (chrome.runtime as unknown as { sendMessage: unknown }).sendMessage = async (m: unknown) => {
      const answer = await send(m);
      seen.push({ sent: m, answer });
      return answer;
    };
    const port = chrome.runtime.connect({ name: 'status' });
    port.onMessage.addListener((message) => seen.push({ broadcast: message }));
  });
  return () => page.evaluate(() => JSON.stringify((self as unknown as { seen: unknown[] }).seen));
}

/** Everything in the extension's IndexedDB, read from its service worker. */
function dumpStore(worker: Worker): Promise<string> {
  return worker.evaluate(
    () =>
      new Promise<string>((resolve, reject) => {
        const open = indexedDB.open('webex-line');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('kv', 'readonly');
          const keys = tx.objectStore('kv').getAllKeys();
          const values = tx.objectStore('kv').getAll();
          tx.oncomplete = () => {
            resolve(JSON.stringify({ keys: keys.result, values: values.result }));
            open.result.close();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
}

test('a policy deploys the extension with a token broker: read-only settings, sign-in, register and refresh through the broker, no secret anywhere, sign-out when the environment moves', async ({
  emulator,
}) => {
  test.setTimeout(150_000);
  await admin(emulator, 'POST', 'integrations', {
    clientId: ORG_CLIENT_ID,
    clientSecret: ORG_SECRET,
    redirectUris: [extension.redirectUrl],
    scopes: [...DEMO_SCOPES],
    name: 'Organisation integration',
  });
  // Short-lived access tokens, so a refresh comes within seconds (halfway through a lifetime).
  await admin(emulator, 'POST', 'config', { accessTokenLifetimeSec: 12 });
  const tokenBroker = await startBroker(emulator);
  policyFile.write(policyFor(emulator, tokenBroker.url));

  context = await launchExtension(extension.dir, profileDir);
  const worker = await serviceWorkerOf(context);
  expect(new URL(worker.url()).host).toBe(extension.id);
  const page = await context.newPage();
  await page.goto(`${extension.origin}/popup.html`);
  const messages = await recordMessages(page);

  // The first policy read after a browser start is slow: the view follows when it lands.
  await expect
    .poll(async () => (await send(page, 'settings/get')).settings.clientId, { timeout: 30_000 })
    .toBe(ORG_CLIENT_ID);
  const view = await send(page, 'settings/get');
  expect(view.settings).toMatchObject({
    environment: { kind: 'custom', baseUrl: emulator.urls.base },
    tokenBrokerUrl: tokenBroker.url,
    clientSecretSet: false,
    keepRegistered: true,
    notifications: false,
    // The organisation's site first, then the user's own (the development build's default).
    sites: [emulator.urls.base, EMULATOR_DEFAULT_BASE_URL],
  });
  expect(view.policy).toMatchObject({
    managed: true,
    locked: { environment: true, clientId: true, tokenBrokerUrl: true, clientSecret: true },
    policySites: [emulator.urls.base],
    problems: [
      { field: 'clickToRegisterSites[1]', reason: 'invalidEntry', detail: 'siteInsecure' },
    ],
  });
  expect((await send(page, 'status/get')).configured).toBe(true);

  // The options page: read-only, "Set by your organisation", no secret field, the problem listed.
  const options = await context.newPage();
  await options.goto(`${extension.origin}/options.html`);
  const clientId = options.getByLabel('Client ID');
  await expect(clientId).toHaveValue(ORG_CLIENT_ID);
  await expect(clientId).toHaveAttribute('readonly', '');
  await expect(options.getByLabel('Token broker URL (optional)')).toHaveAttribute('readonly', '');
  await expect(options.getByRole('textbox', { name: 'Base URL' })).toHaveAttribute('readonly', '');
  await expect(options.getByLabel('Webex (production)')).toBeDisabled();
  await expect(options.getByLabel(/Keep my line registered/)).toBeDisabled();
  await expect(options.getByLabel('Client secret')).toHaveCount(0);
  await expect(options.getByText('Set by your organisation').first()).toBeVisible();
  await expect(options.getByRole('button', { name: 'Save' })).toHaveCount(0);
  await expect(
    options.getByText(
      'clickToRegisterSites[1] must use https:// (plain http:// sites only on this computer); it is ignored.',
    ),
  ).toBeVisible();
  const policySite = options.locator('.sites li', { hasText: emulator.urls.base });
  await expect(policySite.getByText('Set by your organisation')).toBeVisible();
  await expect(policySite.getByRole('button', { name: /Remove/ })).toHaveCount(0);
  // Read-only fields, notes and the problem list keep the page accessible.
  const axe = await new AxeBuilder({ page: options }).analyze();
  expect(
    axe.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id),
  ).toEqual([]);
  await options.screenshot({ path: `${SCREENSHOTS}/options-managed.png`, fullPage: true });
  await options.close();

  // Sign in: the code goes to the broker with the extension's PKCE verifier; the broker adds
  // the secret. Then register.
  await consentAs(context, 'Alice', () => send(page, 'auth/signIn'));
  expect(tokenBroker.logs).toEqual([
    expect.objectContaining({
      origin: extension.origin,
      grant: 'authorization_code',
      status: 200,
    }),
  ]);
  await send(page, 'line/register');
  await waitForStatus(page, (s) => s.display === 'registered');

  // A refresh, through the broker (the access token lives 12 s).
  await expect
    .poll(() => tokenBroker.logs.filter((e) => e.grant === 'refresh_token' && e.status === 200), {
      timeout: 30_000,
    })
    .not.toHaveLength(0);
  // Every token call Webex saw came through the broker (polled: one may be on its way).
  const tokenCalls = () => emulator.requestLog().filter((e) => e.path === '/v1/access_token');
  await expect
    .poll(() => tokenCalls().length - tokenBroker.logs.filter((e) => e.status === 200).length)
    .toBe(0);
  const line = await waitForStatus(page, (s) => s.display === 'registered');
  expect(line.auth).toBe('signedIn');

  // No client secret in the extension's storage, nor in any answer or broadcast it sent.
  const stored = await dumpStore(worker);
  expect(stored).toContain('auth:tokens');
  expect(stored).toContain('policy:managed');
  for (const secret of [ORG_SECRET, DEMO_CLIENT_SECRET, 'client_secret'])
    expect(stored).not.toContain(secret);
  const seen = await messages();
  expect(seen).toContain('line-event');
  for (const secret of [ORG_SECRET, DEMO_CLIENT_SECRET]) expect(seen).not.toContain(secret);
  // Diagnostics name the policy's problem, never a policy value.
  const { entries } = await send(page, 'diagnostics/get');
  expect(entries).toContainEqual(
    expect.objectContaining({
      kind: 'policy',
      message: expect.stringContaining('clickToRegisterSites[1] must use https://'),
    }),
  );
  expect(JSON.stringify(entries.filter((e) => e.kind === 'policy'))).not.toContain(
    'crm.example.com',
  );

  // The broker refuses any other origin: a web page gets nothing, Webex sees nothing.
  const brokerCalls = () => tokenBroker.logs.filter((e) => e.origin === 'other').length;
  const web = await context.newPage();
  await web.goto(`${emulator.urls.base}/demo`);
  const fromPage = await postStolenRefreshFromPage(web, tokenBroker.url);
  expect(fromPage).toContain('TypeError');
  expect(brokerCalls()).toBe(1);
  expect(tokenBroker.logs.find((e) => e.origin === 'other')).toMatchObject({
    status: 403,
    refused: 'origin_not_allowed',
  });
  // Webex saw no token call for it: every one it saw came from the extension through the broker.
  await expect
    .poll(() => tokenCalls().length - tokenBroker.logs.filter((e) => e.status === 200).length)
    .toBe(0);
  await web.close();

  // The policy moves the extension to another environment: the user is signed out, the line
  // deregistered with the old token against the old environment, and nothing reaches the new one.
  elsewhere = await startEmulator({ ports: { base: 0, primary: 0, backup: 0 } });
  const devices = () =>
    admin<{ devices: unknown[] }>(emulator, 'GET', 'devices?email=alice@example.com');
  expect((await devices()).devices).toHaveLength(1);
  policyFile.write({ ...policyFor(emulator, tokenBroker.url), customBaseUrl: elsewhere.urls.base });
  await waitForStatus(page, (s) => s.auth === 'signedOut' && s.state === 'idle', 30_000);
  expect((await send(page, 'settings/get')).settings.environment).toEqual({
    kind: 'custom',
    baseUrl: elsewhere.urls.base,
  });
  expect((await devices()).devices).toEqual([]);
  const oldLog = emulator.requestLog();
  expect(oldLog.some((e) => e.method === 'DELETE' && e.path.includes('/wdm/api/v1/devices/'))).toBe(
    true,
  );
  expect(elsewhere.requestLog()).toEqual([]);
  expect(await dumpStore(worker)).not.toContain('auth:tokens');
  await expectNoDeviations(elsewhere);
  await expectNoDeviations(emulator);
});
