/**
 * Fixtures of the fault and security suite: the usual browser with the extension, plus a CDP
 * watch on the service worker's console, a quiet extension page that reads the badge without
 * messaging the worker, and the shared invariants (invariants.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from '@playwright/test';
import type { Emulator, EmulatorConfig } from '../emulator/index';
import { REMOTE_DEBUGGING_ARG, ServiceWorkerConsole } from './cdp-console';
import {
  ALICE,
  test as base,
  isRegistered,
  launchWithExtension,
  type Profile,
  send,
  serviceWorkerOf,
  setTiming,
  signIn,
  waitForStatus,
} from './fixtures';
import { LineWatch } from './invariants';

export { ALICE, isRegistered, signIn };

/**
 * Timing for a compressed engine against a real-time emulator. `secondMs` stays 1000: it also
 * scales the keepalive period and Retry-After, which the emulator measures in real seconds. The
 * minute-long and retry constants shrink one by one instead.
 */
export const FAST_TIMING = {
  networkFlapMs: 500,
  offlineRetryMaxMs: 2_000,
  requestTimeoutMs: 3_000,
  // One request's whole life (a refresh, the call, a replay), and the watchdog after it.
  requestDeadlineMs: 8_000,
  watchdogSlackMs: 1_000,
  // A keepalive this late (1 s interval) shows reconnecting, never registered on faith.
  overdueToleranceMs: 1_500,
  tokenRetryMs: 2_000,
};

/** An extension page that never messages the worker (a JSON file of the package). */
export async function openObserver(context: BrowserContext, extensionId: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`chrome-extension://${extensionId}/_locales/en/messages.json`);
  return page;
}

export async function openPopup(context: BrowserContext, extensionId: string): Promise<Page> {
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  return popup;
}

interface FaultFixtures {
  workerConsole: ServiceWorkerConsole;
  observer: Page;
}

export const test = base.extend<FaultFixtures>({
  profile: async ({ emulator }, use) => {
    await emulator.reset();
    const dir = mkdtempSync(join(tmpdir(), 'webex-line-faults-'));
    const profile: Profile = {
      dir,
      launch: () => launchWithExtension(dir, [REMOTE_DEBUGGING_ARG]),
    };
    await use(profile);
    rmSync(dir, { recursive: true, force: true });
  },
  workerConsole: async ({ profile, context, extensionId }, use) => {
    await serviceWorkerOf(context);
    const watcher = await ServiceWorkerConsole.attach(profile.dir, extensionId);
    await use(watcher);
    await watcher.close();
  },
  observer: async ({ context, extensionId }, use) => {
    await use(await openObserver(context, extensionId));
  },
});

export { expect } from './fixtures';

export interface LineSetup {
  config?: Partial<EmulatorConfig>;
  timing?: Record<string, number>;
  who?: string;
}

/** Emulator config and engine timing exactly as given (no defaults), then signed in. */
export async function signInWith(
  page: Page,
  emulator: Emulator,
  setup: LineSetup & Required<Pick<LineSetup, 'config' | 'timing'>>,
) {
  emulator.setConfig(setup.config);
  await setTiming(page, setup.timing);
  return signIn(page, emulator, setup.who);
}

/** Emulator config and engine timing first (over fast defaults), then signed in and registered. */
export async function registerLine(page: Page, emulator: Emulator, setup: LineSetup = {}) {
  await signInWith(page, emulator, {
    config: { keepaliveIntervalSec: 1, missedKeepalivesBeforeExpiry: 5, ...setup.config },
    timing: { ...FAST_TIMING, ...setup.timing },
    who: setup.who,
  });
  await send(page, 'line/register');
  return waitForStatus(page, isRegistered, 30_000);
}

export function watchLine(
  emulator: Emulator,
  parts: { observer: Page; popup?: Page; console: ServiceWorkerConsole },
  options: { email?: string; toleranceMs?: number } = {},
): LineWatch {
  return new LineWatch({
    emulator,
    email: options.email ?? ALICE,
    intervalSec: emulator.config.keepaliveIntervalSec,
    ...parts,
    ...(options.toleranceMs ? { toleranceMs: options.toleranceMs } : {}),
  }).start();
}

/** Keepalive and registration requests the emulator logged, by kind. */
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
