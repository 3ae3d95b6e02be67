/**
 * Scenario 1's driver, shared by the CI test (about a minute) and `npm run soak` (ten): Chrome
 * stopping the idle service worker, every few keepalive intervals, through CDP. Nothing else
 * talks to the worker meanwhile, so only its alarms wake it.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Emulator } from '../emulator/index';
import { stopServiceWorker } from './fixtures';

export interface WorkerStopsResult {
  stops: number;
  durationMs: number;
}

export async function runWorkerStops(options: {
  context: BrowserContext;
  /** An extension page that sends no messages (the CDP session is opened on it). */
  observer: Page;
  emulator: Emulator;
  durationMs: number;
  everyMs: number;
}): Promise<WorkerStopsResult> {
  const started = Date.now();
  let stops = 0;
  while (Date.now() - started < options.durationMs) {
    await options.observer.waitForTimeout(options.everyMs);
    await stopServiceWorker(options.context, options.observer);
    stops += 1;
  }
  return { stops, durationMs: Date.now() - started };
}
