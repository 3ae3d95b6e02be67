/**
 * `npm run bench`: speed and size figures, printed, never asserted (shared machines are noisy).
 *  1. bundle sizes of the production build (raw and gzip) per entry;
 *  2. the line service in Node against the real emulator over HTTP: requests and time for a cold
 *     registration (full discovery) and a warm one (cached discovery), and keepalive round trips;
 *  3. the emulator alone: sequential keepalive throughput on loopback (bounded);
 *  4. real Chromium: extension start to first answer, and a stopped worker's wake-up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { createSettingsStore } from '../lib/app/settings-store';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEV_REDIRECT_URL } from '../lib/dev-integration';
import { cryptoRandom } from '../lib/platform/random';
import type { Scheduler, Store } from '../lib/ports';
import { createLineService } from '../lib/service/line-service';
import { extensionArgs, findChromium } from '../tests/e2e/chromium';
import { startEmulator } from '../tests/emulator/index';

const ms = (start: number) => `${(performance.now() - start).toFixed(1)} ms`;

function memoryStore(): Store {
  const data = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => structuredClone(data.get(key)) as T | undefined,
    set: async (key, value) => void data.set(key, structuredClone(value)),
    del: async (key) => void data.delete(key),
  };
}

/** setTimeout-backed scheduler, enough for a process that stays alive. */
function timeoutScheduler(onDue: (name: string) => Promise<void>): Scheduler {
  const timers = new Map<string, { at: number; handle: ReturnType<typeof setTimeout> }>();
  return {
    async set(name, at) {
      clearTimeout(timers.get(name)?.handle);
      const handle = setTimeout(
        () => {
          timers.delete(name);
          void onDue(name);
        },
        Math.max(0, at - Date.now()),
      );
      timers.set(name, { at, handle });
    },
    async clear(name) {
      clearTimeout(timers.get(name)?.handle);
      timers.delete(name);
    },
    async list() {
      return Object.fromEntries([...timers].map(([name, t]) => [name, t.at]));
    },
  };
}

function bundleSizes() {
  const build = spawnSync('npx', ['wxt', 'build'], { encoding: 'utf8' });
  if (build.status !== 0)
    throw new Error(`production build failed:\n${build.stdout}${build.stderr}`);
  const root = '.output/chrome-mv3';
  const files: { file: string; raw: number; gzip: number }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(js|css|html|json)$/.test(name)) {
        const content = readFileSync(path);
        files.push({
          file: relative(root, path),
          raw: content.length,
          gzip: gzipSync(content).length,
        });
      }
    }
  };
  walk(root);
  console.log('\n1. Production bundle (bytes)');
  for (const f of files.sort((a, b) => b.raw - a.raw))
    console.log(
      `   ${f.file.padEnd(48)} ${String(f.raw).padStart(8)} ${String(f.gzip).padStart(8)} gz`,
    );
  const total = files.reduce((sum, f) => ({ raw: sum.raw + f.raw, gzip: sum.gzip + f.gzip }), {
    raw: 0,
    gzip: 0,
  });
  console.log(
    `   ${'total'.padEnd(48)} ${String(total.raw).padStart(8)} ${String(total.gzip).padStart(8)} gz`,
  );
}

