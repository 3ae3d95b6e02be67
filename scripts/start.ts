/**
 * `npm start`: build the development extension, start the Webex Calling emulator on its default
 * ports, and open Chromium with the extension loaded, pinned to the toolbar and pointed at the
 * emulator. Sign in as a test user from the toolbar popup; the emulator's demo page shows
 * click-to-register. `npm start -- --lang=de` opens Chromium (and so the extension) in German;
 * `npm start -- --browser=firefox` opens Firefox (firefox-esr) with the Firefox build instead.
 * The launch flags are its own (scripts/chromium.ts, scripts/firefox.ts); only the emulator
 * comes from tests/.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { DEV_EXTENSION_ID } from '../lib/dev-integration';
import { startEmulator } from '../tests/emulator/index';
import { DEV_EXTENSION_DIR, desktopLaunch, findChromium, isLanguageTag } from './chromium';
import { FIREFOX_EXTENSION_ORIGIN, findFirefox, launchFirefox, openExtensionPage } from './firefox';
import { prepareProfile } from './profile';

const headless = process.env.HEADLESS === '1';
const { values: options } = parseArgs({
  options: { lang: { type: 'string' }, browser: { type: 'string', default: 'chromium' } },
});
if (options.browser !== 'chromium' && options.browser !== 'firefox') {
  console.error(`\n--browser=${options.browser}: use chromium (the default) or firefox.\n`);
  process.exit(1);
}
const firefox = options.browser === 'firefox';

function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

if (
  process.platform === 'linux' &&
  !process.env.DISPLAY &&
  !process.env.WAYLAND_DISPLAY &&
  !headless
) {
  fail(
    [
      `No display found, so ${firefox ? 'Firefox' : 'Chromium'} cannot open a window here.`,
      '  Under a virtual display:  apt-get install -y xvfb && xvfb-run -a npm start',
      '  Headless (emulator + extension run, no window):  HEADLESS=1 npm start',
      '  Or run only the emulator:  npm run emulator',
    ].join('\n'),
  );
}

if (firefox && options.lang !== undefined) fail('--lang is for Chromium only.');
if (options.lang !== undefined && !isLanguageTag(options.lang)) {
  fail(`--lang=${options.lang} is not a language tag (examples: en, de, fr, es, ja, pt-BR).`);
}

try {
  if (firefox) findFirefox();
  else findChromium();
} catch (error) {
  fail((error as Error).message);
}

console.log('Building the development extension...');
const target = firefox ? ['-b', 'firefox', '--mv3'] : [];
const build = spawnSync('npx', ['wxt', 'build', ...target, '--mode', 'development'], {
  stdio: 'inherit',
});
if (build.status !== 0) fail('The extension did not build (see above).');

const emulator = await startEmulator({
  ports: {
    base: Number(process.env.EMULATOR_BASE_PORT ?? 8790),
    primary: Number(process.env.EMULATOR_PRIMARY_PORT ?? 8791),
    backup: Number(process.env.EMULATOR_BACKUP_PORT ?? 8792),
  },
}).catch((error: Error) => fail(`The emulator could not start: ${error.message}`));

if (firefox) await runFirefox();

async function runFirefox(): Promise<void> {
  const browser = await launchFirefox({ headless }).catch(async (error: Error) => {
    await emulator.close();
    return fail(`Firefox did not start: ${error.message.split('\n')[0]}`);
  });
  await openExtensionPage(browser);
  const demo = await browser.newPage();
  await demo.goto(`${emulator.urls.base}/demo`).catch(() => undefined);
  banner(`${FIREFOX_EXTENSION_ORIGIN}/popup.html`, 'toolbar button, in the Extensions menu');
  const stop = async () => {
    await browser.close().catch(() => undefined);
    await emulator.close();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  browser.on('disconnected', stop);
  // Firefox runs until closed: nothing below (Chromium's launch) applies.
  await new Promise<never>(() => {});
}

function banner(popupUrl: string, button: string): void {
  console.log(`
Webex Line is running against the local Webex Calling emulator.
  Emulator:   ${emulator.urls.base}   (admin API: ${emulator.urls.base}/_emulator/)
  Mobius:     ${emulator.urls.primary} (primary), ${emulator.urls.backup} (backup)
  Popup:      ${popupUrl}  (also the ${button})
  Demo page:  ${emulator.urls.base}/demo
Sign in as a test user (e.g. Alice) from the popup, then Register. Ctrl-C stops everything.
`);
}

const profileDir = resolve('.emulator-profile');
prepareProfile(profileDir, DEV_EXTENSION_ID);
const launch = desktopLaunch({
  extensionDir: DEV_EXTENSION_DIR,
  uid: process.getuid?.(),
  lang: options.lang,
});
const context = await chromium
  .launchPersistentContext(profileDir, {
    executablePath: findChromium(),
    headless,
    args: launch.args,
    chromiumSandbox: launch.chromiumSandbox,
    viewport: null,
    // Ctrl-C is ours: Playwright's own handlers kill Chromium, which then offers to "restore
    // pages" on the next start. shutdown() closes it properly instead.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  })
  .catch(async (error: Error) => {
    await emulator.close();
    const sandbox = /sandbox/i.test(error.message)
      ? '\nChromium could not start its sandbox. Enable unprivileged user namespaces (Debian: sysctl kernel.unprivileged_userns_clone=1), or run as root, where npm start turns the sandbox off.'
      : '';
    return fail(`Chromium did not start: ${error.message.split('\n')[0]}${sandbox}`);
  });

const popupUrl = `chrome-extension://${DEV_EXTENSION_ID}/popup.html`;
const [first] = context.pages();
const popup = first ?? (await context.newPage());
await popup.goto(popupUrl);
// Open the demo once the worker has registered click-to-register for it.
const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
for (let tries = 0; tries < 50; tries += 1) {
  const scripts = await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
  if (scripts.length > 0) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const demo = await context.newPage();
await demo.goto(`${emulator.urls.base}/demo`);

banner(popupUrl, 'pinned toolbar button');

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await context.close().catch(() => undefined);
  await emulator.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
process.on('SIGHUP', shutdown);
context.on('close', shutdown);
