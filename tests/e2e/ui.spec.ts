import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page, Worker } from '@playwright/test';
import { BADGE_COLORS } from '../../lib/ui/badge';
import { CHIP_TAG } from '../../lib/ui/page-chip';
import type { Emulator } from '../emulator/index';
import {
  admin,
  consentAs,
  expect,
  expectNoDeviations,
  send,
  stopServiceWorker,
  test,
  useEmulator,
  waitForStatus,
} from './fixtures';
import { screenshotDir } from './screenshots';

const SCREENSHOTS = screenshotDir();

async function badge(worker: Worker): Promise<{ text: string; color: number[] }> {
  return worker.evaluate(async () => ({
    text: await chrome.action.getBadgeText({}),
    color: await chrome.action.getBadgeBackgroundColor({}),
  }));
}

async function openPopup(context: BrowserContext, extensionId: string): Promise<Page> {
  const popup = await context.newPage();
  await popup.setViewportSize({ width: 380, height: 640 });
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  return popup;
}

/** The popup, with the extension pointed at this emulator (reloaded to show it). */
async function openConfiguredPopup(
  context: BrowserContext,
  extensionId: string,
  emulator: Emulator,
) {
  const popup = await openPopup(context, extensionId);
  await useEmulator(popup, emulator);
  await popup.reload();
  return popup;
}

