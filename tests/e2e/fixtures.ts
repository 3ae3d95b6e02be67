import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BrowserContext,
  test as base,
  type CDPSession,
  chromium,
  expect,
  type Page,
  type Worker,
} from '@playwright/test';
import type {
  RequestPayload,
  RequestType,
  Response,
  ResponsePayload,
  StatusSnapshot,
} from '../../lib/messaging/protocol';
import { ALICE as ALICE_USER, type Emulator, startEmulator } from '../emulator/index';
import { extensionArgs, findChromium } from './chromium';
import { emulatorSettings } from './emulator-settings';

/** A browser profile on disk, so a test can close the browser and start it again on the same one. */
export interface Profile {
  dir: string;
  launch(): Promise<BrowserContext>;
}

export async function launchWithExtension(
  userDataDir: string,
  extraArgs: readonly string[] = [],
  extensionDirs?: readonly string[],
): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: process.env.HEADED !== '1',
    args: [...extensionArgs(extensionDirs), ...extraArgs],
    logger: browserLogger,
  });
  watchForLoss(context);
  return context;
}

/**
 * What Chromium printed and what the test lost (a page closed under it, a crash), kept for a
 * failing test's output: a browser that dies in CI must say how.
 */
const browserLog: string[] = [];
const remember = (line: string) => {
  browserLog.push(`${new Date().toISOString()} ${line}`);
  if (browserLog.length > 400) browserLog.splice(0, browserLog.length - 400);
};
const browserLogger = {
  isEnabled: (name: string) => name === 'browser',
  // Chromium's dbus complaints on a machine without a bus are noise.
  log: (_name: string, _severity: string, message: string | Error) => {
    const line = String(message);
    if (!line.includes('dbus') && line.trim() !== '') remember(line);
  },
};

function watchForLoss(context: BrowserContext) {
  const watchPage = (page: Page) => {
    page.on('crash', () => remember(`page crashed: ${page.url()}`));
    page.on('close', () => remember(`page closed: ${page.url()}`));
  };
  context.pages().forEach(watchPage);
  context.on('page', watchPage);
  context.on('close', () => remember('context closed'));
}

export async function serviceWorkerOf(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
}

/** Send a typed request to the background from an extension page, as the popup would. */
export async function send<T extends RequestType>(
  page: Page,
  type: T,
  payload: RequestPayload<T> = {} as RequestPayload<T>,
): Promise<ResponsePayload<T>> {
  const response = (await page.evaluate(
    ([t, p]) => chrome.runtime.sendMessage({ type: t, payload: p }),
    [type, payload] as const,
  )) as Response<ResponsePayload<T>>;
  if (!response?.ok) throw new Error(`${type} failed: ${JSON.stringify(response)}`);
  return response.value;
}

/** Poll the background's snapshot until it satisfies `predicate`. */
export async function waitForStatus(
  page: Page,
  predicate: (snapshot: StatusSnapshot) => boolean,
  timeout = 20_000,
): Promise<StatusSnapshot> {
  let last: StatusSnapshot | undefined;
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    last = await send(page, 'status/get');
    if (predicate(last)) return last;
    await page.waitForTimeout(150);
  }
  const { entries } = await send(page, 'diagnostics/get');
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

/** The emulator's Alice, by the email the tests look her up with. */
export const ALICE = ALICE_USER.email;

/** Registered as the user sees it: the line active and shown as registered. */
export const isRegistered = (s: StatusSnapshot) =>
  s.state === 'active' && s.display === 'registered';

/** Points the extension at the emulator and signs in on its consent page as `who`. */
export async function signIn(page: Page, emulator: Emulator, who = 'Alice') {
  await useEmulator(page, emulator);
  await consentAs(page.context(), `Sign in as ${who}`, () => send(page, 'auth/signIn'));
  return waitForStatus(page, (s) => s.auth === 'signedIn');
}

/**
 * One CDP session per page, with the running status of every service worker version and how
 * many times Chrome reported one entering `running` (a start, whatever woke it).
 */
interface WorkerSession {
  cdp: CDPSession;
  status: Map<string, string>;
  starts: number;
}

const workerSessions = new WeakMap<Page, Promise<WorkerSession>>();

function workerSession(context: BrowserContext, page: Page) {
  let session = workerSessions.get(page);
  if (!session) {
    session = (async () => {
      const cdp = await context.newCDPSession(page);
      const watched: WorkerSession = { cdp, status: new Map(), starts: 0 };
      let reported: () => void = () => {};
      const firstReport = new Promise<void>((resolve) => {
        reported = resolve;
      });
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        for (const { versionId, runningStatus } of versions) {
          const before = watched.status.get(versionId);
          if (before !== undefined && before !== 'running' && runningStatus === 'running') {
            watched.starts += 1;
          }
          watched.status.set(versionId, runningStatus);
        }
        reported();
      });
      await cdp.send('ServiceWorker.enable');
      // The versions are reported as events after `enable` returns.
      await Promise.race([firstReport, page.waitForTimeout(2_000)]);
      return watched;
    })();
    workerSessions.set(page, session);
  }
  return session;
}

