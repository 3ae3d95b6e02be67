import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Unit and emulator tests. Playwright specs (tests/e2e) and the SDK conformance suite
// (tests/conformance, its own config: one fresh process per scenario) stay out.
export default defineConfig({
  plugins: [WxtVitest(), preact()],
  test: {
    include: ['tests/unit/**/*.test.{ts,tsx}', 'tests/emulator/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    pool: 'forks',
    testTimeout: 15000,
  },
});
