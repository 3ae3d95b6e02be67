/**
 * The Firefox suite's browser: the development build installed (scripts/firefox.ts), its
 * background idling out after 5 s so suspends are exercised the way the Chromium suite stops
 * the worker.
 */
import type { Browser, Page } from 'puppeteer-core';
import { launchFirefox as launch, openExtensionPage } from '../../scripts/firefox';

export { openExtensionPage };

export function launchFirefox(): Promise<Browser> {
  return launch({ headless: true, backgroundIdleMs: 5_000 });
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