/** Service-worker starts Chrome reported to `page`'s CDP session since it was opened. */
export async function workerStartsSeen(context: BrowserContext, page: Page): Promise<number> {
  return (await workerSession(context, page)).starts;
}

/**
 * Stop the service worker through CDP, as Chrome does when it is idle; the next message or
 * alarm wakes it. Like Chrome, it stops only a running worker: one still starting or stopping
 * is waited for (stopping a worker mid-start crashed this Chromium's browser process now and
 * then, which no user's Chrome does to an idle worker). Says whether it stopped one (a worker
 * already stopped is left so).
 */
export async function stopServiceWorker(context: BrowserContext, page: Page): Promise<boolean> {
  const { cdp, status } = await workerSession(context, page);
  const settling = () => [...status.values()].some((s) => s === 'starting' || s === 'stopping');
  const until = Date.now() + 5_000;
  while (settling() && Date.now() < until) await page.waitForTimeout(25);
  let stopped = false;
  for (const [versionId, runningStatus] of status) {
    if (runningStatus !== 'running') continue;
    await cdp.send('ServiceWorker.stopWorker', { versionId });
    stopped = true;
  }
  return stopped;
}

export async function admin<T = unknown>(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${emulator.urls.base}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`admin ${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Point the extension at this emulator with the demo integration. */
export async function useEmulator(
  page: Page,
  emulator: Emulator,
  overrides: Record<string, unknown> = {},
) {
  const view = await send(page, 'settings/save', {
    settings: emulatorSettings(emulator.urls.base, overrides),
  });
  if (view.errors) throw new Error(`settings refused: ${JSON.stringify(view.errors)}`);
  return view;
}

/**
 * Compress the engine's timing (development builds only): `Timing` fields, e.g.
 * `{ minuteMs: 1000 }` makes the rehoming window's minutes seconds. Applied at once and kept
 * across worker restarts; `{}` restores the defaults.
 */
export async function setTiming(page: Page, timing: Record<string, number>) {
  return send(page, 'dev/timing', { timing });
}

/** Complete the emulator's consent page in the auth window chrome.identity opened. */
export async function consentAs(
  context: BrowserContext,
  userName: string,
  start: () => Promise<unknown>,
) {
  const authPage = context.waitForEvent('page', {
    predicate: (p) => p.url().includes('/v1/authorize'),
  });
  const started = start();
  const page = await authPage;
  await page.getByRole('button', { name: userName }).click();
  return started;
}

interface Fixtures {
  profile: Profile;
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  /** An extension page (the popup, opened as a tab) to drive the background from. */
  extensionPage: Page;
}

interface WorkerFixtures {
  emulator: Emulator;
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  emulator: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
    async ({}, use) => {
      const emulator = await startEmulator({ ports: { base: 0, primary: 0, backup: 0 } });
      await use(emulator);
      await emulator.close();
    },
    { scope: 'worker' },
  ],
  profile: async ({ emulator }, use) => {
    await admin(emulator, 'POST', 'reset');
    const dir = mkdtempSync(join(tmpdir(), 'webex-line-profile-'));
    await use({ dir, launch: () => launchWithExtension(dir) });
    rmSync(dir, { recursive: true, force: true });
  },
  context: async ({ profile }, use, testInfo) => {
    browserLog.length = 0;
    const context = await profile.launch();
    await use(context);
    if (testInfo.status !== testInfo.expectedStatus)
      console.log(`The browser's last words:\n${browserLog.join('\n')}`);
    await context.close();
  },
  worker: async ({ context }, use) => {
    await use(await serviceWorkerOf(context));
  },
  extensionId: async ({ worker }, use) => {
    await use(new URL(worker.url()).host);
  },
  extensionPage: async ({ context, extensionId }, use) => {
    const page = await context.newPage();
    await page.goto(`chrome-extension://${extensionId}/popup.html`);
    await use(page);
  },
});

export { expect };

/** Every e2e test ends by checking the emulator saw nothing that strays from the references. */
export async function expectNoDeviations(emulator: Emulator): Promise<void> {
  expect(
    (await admin<{ deviations: unknown[] }>(emulator, 'GET', 'deviations')).deviations,
  ).toEqual([]);
}
