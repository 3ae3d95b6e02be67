/**
 * Measure 6: a status change reaching every open tab with the content script. The background's
 * time of the change is the `at` of the snapshot it broadcast (read on the bench page's own
 * status port); each tab records when its control's data-webex-line-status took the new value.
 * All clocks are this machine's Date.now().
 */
import type { Page } from '@playwright/test';
import { send } from '../../tests/e2e/fixtures';
import { type BrowserSession, injectProbes, type ProbeWindow } from '../browser/session';
import type { Recorder } from '../core/results';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function whenAllShow(
  tabs: readonly Page[],
  status: string,
  since: number,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const times = await Promise.all(
      tabs.map((tab) =>
        tab.evaluate(
          ([s, t]) => (globalThis as unknown as ProbeWindow).benchProbes.controlStatusAt(s, t),
          [status, since] as const,
        ),
      ),
    );
    if (times.every((t) => t !== null)) return times as number[];
    if (Date.now() > deadline) {
      throw new Error(`${times.filter((t) => t === null).length} tabs never showed "${status}"`);
    }
    await sleep(50);
  }
}

export async function measureFanOut(
  rec: Recorder,
  session: BrowserSession,
  tabs: readonly Page[],
  { runs }: { runs: number },
) {
  const { driver } = session;
  for (const tab of tabs) {
    await injectProbes(tab);
    await tab.evaluate(() =>
      (globalThis as unknown as ProbeWindow).benchProbes.watchControlStatus(),
    );
  }
  await driver.evaluate(() => (globalThis as unknown as ProbeWindow).baseline.listenStatus());
  const last: number[] = [];
  const first: number[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      for (const [request, status] of [
        ['line/deregister', 'inactive'],
        ['line/register', 'registered'],
      ] as const) {
        const since = Date.now();
        await send(driver, request);
        const times = await whenAllShow(tabs, status, since);
        const changedAt = await driver.evaluate(
          ([s, t]) => (globalThis as unknown as ProbeWindow).baseline.broadcastAt(s, t),
          [status, since] as const,
        );
        if (changedAt === null) throw new Error(`the status port saw no "${status}" broadcast`);
        last.push(Math.max(...times) - changedAt);
        first.push(Math.min(...times) - changedAt);
      }
    }
  } finally {
    await driver.evaluate(() => (globalThis as unknown as ProbeWindow).baseline.stopListening());
  }
  rec.figure(6, 'fanout.last.ms', `status change to the last of ${tabs.length} tabs`, 'ms', last, {
    atMost: 200,
  });
  rec.figure(
    6,
    'fanout.first.ms',
    `status change to the first of ${tabs.length} tabs`,
    'ms',
    first,
  );
  rec.note(
    6,
    `each run changes the status twice (deregistered, then registered); ${last.length} changes`,
  );
}
