/**
 * `npm run soak`: scenario 1 for ten minutes (SOAK_MINUTES to change it), then its figures:
 * worker stops and starts, keepalives, the largest keepalive gap, lapses, most devices at once.
 * Not part of `npm test` (playwright.soak.config.ts).
 */
import { writeFileSync } from 'node:fs';
import { expect, test } from './fault-fixtures';
import { workerStopsScenario } from './worker-stops';

const minutes = Number(process.env.SOAK_MINUTES ?? 10);

test(`soak: the worker stopped every 3 s for ${minutes} minutes`, async ({
  context,
  extensionPage,
  observer,
  workerConsole,
  emulator,
}) => {
  test.setTimeout((minutes + 3) * 60_000);
  const figures = await workerStopsScenario({
    context,
    extensionPage,
    observer,
    workerConsole,
    emulator,
    durationMs: minutes * 60_000,
    everyMs: 3_000,
    report: (measured) => {
      const report = JSON.stringify(measured, null, 2);
      console.log(`soak figures:\n${report}`);
      writeFileSync('test-results/soak-figures.json', report);
    },
  });
  expect(figures.lapses).toBe(0);
  expect(figures.maxLive).toBe(1);
});