async function engineAgainstEmulator() {
  const emulator = await startEmulator({
    config: { autoConsentEmail: 'alice@example.com', keepaliveIntervalSec: 1 },
  });
  let requests = 0;
  const countingFetch: typeof fetch = (input, init) => {
    requests += 1;
    return fetch(input, init);
  };
  const store = memoryStore();
  const settings = createSettingsStore(store, {
    environment: { kind: 'custom', baseUrl: emulator.urls.base },
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    keepRegistered: false,
    notifications: false,
    sites: [],
  });
  const service = createLineService({
    store,
    scheduler: timeoutScheduler((name) => service.onTimer(name)),
    clock: { now: () => Date.now() },
    fetch: countingFetch,
    random: cryptoRandom,
    loadSettings: () => settings.load(),
    identity: {
      redirectUrl: () => DEV_REDIRECT_URL,
      // The emulator auto-consents: follow its redirect like the auth window would.
      launchWebAuthFlow: async (url) =>
        (await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '',
    },
  });
  const registered = () =>
    new Promise<void>((resolve) => {
      const stop = service.subscribe((b) => {
        if (b.event === 'registered') {
          stop();
          resolve();
        }
      });
    });

  console.log('\n2. Line service in Node against the emulator over HTTP');
  let start = performance.now();
  await service.signIn();
  console.log(
    `   sign-in (token + people/me; the consent page is the browser's): ${requests} requests, ${ms(start)}`,
  );

  for (const label of [
    'cold register (discovery + register)',
    'warm register (cached discovery)',
  ]) {
    requests = 0;
    start = performance.now();
    const done = registered();
    await service.register();
    await done;
    console.log(`   ${label}: ${requests} requests, ${ms(start)}`);
    await service.deregister();
  }

  requests = 0;
  const done = registered();
  await service.register();
  await done;
  const before = emulator.requestLog().filter((e) => e.path.endsWith('/status')).length;
  await new Promise((resolve) => setTimeout(resolve, 3_200));
  const keepalives =
    emulator.requestLog().filter((e) => e.path.endsWith('/status')).length - before;
  console.log(`   keepalives at a 1 s interval over 3.2 s: ${keepalives}`);
  await service.deregister();
  await service.whenIdle();

  console.log('\n3. Emulator keepalive throughput (sequential, loopback, 500 requests)');
  const tokens = emulator.issueTokens('alice@example.com');
  const auth = {
    authorization: `Bearer ${tokens.access_token}`,
    'spark-user-agent': 'webex-calling/beta',
  };
  const wdm = (await (
    await fetch(`${emulator.urls.wdm}/devices`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'browser',
        deviceType: 'WEB',
        model: 'web-js-sdk',
        localizedModel: 'webex-js-sdk',
        systemName: 'WEBEX_JS_SDK',
        systemVersion: '1.0.0',
      }),
    })
  ).json()) as { url: string; userId: string };
  const device = (await (
    await fetch(`${emulator.urls.mobiusPrimaryApi}/calling/web/device`, {
      method: 'POST',
      headers: { ...auth, 'cisco-device-url': wdm.url, 'content-type': 'application/json' },
      body: JSON.stringify({
        userId: wdm.userId,
        clientDeviceUri: wdm.url,
        serviceData: { indicator: 'calling', domain: '' },
      }),
    })
  ).json()) as { device: { uri: string } };
  start = performance.now();
  for (let i = 0; i < 500; i += 1) {
    await fetch(`${device.device.uri}/status`, {
      method: 'POST',
      headers: { ...auth, 'cisco-device-url': wdm.url },
    });
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `   ${(500 / seconds).toFixed(0)} keepalives/s (${((seconds * 1000) / 500).toFixed(2)} ms each)`,
  );
  await emulator.close();
}

async function chromiumStartup() {
  const build = spawnSync('npx', ['wxt', 'build', '--mode', 'development'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error('development build failed');
  console.log('\n4. Real Chromium (headless)');
  const dir = mkdtempSync(join(tmpdir(), 'webex-line-bench-'));
  let start = performance.now();
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: findChromium(),
    headless: true,
    args: extensionArgs(),
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(worker.url()).host;
  const page = await context.newPage();
  await page.goto(`chrome-extension://${id}/popup.html`);
  const status = () =>
    page.evaluate(() => chrome.runtime.sendMessage({ type: 'status/get', payload: {} }));
  await status();
  console.log(`   launch to first status answer: ${ms(start)}`);
  start = performance.now();
  for (let i = 0; i < 50; i += 1) await status();
  console.log(`   status/get round trip: ${((performance.now() - start) / 50).toFixed(2)} ms`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  start = performance.now();
  await status();
  console.log(`   stopped worker woken by a message, first answer: ${ms(start)}`);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
}

bundleSizes();
await engineAgainstEmulator();
await chromiumStartup();
