/**
 * Firefox with the development build installed, for `npm start -- --browser=firefox` and the
 * Firefox end-to-end suite: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi
 * (Playwright's Firefox loads no extensions). The uuid is fixed by pref so `moz-extension://`
 * pages have a known address.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FIREFOX_ADDON_ID } from '../lib/dev-integration';

export const FIREFOX_DEV_EXTENSION_DIR = resolve('.output/firefox-mv3-dev');
export const FIREFOX_UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const FIREFOX_EXTENSION_ORIGIN = `moz-extension://${FIREFOX_UUID}`;

/** `FIREFOX_PATH`, else Debian's firefox-esr, else a `firefox` on the usual path. */
export function findFirefox(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];
  const found = candidates.find(
    (path): path is string => Boolean(path) && existsSync(path as string),
  );
  if (!found) {
    throw new Error(
      'No Firefox found. Install it (Debian: apt-get install -y firefox-esr) or set FIREFOX_PATH.',
    );
  }
  return found;
}

export async function launchFirefox(options: {
  headless: boolean;
  /** Another Firefox than findFirefox()'s (the policy test's private install). */
  executablePath?: string;
  /** How long an idle background lives (Firefox's default is 30 s). */
  backgroundIdleMs?: number;
  /** A profile kept across launches (default: a fresh one, removed on close). */
  userDataDir?: string;
  /** More preferences for this launch. */
  prefs?: Record<string, unknown>;
}): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: options.executablePath ?? findFirefox(),
    headless: options.headless,
    ...(options.userDataDir ? { userDataDir: options.userDataDir } : {}),
    // Lets the driver open moz-extension:// pages.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ADDON_ID]: FIREFOX_UUID }),
      ...(options.backgroundIdleMs !== undefined
        ? { 'extensions.background.idle.timeout': options.backgroundIdleMs }
        : {}),
      ...options.prefs,
    },
  });
  await browser.installExtension(FIREFOX_DEV_EXTENSION_DIR);
  return browser;
}

/** Open an extension page; polls the location (awaiting goto on moz-extension: never settles). */
export async function openExtensionPage(browser: Browser, path = '/popup.html'): Promise<Page> {
  const page = await browser.newPage();
  const url = `${FIREFOX_EXTENSION_ORIGIN}${path}`;
  page.goto(url).catch(() => {});
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    // page.url() stays about:blank over BiDi for moz-extension pages: ask the page itself.
    const ready = await page
      .evaluate(
        (u) =>
          location.href === u && typeof (globalThis as { browser?: unknown }).browser === 'object',
        url,
      )
      .catch(() => false);
    if (ready) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`extension page ${url} never opened`);
}
