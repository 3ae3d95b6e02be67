/**
 * Scenario 1, shared by the CI test (about a minute) and `npm run soak` (ten): Chrome stopping
 * the idle service worker every few keepalive intervals, through CDP, for a long run. No page
 * that messages the worker stays open meanwhile, so only its alarms wake it.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Emulator } from '../emulator/index';
import type { ServiceWorkerConsole } from './cdp-console';
import { openPopup, registerLine, watchLine } from './fault-fixtures';
import { stopServiceWorker, workerStartsSeen } from './fixtures';
import type { WatchFigures } from './invariants';

export interface WorkerStopsFigures extends WatchFigures {
  durationMs: number;
  /** Stops made (a worker found already stopped is not counted). */
  stops: number;
  /** Worker starts Chrome reported (each stop is followed by one, woken by an alarm). */
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
  const startsBefore = await workerStartsSeen(context, observer);
  const watch = watchLine(emulator, { observer, console: options.workerConsole });
  const started = Date.now();
  let stops = 0;
  while (Date.now() - started < options.durationMs) {
    await observer.waitForTimeout(options.everyMs);
    if (await stopServiceWorker(context, observer)) stops += 1;
  }
  const durationMs = Date.now() - started;
  const starts = await startsAfter(context, observer, startsBefore + stops);
  await watch.stop();
  const popup = await openPopup(context, new URL(observer.url()).host);
  const figures: WorkerStopsFigures = {
    ...watch.figures(),
    durationMs,
    stops,
    workerStarts: starts - startsBefore,
    violations: watch.violations(),
  };
  options.report?.(figures);
  await watch.check(popup, 'registered');
  return figures;
}

/**
 * The starts Chrome has reported, once they reach `expected` or after 5 s: the last stop's
 * start (an alarm's) may still be on its way when the run ends.
 */
async function startsAfter(context: BrowserContext, observer: Page, expected: number) {
  const until = Date.now() + 5_000;
  for (;;) {
    const starts = await workerStartsSeen(context, observer);
    if (starts >= expected || Date.now() > until) return starts;
    await observer.waitForTimeout(100);
  }
}
