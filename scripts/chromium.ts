/**
 * Finding Chromium and choosing the flags that load the unpacked extension. Product code for
 * `npm start`; the e2e suite and the benchmark reuse it and add their own extras.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where the built development extension lands (`wxt build --mode development`). */
export const DEV_EXTENSION_DIR = resolve(import.meta.dirname, '../.output/chrome-mv3-dev');

export const CHROMIUM_CANDIDATES = [
  '/usr/lib/chromium/chromium', // Debian's real binary (the /usr/bin wrapper prints a warning)
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** The Chromium to drive: $CHROMIUM_PATH, else the first one found. Playwright never downloads one. */
export function findChromium(
  env: NodeJS.ProcessEnv = process.env,
  exists: (path: string) => boolean = existsSync,
): string {
  const fromEnv = env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!exists(fromEnv)) throw new Error(`CHROMIUM_PATH=${fromEnv} does not exist.`);
    return fromEnv;
  }
  const found = CHROMIUM_CANDIDATES.find((path) => exists(path));
  if (!found) {
    throw new Error(
      'No Chromium found. Install one (Debian: apt-get install -y chromium) or set CHROMIUM_PATH to its binary.',
    );
  }
  return found;
}

/** The flags that load the unpacked extension (and only it) into a fresh profile. */
export function extensionFlags(extensionDirs: string | readonly string[]): string[] {
  const dirs = typeof extensionDirs === 'string' ? [extensionDirs] : extensionDirs;
  for (const dir of dirs) {
    if (!existsSync(resolve(dir, 'manifest.json'))) {
      throw new Error(`No built extension in ${dir}: run \`npm run build:dev\` first.`);
    }
  }
  const list = dirs.join(',');
  return [
    `--disable-extensions-except=${list}`,
    `--load-extension=${list}`,
    '--no-first-run',
    '--no-default-browser-check',
  ];
}

export interface LaunchChoice {
  /** Extra command-line flags for Chromium. */
  args: string[];
  /**
   * Playwright's `chromiumSandbox`: when false Playwright adds `--no-sandbox` itself, so it must
   * be true for a sandboxed browser.
   */
  chromiumSandbox: boolean;
}

export interface DesktopLaunchOptions {
  extensionDir: string;
  /** `process.getuid()`; undefined on Windows, which has no root. */
  uid: number | undefined;
  /** A UI language for Chromium (`--lang`), e.g. `de` or `pt-BR`. */
  lang?: string;
}

/**
 * How `npm start` launches Chromium for a person at a desktop: a normal, sandboxed browser.
 * Chromium refuses to start as root with its sandbox on, so only root gets `--no-sandbox` (and
 * with it Chromium's "unsupported command-line flag" banner).
 */
export function desktopLaunch({ extensionDir, uid, lang }: DesktopLaunchOptions): LaunchChoice {
  const root = uid === 0;
  return {
    args: [
      ...extensionFlags(extensionDir),
      ...(root ? ['--no-sandbox'] : []),
      ...(lang ? [`--lang=${lang}`] : []),
    ],
    chromiumSandbox: !root,
  };
}

/** A UI language as Chromium's `--lang` takes it: `de`, `fr`, `es`, `ja`, `pt-BR`... */
export function isLanguageTag(value: string): boolean {
  return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(value);
}
