import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// The simulation: its own config so `npm run sim` can replay one seed or run for a while.
export default defineConfig({
  plugins: [WxtVitest()],
  test: {
    include: ['tests/sim/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['tests/unit/setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
  },
});
