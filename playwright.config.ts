import { defineConfig } from '@playwright/test';

// Real Chromium with the built extension, against the real emulator over HTTP. One worker:
// two are no faster on two cores, and each test owns the emulator it resets.
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: { trace: 'retain-on-failure' },
});
