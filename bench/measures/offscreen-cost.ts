/**
 * Measure 9: what the offscreen document costs while the line is registered and ready to ring
 * (Mercury connected, no call): its JavaScript heap, read through CDP on the document's own
 * target, and, over one window, the Mercury pings the emulator receives and the service-worker
 * starts, per hour. Its bundle size is measure 7's "offscreen document" entry (production build).
 */

import type { CDPSession } from '@playwright/test';
import { offscreenCommand } from '../../tests/e2e/offscreen-target';
import type { Emulator } from '../../tests/emulator/index';
import { ALICE } from '../../tests/emulator/index';
import type { BrowserSession } from '../browser/session';
import type { Recorder } from '../core/results';
import { perHour } from '../core/stats';
import { readyToRing } from './call-ring';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The client's cadence (mobius-calls.md §1): a ping 15 s after each pong. */
const PING_INTERVAL_SEC = 15;

interface HeapUsage {
  usedSize: number;
  totalSize: number;
}

/** Runtime.getHeapUsage on the offscreen document's target (tests/e2e/offscreen-target.ts). */
async function offscreenHeap(cdp: CDPSession): Promise<HeapUsage> {
  const heap = await offscreenCommand<HeapUsage>(cdp, 'Runtime.getHeapUsage', { answer: true });
  if (!heap) throw new Error('no heap usage from the offscreen document');
  return heap;
}

export async function measureOffscreenCost(
  rec: Recorder,
  emulator: Emulator,
  session: BrowserSession,
  { windowMs, samples }: { windowMs: number; samples: number },
) {
  await readyToRing(session);
  const cdp = await session.context.newCDPSession(session.driver);
  const used: number[] = [];
  const total: number[] = [];
  const pingTimes: number[] = [];
  let pings = 0;
  const countPings = () =>
    emulator.mercury.sockets(ALICE.id).reduce((sum, socket) => sum + socket.pings, 0);
  const from = Date.now();
  try {
    // Ping times by polling the emulator's counters every 50 ms (its sockets keep counts only).
    pings = countPings();
    const heapEvery = windowMs / samples;
    let nextHeap = from;
    while (Date.now() - from < windowMs) {
      const now = countPings();
      for (; pings < now; pings += 1) pingTimes.push(Date.now());
      if (Date.now() >= nextHeap) {
        const heap = await offscreenHeap(cdp);
        used.push(heap.usedSize / 1024 / 1024);
        total.push(heap.totalSize / 1024 / 1024);
        nextHeap += heapEvery;
      }
      await sleep(50);
    }
  } finally {
    await cdp.detach().catch(() => {});
  }
  const to = Date.now();
  const starts = await session.workerStartsSince(from);
  const first = pingTimes[0];
  const last = pingTimes.at(-1);
  const pingsPerHour =
    first !== undefined && last !== undefined && last > first
      ? perHour(pingTimes.length - 1, last - first)
      : perHour(pingTimes.length, to - from);

  rec.figure(9, 'offscreen.heap.used', 'offscreen document JS heap used', 'MiB', used);
  rec.figure(9, 'offscreen.heap.total', 'offscreen document JS heap total', 'MiB', total);
  rec.figure(9, 'offscreen.pings.per-hour', 'Mercury pings', 'per hour', [pingsPerHour]);
  rec.figure(9, 'offscreen.pings.cadence', "the client's cadence (one per 15 s)", 'per hour', [
    3600 / PING_INTERVAL_SEC,
  ]);
  rec.ratio(
    9,
    'offscreen.pings-vs-cadence',
    'pings / cadence',
    'offscreen.pings.per-hour',
    'offscreen.pings.cadence',
  );
  rec.figure(9, 'offscreen.wakeups', 'worker starts', 'per hour', [perHour(starts, to - from)]);
  rec.note(
    9,
    `one window of ${((to - from) / 1000).toFixed(0)} s, registered, Mercury connected, no call: ${pingTimes.length} pings (emulator's per-socket counters polled every 50 ms; the rate is first to last ping, extrapolated), ${starts} worker starts. Heap: CDP Runtime.getHeapUsage on the offscreen document's target, ${used.length} samples across the window (MiB = 2^20 bytes; V8 heap only, not the renderer's media or DOM memory).`,
  );
  rec.note(
    9,
    "worker starts: Playwright stays attached to the worker, which Chrome then never stops, so this counts the starts the extension caused itself, not Chrome's idle stops; the Mercury socket lives in the offscreen document and needs no worker.",
  );
}
