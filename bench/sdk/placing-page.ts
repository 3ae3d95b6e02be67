/**
 * The calls conformance harness's page (tests/conformance/calls/page-entry.ts, imported as is)
 * bundled with one difference: its `import … from '@webex/calling'` resolves to
 * bench/sdk/calling-spy.ts, the unmodified package with `createClient` wrapped so the bench can
 * reach the line and place calls with the SDK's own `line.makeCall` and `call.dial`. Everything
 * else (esbuild options, Node shims, the page server and its RTCPeerConnection recorder, the
 * browser flags) is the harness's: SdkPage.open() with another bundle.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from '@playwright/test';
import { build, type Plugin } from 'esbuild';
import type { CallsSdkPage } from '../../tests/conformance/calls/page-entry';
import { type PageEvent, REPORT_FUNCTION } from '../../tests/conformance/calls/page-protocol';
import { type PageServer, servePage } from '../../tests/conformance/calls/page-server';
import { FAKE_MEDIA_FLAGS } from '../../tests/conformance/calls/sdk-page';
import { findChromium } from '../../tests/e2e/chromium';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const HARNESS = '../../tests/conformance/calls/';
const PAGE_ENTRY = here(`${HARNESS}page-entry.ts`);
const SPY = here('./calling-spy.ts');

/** tests/conformance/calls/bundle.ts's shims (not exported there), and the spy. */
const SHIMS: Readonly<Record<string, string>> = {
  util: here(`${HARNESS}node-shims/util.ts`),
  url: here(`${HARNESS}node-shims/url.ts`),
  querystring: here(`${HARNESS}node-shims/querystring.ts`),
};
const EMPTY = here(`${HARNESS}node-shims/empty.ts`);
const EMPTY_MODULES = /^(node:)?(crypto|fs|os|stream|path|child_process|worker_threads|esbuild)$/;

const plugins: Plugin = {
  name: 'harness-shims-and-spy',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(util|url|querystring)$/ }, (args) => ({
      path: SHIMS[args.path.replace(/^node:/, '')] ?? EMPTY,
    }));
    b.onResolve({ filter: EMPTY_MODULES }, () => ({ path: EMPTY }));
    // Only the harness's own import: the spy's import is the real package.
    b.onResolve({ filter: /^@webex\/calling$/ }, (args) =>
      args.importer === PAGE_ENTRY ? { path: SPY } : undefined,
    );
  },
};

async function bundle(): Promise<string> {
  const outdir = await mkdtemp(join(tmpdir(), 'bench-placing-'));
  const outfile = join(outdir, 'page.js');
  await build({
    entryPoints: [PAGE_ENTRY],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    outfile,
    logLevel: 'error',
    plugins: [plugins],
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env': '{}',
      global: 'globalThis',
    },
  });
  try {
    const script = await readFile(outfile, 'utf8');
    if (!script.includes('benchCalling')) throw new Error('the spy was not bundled');
    return script;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

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

/** SdkPage's interface (tests/conformance/calls/sdk-page.ts), over the spied bundle. */
export class PlacingPage {
  readonly events: PageEvent[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly server: PageServer,
    readonly page: Page,
  ) {}

  static async open(): Promise<PlacingPage> {
    const server = await servePage(await bundle());
    let browser: Browser | undefined;
    try {
      browser = await chromium.launch({
        executablePath: findChromium(),
        headless: true,
        args: BROWSER_FLAGS,
      });
      const page = await browser.newPage();
      const handle = new PlacingPage(browser, server, page);
      page.on('pageerror', (error) =>
        handle.events.push({ at: -1, source: 'host', name: 'pageerror', detail: String(error) }),
      );
      await page.exposeFunction(REPORT_FUNCTION, (event: PageEvent) => handle.events.push(event));
      await page.goto(server.url);
      await page.waitForFunction(() => 'callsSdk' in window);
      return handle;
    } catch (error) {
      await browser?.close().catch(() => {});
      await server.close();
      throw error;
    }
  }

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
