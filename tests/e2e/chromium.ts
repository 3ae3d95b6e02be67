import { DEV_EXTENSION_DIR, extensionFlags, findChromium } from '../../scripts/chromium';

export { findChromium };

/** Where the built development extension lands (`wxt build --mode development`). */
export const EXTENSION_DIR = DEV_EXTENSION_DIR;

/**
 * The test suite's own extras on top of the product's flags: it runs as root here (so no
 * sandbox) and keeps Chromium off the (closed) network. Its log goes to stderr, which the
 * fixtures keep for a failing test (a browser that dies says why: a CHECK, a signal).
 */
export const E2E_EXTRA_FLAGS = [
  '--enable-logging=stderr',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Flags that load the unpacked extension(s), plus the suite's extras. */
export function extensionArgs(
  extensionDirs: string | readonly string[] = [EXTENSION_DIR],
): string[] {
  return [...extensionFlags(extensionDirs), ...E2E_EXTRA_FLAGS];
}
