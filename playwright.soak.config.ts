import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `npm run soak`: the long worker-stop run (tests/e2e/soak.soak.ts), outside `npm test`.
export default defineConfig({
  ...base,
  testMatch: '**/*.soak.ts',
  timeout: 20 * 60_000,
  reporter: 'list',
});
