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
  /** Stops the test asked for. */
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
  const startsBefore = await workerStarts(extensionPage);
  await extensionPage.close();
  const watch = watchLine(emulator, { observer, console: options.workerConsole });
  const started = Date.now();
  let stops = 0;
  while (Date.now() - started < options.durationMs) {
    await observer.waitForTimeout(options.everyMs);
    await stopServiceWorker(context, observer);
    stops += 1;
  }
  const durationMs = Date.now() - started;
  await watch.stop();
  const popup = await openPopup(context, new URL(observer.url()).host);
  const figures: WorkerStopsFigures = {
    ...watch.figures(),
    durationMs,
    stops,
    workerStarts: (await workerStarts(popup)) - startsBefore,
    violations: watch.violations(),
  };
  options.report?.(figures);
  await watch.check(popup, 'registered');
  return figures;
}

async function workerStarts(page: Page): Promise<number> {
  const { entries } = await send(page, 'diagnostics/get');
  return entries.filter((e) => e.kind === 'worker').length;
}
