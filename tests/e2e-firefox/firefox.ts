/**
 * A Firefox with the development build installed, driven by puppeteer-core over WebDriver BiDi
 * (Playwright's Firefox loads no extensions). The uuid is fixed by pref so moz-extension://
 * pages have a known address, and the background idles out quickly so suspends are exercised.
 */
import { resolve } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { FIREFOX_ADDON_ID } from '../../lib/dev-integration';

export const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const EXTENSION_ORIGIN = `moz-extension://${UUID}`;
const BUILD_DIR = resolve('.output/firefox-mv3-dev');

export async function launchFirefox(): Promise<Browser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    headless: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_ADDON_ID]: UUID }),
      'extensions.background.idle.timeout': 5000,
    },
  });
  await browser.installExtension(BUILD_DIR);
  return browser;
}

/** Open an extension page; polls the location (awaiting goto on moz-extension: never settles). */
export async function openExtensionPage(browser: Browser, path = '/popup.html'): Promise<Page> {
  const page = await browser.newPage();
  const url = `${EXTENSION_ORIGIN}${path}`;
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

/** Send a request to the background as the popup would; throws on a refusal. */
export async function send<T = unknown>(page: Page, type: string, payload: unknown = {}) {
  const response = (await page.evaluate(
    (t, p) =>
      (
        globalThis as unknown as {
          browser: { runtime: { sendMessage(m: unknown): Promise<unknown> } };
        }
      ).browser.runtime.sendMessage({ type: t, payload: p }),
    type,
    payload,
  )) as { ok: boolean; value: T };
  if (!response?.ok) throw new Error(`${type} failed: ${JSON.stringify(response)}`);
  return response.value;
}
