/**
 * The Firefox suite's browser: the development build installed (scripts/firefox.ts), its
 * background idling out after 5 s so suspends are exercised the way the Chromium suite stops
 * the worker. Plus what the specs share: requests as the popup sends them, the emulator's
 * consent page, status polling and the emulator's request log by kind.
 */

import type { Browser, Page } from 'puppeteer-core';
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import { launchFirefox as launch, openExtensionPage } from '../../scripts/firefox';
import { emulatorSettings } from '../e2e/emulator-settings';
import type { Emulator } from '../emulator/index';

export { openExtensionPage };

export function launchFirefox(
  options: { executablePath?: string; userDataDir?: string; prefs?: Record<string, unknown> } = {},
): Promise<Browser> {
  return launch({ headless: true, backgroundIdleMs: 5_000, ...options });
}

/** What an extension page's `browser.runtime.sendMessage` answered, unwrapped or not. */
export function ask(page: Page, type: string, payload: unknown = {}): Promise<unknown> {
  return page.evaluate(
    (t, p) =>
      (
        globalThis as unknown as {
          browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
        }
      ).browser.runtime.sendMessage({ type: t, payload: p }),
    type,
    payload,
  );
}

/** Send a request to the background as the popup would; throws on a refusal. */
export async function send<T = unknown>(page: Page, type: string, payload: unknown = {}) {
  const response = (await ask(page, type, payload)) as { ok: boolean; value: T };
  if (!response?.ok) throw new Error(`${type} failed: ${JSON.stringify(response)}`);
  return response.value;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Registered as the user sees it: the line active and shown as registered. */
export const isRegistered = (s: StatusSnapshot) =>
  s.state === 'active' && s.display === 'registered';

/** Poll the background's snapshot until `predicate` holds; the last one and recent events fail it. */
export async function waitForStatus(
  page: Page,
  predicate: (snapshot: StatusSnapshot) => boolean,
  timeout = 20_000,
): Promise<StatusSnapshot> {
  let last: StatusSnapshot | undefined;
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    last = await send<StatusSnapshot>(page, 'status/get');
    if (predicate(last)) return last;
    await sleep(150);
  }
  const { entries } = await send<{
    entries: { at: number; kind: string; message: string; data?: unknown }[];
  }>(page, 'diagnostics/get');
  const recent = entries
    .slice(-25)
    .map(
      (e) =>
        `${new Date(e.at).toISOString().slice(11, 23)} ${e.kind} ${e.message} ${JSON.stringify(e.data ?? {})}`,
    );
  throw new Error(
    `status never matched; last snapshot: ${JSON.stringify(last)}\nrecent engine events:\n${recent.join('\n')}`,
  );
}

/** Point the extension at this emulator with the demo integration. */
export async function useEmulator(
  page: Page,
  emulator: Emulator,
  overrides: Record<string, unknown> = {},
) {
  const view = await send<{ errors?: unknown }>(page, 'settings/save', {
    settings: emulatorSettings(emulator.urls.base, overrides),
  });
  if (view.errors) throw new Error(`settings refused: ${JSON.stringify(view.errors)}`);
  return view;
}

/** Signs in through identity.launchWebAuthFlow, completing the emulator's consent page. */
export async function signIn(browser: Browser, page: Page, who = 'Alice') {
  const signedIn = send<StatusSnapshot>(page, 'auth/signIn');
  const consent = await waitForPage(browser, '/v1/authorize');
  await clickButton(consent, `Sign in as ${who}`);
  const snapshot = await signedIn;
  if (snapshot.auth !== 'signedIn') throw new Error(`not signed in: ${JSON.stringify(snapshot)}`);
  return snapshot;
}

/**
 * Timing for a compressed engine against a real-time emulator (tests/e2e/fault-fixtures.ts's
 * FAST_TIMING): the minute-long and retry constants shrink, seconds stay seconds.
 */
export const FAST_TIMING = {
  networkFlapMs: 500,
  offlineRetryMaxMs: 2_000,
  requestTimeoutMs: 3_000,
  requestDeadlineMs: 8_000,
  watchdogSlackMs: 1_000,
  overdueToleranceMs: 1_500,
  tokenRetryMs: 2_000,
};

/** A fresh emulator state, the extension signed out and its timing back to the defaults. */
export async function freshStart(page: Page, emulator: Emulator) {
  await send(page, 'auth/signOut').catch(() => undefined);
  await send(page, 'dev/timing', { timing: {} });
  await emulator.reset();
}

/** Keepalive, registration and token requests the emulator logged, by kind. */
export function logged(emulator: Emulator, kind: 'keepalive' | 'register' | 'delete' | 'token') {
  const patterns = {
    keepalive: ['POST', /\/calling\/web\/devices\/[^/]+\/status$/],
    register: ['POST', /\/calling\/web\/device$/],
    delete: ['DELETE', /\/calling\/web\/devices\/[^/]+$/],
    token: ['POST', /\/v1\/access_token$/],
  } as const;
  const [method, path] = patterns[kind];
  return emulator.requestLog().filter((e) => e.method === method && path.test(e.path));
}

/** The page Firefox opened (a tab or the sign-in window), by a piece of its URL. */
export async function waitForPage(browser: Browser, part: string): Promise<Page> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    for (const candidate of await browser.pages()) {
      const url = await candidate.evaluate(() => location.href).catch(() => '');
      if (url.includes(part)) return candidate;
    }
    await sleep(100);
  }
  throw new Error(`no page at ${part}`);
}

export async function clickButton(target: Page, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const clicked = await target
      .evaluate((label) => {
        const button = [...document.querySelectorAll('button')].find((b) =>
          b.textContent?.includes(label),
        );
        button?.click();
        return Boolean(button);
      }, name)
      .catch(() => false);
    if (clicked) return;
    await sleep(100);
  }
  throw new Error(`no button "${name}"`);
}
