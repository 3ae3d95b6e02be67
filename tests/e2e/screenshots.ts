import { resolve } from 'node:path';

/**
 * Where tests write their screenshots: under test-results/ (ignored by git), so a test run
 * leaves the checkout clean. `npm run screenshots` points this at docs/screenshots to refresh
 * the README's pictures on purpose.
 */
export function screenshotDir(sub = ''): string {
  const base =
    process.env.SCREENSHOTS_DIR ?? resolve(import.meta.dirname, '../../test-results/screenshots');
  return resolve(base, sub);
}
