import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where the built development extension lands (`wxt build --mode development`). */
export const EXTENSION_DIR = resolve(import.meta.dirname, '../../.output/chrome-mv3-dev');

const CANDIDATES = [
  '/usr/lib/chromium/chromium', // Debian's real binary (the /usr/bin wrapper prints a warning)
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The Chromium to drive: $CHROMIUM_PATH, else the first one found. Playwright never downloads one. */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      'No Chromium found. Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to its binary.',
    );
  }
  return found;
}

/** Flags that load the unpacked extension and keep Chromium off the (closed) network. */
export function extensionArgs(extensionDirs: readonly string[] = [EXTENSION_DIR]): string[] {
  for (const dir of extensionDirs) {
    if (!existsSync(resolve(dir, 'manifest.json'))) {
      throw new Error(`No built extension in ${dir}: run \`npm run build:dev\` first.`);
    }
  }
  const list = extensionDirs.join(',');
  return [
    `--disable-extensions-except=${list}`,
    `--load-extension=${list}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--no-default-browser-check',
  ];
}
