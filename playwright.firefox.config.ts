import { defineConfig } from '@playwright/test';

/** Firefox e2e (tests/e2e-firefox): one worker; Firefox is driven by puppeteer-core. */
export default defineConfig({
  testDir: 'tests/e2e-firefox',
  testMatch: '**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  reporter: 'list',
});
