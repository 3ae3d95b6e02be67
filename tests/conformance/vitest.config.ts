import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The SDK conformance suite: each scenario runs the real @webex/calling in its own Node process
// (registration) or its own Chromium page (calls) against a fresh emulator, one after another
// (the SDK keeps module-level singletons and the scenarios measure real keepalive timing, so
// they must not compete for the CPU).
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['tests/conformance/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
