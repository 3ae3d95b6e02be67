/**
 * Scenario 1, shared by the CI test (about a minute) and `npm run soak` (ten): Chrome stopping
 * the idle service worker every few keepalive intervals, through CDP, for a long run. No page
 * that messages the worker stays open meanwhile, so only its alarms wake it.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Emulator } from '../emulator/index';
import type { ServiceWorkerConsole } from './cdp-console';
import { openPopup, registerLine, watchLine } from './fault-fixtures';
import { send, stopServiceWorker } from './fixtures';
import type { WatchFigures } from './invariants';

export interface WorkerStopsFigures extends WatchFigures {
  durationMs: number;
  /** Stops made (a worker found already stopped is not counted). */
  stops: number;
  /** Worker starts the extension logged (each stop is followed by one, woken by an alarm). */
  workerStarts: number;
  /** The invariants it broke, if any (lapses with their times, long gaps, stale claims). */
  violations: string[];
}

export async function workerStopsScenario(options: {
  context: BrowserContext;
  extensionPage: Page;
  observer: Page;
  workerConsole: ServiceWorkerConsole;
  emulator: Emulator;
  durationMs: number;
  everyMs: number;
  /** Called with the figures before the invariants are asserted (so a failing run reports too). */
  report?: (figures: WorkerStopsFigures) => void;
}): Promise<WorkerStopsFigures> {
  const { context, extensionPage, observer, emulator } = options;
  await registerLine(extensionPage, emulator);
  await extensionPage.close();
  const watch = watchLine(emulator, { observer, console: options.workerConsole });
  const started = Date.now();
  let stops = 0;
  while (Date.now() - started < options.durationMs) {
    await observer.waitForTimeout(options.everyMs);
    if (await stopServiceWorker(context, observer)) stops += 1;
  }
  const durationMs = Date.now() - started;
  await watch.stop();
  const popup = await openPopup(context, new URL(observer.url()).host);
  const figures: WorkerStopsFigures = {
    ...watch.figures(),
    durationMs,
    stops,
    workerStarts: await workerStartsSince(popup, started, stops),
    violations: watch.violations(),
  };
  options.report?.(figures);
  await watch.check(popup, 'registered');
  return figures;
}

/**
 * Starts logged since `since`, by time (the log keeps only its last entries, so a count taken
 * before the run could fall out of it). Waits up to 5 s for `expected` of them: the popup's
 * own message may wake the worker after the last stop, and be answered before the start-up
 * has logged itself.
 */
async function workerStartsSince(page: Page, since: number, expected: number): Promise<number> {
  const until = Date.now() + 5_000;
  for (;;) {
    const { entries } = await send(page, 'diagnostics/get');
    const starts = entries.filter((e) => e.kind === 'worker' && e.at >= since).length;
    if (starts >= expected || Date.now() > until) return starts;
    await page.waitForTimeout(200);
  }
}
