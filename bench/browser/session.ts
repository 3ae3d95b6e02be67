/**
 * Real Chromium with a temporary copy of the development build plus the bench's own page
 * (bench/page: the bare baseline and the in-page probes). The product never contains that page:
 * it is added to the copy only. The copy keeps the build's fixed key, so the extension id (and
 * the OAuth redirect URL) is the development one.
 */
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from '@playwright/test';
import type { DiagnosticEntry } from '../../lib/messaging/protocol';
import { EXTENSION_DIR, extensionArgs, findChromium } from '../../tests/e2e/chromium';
import { send, serviceWorkerOf } from '../../tests/e2e/fixtures';
import { REPO_ROOT } from '../support/child';

const PAGE_DIR = join(REPO_ROOT, 'bench/page');
export const PROBES_SOURCE = readFileSync(join(PAGE_DIR, 'probes.js'), 'utf8');

/** The in-page probes and the baseline, as the bench calls them through page.evaluate. */
export interface ProbeWindow {
  benchProbes: {
    armClick(options: { button: string; done: string; timeoutMs?: number }): void;
    pending: Promise<{ ms: number; from: number; to: number }>;
    watchFirstStatus(options?: { timeoutMs?: number }): void;
    firstStatus: Promise<number>;
    watchControlStatus(): void;
    controlStatusAt(status: string, since: number): number | null;
  };
  baseline: {
    configure(options: { baseUrl: string; token: string; mode: 'cold' | 'warm' }): void;
    deregister(): Promise<void>;
    forgetWdm(): Promise<void>;
    listenStatus(): void;
    broadcastAt(display: string, since: number): number | null;
    stopListening(): void;
  };
}

export interface BrowserSession {
  context: BrowserContext;
  extensionId: string;
  /** The bench page: sends runtime messages as an extension page, hosts the baseline. */
  driver: Page;
  url(path: string): string;
  /** Service-worker starts logged at or after `since` (the background logs each start). */
  workerStartsSince(since: number): Promise<number>;
  close(): Promise<void>;
}

/** Copies the built development extension and adds the bench page to the copy. */
export function prepareExtensionCopy(target: string): string {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`no development build in ${EXTENSION_DIR}`);
  }
  cpSync(EXTENSION_DIR, target, { recursive: true });
  mkdirSync(join(target, 'bench'), { recursive: true });
  cpSync(PAGE_DIR, join(target, 'bench'), { recursive: true });
  return target;
}

export async function openBrowser(
  extensionDir: string,
  profileDir: string,
): Promise<BrowserSession> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: findChromium(),
    headless: true,
    // The fake microphone (a beep) for the call measures; nothing else asks for media.
    args: [...extensionArgs(extensionDir), '--use-fake-device-for-media-stream'],
  });
  try {
    const worker = await serviceWorkerOf(context);
    const extensionId = new URL(worker.url()).host;
    const url = (path: string) => `chrome-extension://${extensionId}/${path}`;
    const driver = await context.newPage();
    // The microphone, granted to the extension's origin as the microphone page would, before
    // anything asks (the offscreen document reads the permission when it starts). The session
    // stays attached: the override ends with it.
    const cdp = await context.newCDPSession(driver);
    await cdp.send('Browser.setPermission', {
      permission: { name: 'microphone' },
      setting: 'granted',
      origin: `chrome-extension://${extensionId}`,
    });
    await driver.goto(url('bench/bench.html'));
    return {
      context,
      extensionId,
      driver,
      url,
      async workerStartsSince(since) {
        const { entries } = await send(driver, 'diagnostics/get');
        return entries.filter((e: DiagnosticEntry) => e.kind === 'worker' && e.at >= since).length;
      },
      close: () => context.close(),
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/** Injects the probes into a page (once per document). */
export async function injectProbes(page: Page): Promise<void> {
  await page.evaluate(PROBES_SOURCE);
}

/**
 * Click the button named `button` and time, in the page, until an element's whole text is
 * `done`. Returns the in-page span (epoch from/to for the emulator's log).
 */
export async function clickUntilShown(page: Page, button: string, done: string) {
  // The clicked page is the user's focused one. A tab behind another gets its network answers
  // tens of ms late on this machine, which would be measured as the page's own slowness.
  await page.bringToFront();
  await injectProbes(page);
  await page.evaluate(
    ([b, d]) => (globalThis as unknown as ProbeWindow).benchProbes.armClick({ button: b, done: d }),
    [button, done] as const,
  );
  await page.getByRole('button', { name: button, exact: true }).click();
  return page.evaluate(() => (globalThis as unknown as ProbeWindow).benchProbes.pending);
}