async function signInFromPopup(context: BrowserContext, popup: Page, user = 'Sign in as Alice') {
  await consentAs(context, user, () =>
    popup.getByRole('button', { name: 'Sign in with Webex' }).click(),
  );
}

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join('; ')}`,
    );
}

test('popup: sign in, register with live updates, details, badge per state, deregister', async ({
  context,
  extensionId,
  worker,
  emulator,
}) => {
  const popup = await openConfiguredPopup(context, extensionId, emulator);
  expect(await badge(worker)).toMatchObject({ text: '' });
  await expect(popup.getByRole('button', { name: 'Sign in with Webex' })).toBeVisible();
  expect(await seriousViolations(popup)).toEqual([]);

  await signInFromPopup(context, popup);
  await expect(popup.getByText('alice@example.com')).toBeVisible();
  // Slow the registration down so the connecting state is visible, then watch it change live.
  await admin(emulator, 'POST', 'faults', {
    endpoint: 'register',
    count: 1,
    delayMs: 1_500,
  });
  await popup.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(popup.getByText('Connecting').first()).toBeVisible();
  expect((await badge(worker)).text).toBe('…');
  await expect(popup.getByText('Registered').first()).toBeVisible({ timeout: 15_000 });
  expect(await badge(worker)).toMatchObject({ text: 'ON' });
  await expect(popup.getByText('+14085550101').first()).toBeVisible();

  await popup.getByRole('button', { name: 'Show all line details' }).click();
  for (const label of [
    'Line ID',
    'Mobius device ID',
    'Voice portal number',
    'Rehoming interval (max)',
    'Call keepalive interval',
  ]) {
    await expect(popup.getByText(label, { exact: true })).toBeVisible();
  }
  expect(await seriousViolations(popup)).toEqual([]);
  await popup.screenshot({ path: `${SCREENSHOTS}/popup-registered.png` });

  await popup.getByRole('button', { name: 'Deregister' }).click();
  await expect(popup.getByRole('button', { name: 'Register', exact: true })).toBeVisible();
  expect(await badge(worker)).toMatchObject({ text: '' });
  await expectNoDeviations(emulator);
});

test('popup: an error shows the seed message with the action that fixes it, and a red badge', async ({
  context,
  extensionId,
  worker,
  emulator,
}) => {
  const popup = await openConfiguredPopup(context, extensionId, emulator);
  await signInFromPopup(context, popup, 'Sign in as Bob');
  await popup.getByRole('button', { name: 'Register', exact: true }).click();
  await expect(popup.getByRole('alert')).toContainText(
    /not configured for WebRTC calling|Contact/i,
  );
  expect(await badge(worker)).toMatchObject({ text: '!' });
  await popup.screenshot({ path: `${SCREENSHOTS}/popup-error.png` });
  await expectNoDeviations(emulator);
});

test('options: validation messages, nothing saved half-way, then a valid save', async ({
  context,
  extensionId,
  extensionPage,
}) => {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  const before = await send(extensionPage, 'settings/get');

  await options.getByRole('textbox', { name: 'Base URL' }).fill('not a url');
  await options.getByLabel('Client ID').fill('');
  await options.getByRole('button', { name: 'Save' }).click();
  await expect(options.getByText(/Nothing was saved/)).toBeVisible();
  expect(await send(extensionPage, 'settings/get')).toEqual(before);

  await options.getByRole('textbox', { name: 'Base URL' }).fill('http://127.0.0.1:8790/');
  await options.getByLabel('Client ID').fill(before.settings.clientId);
  await options.getByLabel('Keep my line registered while the browser runs').uncheck();
  await options.getByRole('button', { name: 'Save' }).click();
  await expect(options.getByText('Settings saved.')).toBeVisible();
  expect((await send(extensionPage, 'settings/get')).settings.keepRegistered).toBe(false);
  expect(await seriousViolations(options)).toEqual([]);
  await options.setViewportSize({ width: 900, height: 1200 });
  await options.screenshot({ path: `${SCREENSHOTS}/options.png`, fullPage: true });
});

test('options: a plain-http site is refused before the browser is asked for access to it', async ({
  context,
  extensionId,
  extensionPage,
}) => {
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  await options.getByRole('textbox', { name: 'Site address' }).fill('http://crm.example.com');
  await options.getByRole('button', { name: 'Add site' }).click();
  await expect(
    options.getByText(/Plain http:\/\/ sites are allowed only on this computer/),
  ).toBeVisible();
  // No prompt was shown, so no access was granted and none is left unused.
  const origins = await extensionPage.evaluate(
    async () => (await chrome.permissions.getAll()).origins ?? [],
  );
  expect(origins.filter((o) => o.includes('crm.example.com'))).toEqual([]);
  expect((await send(extensionPage, 'sites/list')).sites).not.toContain('http://crm.example.com');
});

test('click-to-register on an opted-in site; nothing on other sites; scripted clicks do nothing', async ({
  context,
  extensionId,
  extensionPage,
  emulator,
}) => {
  const popup = await openConfiguredPopup(context, extensionId, emulator);
  await signInFromPopup(context, popup);
  await send(extensionPage, 'sites/add', { origin: emulator.urls.base });

  // Not opted in: the same page on another origin (localhost instead of 127.0.0.1).
  const other = await context.newPage();
  await other.goto(`${emulator.urls.base.replace('127.0.0.1', 'localhost')}/demo`);
  const otherButton = other.locator('[data-webex-line="register"]');
  await otherButton.click();
  await other.waitForTimeout(500); // a negative check: give a content script time to act
  expect(await otherButton.getAttribute('data-webex-line-status')).toBeNull();

  const demo = await context.newPage();
  const events: unknown[] = [];
  await demo.exposeFunction('recordStatus', (detail: unknown) => events.push(detail));
  await demo.addInitScript(() => {
    document.addEventListener('webex-line:status', (e) =>
      (window as unknown as { recordStatus(d: unknown): void }).recordStatus(
        (e as CustomEvent).detail,
      ),
    );
  });
  await demo.goto(`${emulator.urls.base}/demo`);
  const button = demo.locator('[data-webex-line="register"]');
  await expect(button).toHaveAttribute('data-webex-line-status', 'inactive');

  // A scripted click and a page postMessage do nothing.
  await demo.evaluate(() => {
    (document.querySelector('[data-webex-line="register"]') as HTMLElement).click();
    window.postMessage({ type: 'line/register', payload: {} }, '*');
  });
  await demo.waitForTimeout(500); // a negative check
  expect((await send(extensionPage, 'status/get')).state).toBe('idle');

  await button.click();
  await expect(button).toHaveAttribute('data-webex-line-status', 'registered', { timeout: 15_000 });
  expect(events.length).toBeGreaterThan(0);
  for (const detail of events)
    expect(Object.keys(detail as object).sort()).toEqual(['error', 'status']);
  expect(events.at(-1)).toEqual({ status: 'registered', error: null });
  // The chip's closed shadow root is not reachable from the page.
  expect(
    await demo.evaluate((tag) => document.querySelector(tag)?.shadowRoot, CHIP_TAG),
  ).toBeNull();
  expect(await demo.locator(CHIP_TAG).count()).toBe(1);
  await demo.screenshot({ path: `${SCREENSHOTS}/in-page-control.png` });

  // The user removes the site: the open page's control stops showing a status.
  await send(extensionPage, 'sites/remove', { origin: emulator.urls.base });
  await expect(button).not.toHaveAttribute('data-webex-line-status', /.*/, { timeout: 15_000 });
  await expectNoDeviations(emulator);
});

test('click-to-register: a reloaded extension stops the copy on an open page', async ({
  context,
  extensionId,
  extensionPage,
  emulator,
}) => {
  const popup = await openConfiguredPopup(context, extensionId, emulator);
  await signInFromPopup(context, popup);
  await send(extensionPage, 'sites/add', { origin: emulator.urls.base });
  const demo = await context.newPage();
  await demo.goto(`${emulator.urls.base}/demo`);
  const button = demo.locator('[data-webex-line="register"]');
  await expect(button).toHaveAttribute('data-webex-line-status', 'inactive');
  await expect(demo.locator(CHIP_TAG)).toHaveCount(1);

  // The worker goes first (the port drops; the script reconnects at once), then the script is
  // orphaned: Chrome sends it no more events, and only chrome.runtime.id going tells it. It
  // stops and says nothing rather than a status nobody keeps current.
  await extensionPage.evaluate(() => {
    setTimeout(() => chrome.runtime.reload(), 0);
  });
  await expect(button).not.toHaveAttribute('data-webex-line-status', /.*/, { timeout: 15_000 });
  await expect(demo.locator(CHIP_TAG)).toHaveCount(0);
  // What happens next is Chromium's: it should load the reloaded extension again, whose worker
  // registers the script anew for pages loaded from then on (the click-to-register test above
  // shows a page loaded after a worker start gets a live control). With Chromium
  // 156.0.8078.129 under Playwright it sometimes did not within 90 s (the extension's pages
  // answered ERR_BLOCKED_BY_CLIENT), in other runs within 5 s; the cause is not found, so this
  // test asserts only what the extension itself does: the orphaned copy stops.
  await expectNoDeviations(emulator);
});

/** chrome.action colours come back as [r, g, b, a]. */
function rgba(hex: string): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).concat(255);
}

test('background presence: the badge survives a worker restart; a token error turns it red and notifies', async ({
  context,
  extensionId,
  extensionPage,
  emulator,
}) => {
  await admin(emulator, 'POST', 'config', { keepaliveIntervalSec: 1 });
  await useEmulator(extensionPage, emulator, { notifications: true });
  await consentAs(context, 'Sign in as Alice', () => send(extensionPage, 'auth/signIn'));
  await send(extensionPage, 'line/register');
  await waitForStatus(extensionPage, (s) => s.display === 'registered');
  const worker = context.serviceWorkers()[0] as Worker;
  await expect
    .poll(() => badge(worker))
    .toEqual({ text: 'ON', color: rgba(BADGE_COLORS.registered) });

  await stopServiceWorker(context, extensionPage);
  await waitForStatus(extensionPage, (s) => s.display === 'registered');
  expect(await badge(worker)).toEqual({ text: 'ON', color: rgba(BADGE_COLORS.registered) });

  // Webex revokes the grant: the keepalive gets 401, the refresh is refused: the seed's token error.
  await admin(emulator, 'POST', 'tokens/revoke', { email: 'alice@example.com' });
  const failed = await waitForStatus(extensionPage, (s) => s.error !== null);
  expect(failed.error).toMatchObject({
    status: 'inactive',
    type: 'tokenError',
    msg: 'Token expired. Authentication/Authorization error.',
  });
  await expect.poll(() => badge(worker)).toEqual({ text: '!', color: rgba(BADGE_COLORS.error) });
  await expect
    .poll(() => worker.evaluate(async () => Object.keys(await chrome.notifications.getAll())))
    .toContain('webex-line-token-error:signIn');

  const popup = await openPopup(context, extensionId);
  await expect(popup.getByRole('alert')).toContainText('Token expired');
  await expect(popup.getByRole('button', { name: 'Sign in again' }).first()).toBeVisible();
  await expectNoDeviations(emulator);
});

test('closing the sign-in window is calm: a note, no error, still signed out', async ({
  context,
  extensionId,
  emulator,
}) => {
  const popup = await openConfiguredPopup(context, extensionId, emulator);
  const authWindow = context.waitForEvent('page', {
    predicate: (p) => p.url().includes('/v1/authorize'),
  });
  await popup.getByRole('button', { name: 'Sign in with Webex' }).click();
  await (await authWindow).close();

  await expect(
    popup.getByText('Sign-in was cancelled. Sign in whenever you are ready.'),
  ).toBeVisible();
  await expect(popup.getByRole('alert')).toHaveCount(0);
  expect(await send(popup, 'status/get')).toMatchObject({
    auth: 'signedOut',
    error: null,
    state: 'idle',
  });
  await expect(popup.getByRole('button', { name: 'Sign in with Webex' })).toBeEnabled();
});
