/**
 * Node's handle on the page: headless Chromium (Debian's, through Playwright) with the fake
 * microphone, the page loaded from the page server, its reports collected, and its
 * `window.callsSdk` functions called by name.
 */
import { type Browser, chromium, type Page } from '@playwright/test';
import { findChromium } from '../../e2e/chromium';
import { bundlePage } from './bundle';
import type { CallsSdkPage } from './page-entry';
import { type PageEvent, REPORT_FUNCTION } from './page-protocol';
import { type PageServer, servePage } from './page-server';

export const FAKE_MEDIA_FLAGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

const BROWSER_FLAGS = [
  ...FAKE_MEDIA_FLAGS,
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

type Api = CallsSdkPage;

export class SdkPage {
  readonly events: PageEvent[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly server: PageServer,
    readonly page: Page,
  ) {}

  static async open(): Promise<SdkPage> {
    const server = await servePage(await bundlePage());
    const browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: BROWSER_FLAGS,
    });
    const page = await browser.newPage();
    const handle = new SdkPage(browser, server, page);
    page.on('pageerror', (error) =>
      handle.events.push({ at: -1, source: 'host', name: 'pageerror', detail: String(error) }),
    );
    await page.exposeFunction(REPORT_FUNCTION, (event: PageEvent) => handle.events.push(event));
    await page.goto(server.url);
    await page.waitForFunction(() => 'callsSdk' in window);
    return handle;
  }

  /** Calls `window.callsSdk[name](arg)` in the page and returns its (serialisable) result. */
  call<K extends keyof Api>(
    name: K,
    arg?: Parameters<Api[K]>[0],
  ): Promise<Awaited<ReturnType<Api[K]>>> {
    return this.page.evaluate(
      ([fn, value]) =>
        (window as unknown as { callsSdk: Record<string, (v: unknown) => unknown> }).callsSdk[
          fn as string
        ]?.(value),
      [name, arg] as const,
    ) as Promise<Awaited<ReturnType<Api[K]>>>;
  }

  named(source: PageEvent['source'], name?: string): PageEvent[] {
    return this.events.filter(
      (e) => e.source === source && (name === undefined || e.name === name),
    );
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => {});
    await this.server.close();
  }
}
