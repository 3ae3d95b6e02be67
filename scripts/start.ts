/**
 * `npm start`: build the development extension, start the Webex Calling emulator on its default
 * ports, and open Chromium with the extension loaded and pointed at it. Sign in as a test user
 * from the toolbar popup; the emulator's demo page shows click-to-register.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { DEV_EXTENSION_ID } from '../lib/dev-integration';
import { extensionArgs, findChromium } from '../tests/e2e/chromium';
import { startEmulator } from '../tests/emulator/index';

const headless = process.env.HEADLESS === '1';

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
      'No display found, so Chromium cannot open a window here.',
      '  Under a virtual display:  apt-get install -y xvfb && xvfb-run -a npm start',
      '  Headless (emulator + extension run, no window):  HEADLESS=1 npm start',
      '  Or run only the emulator:  npm run emulator',
    ].join('\n'),
  );
}

let chromiumPath: string;
try {
  chromiumPath = findChromium();
} catch (error) {
  fail((error as Error).message);
}

console.log('Building the development extension...');
const build = spawnSync('npx', ['wxt', 'build', '--mode', 'development'], { stdio: 'inherit' });
if (build.status !== 0) fail('The extension did not build (see above).');

const emulator = await startEmulator({
  ports: {
    base: Number(process.env.EMULATOR_BASE_PORT ?? 8790),
    primary: Number(process.env.EMULATOR_PRIMARY_PORT ?? 8791),
    backup: Number(process.env.EMULATOR_BACKUP_PORT ?? 8792),
  },
}).catch((error: Error) => fail(`The emulator could not start: ${error.message}`));

const context = await chromium.launchPersistentContext(resolve('.emulator-profile'), {
  executablePath: chromiumPath,
  headless,
  args: extensionArgs(),
  viewport: null,
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

console.log(`
Webex Line is running against the local Webex Calling emulator.
  Emulator:   ${emulator.urls.base}   (admin API: ${emulator.urls.base}/_emulator/)
  Mobius:     ${emulator.urls.primary} (primary), ${emulator.urls.backup} (backup)
  Popup:      ${popupUrl}  (also the toolbar button)
  Demo page:  ${emulator.urls.base}/demo
Sign in as a test user (e.g. Alice) from the popup, then Register. Ctrl-C stops everything.
`);

async function shutdown() {
  await context.close().catch(() => undefined);
  await emulator.close();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
context.on('close', shutdown);
