/**
 * Measure 3: popup open to status rendered, timed in the popup itself from navigation start to
 * the first text in its role=status region (the status announcement, rendered with the pill),
 * with the line registered. Warm: the service worker is running. Stopped: stopped through CDP
 * first, so the popup's status port has to wake it (each such run checks the worker did start).
 */
import { send, stopServiceWorker, waitForStatus } from '../../tests/e2e/fixtures';
import { type BrowserSession, PROBES_SOURCE, type ProbeWindow } from '../browser/session';
import type { Recorder } from '../core/results';

async function openPopupTimed(session: BrowserSession): Promise<number> {
  const page = await session.context.newPage();
  try {
    await page.addInitScript({
      content: `${PROBES_SOURCE};globalThis.benchProbes.watchFirstStatus();`,
    });
    await page.goto(session.url('popup.html'));
    return await page.evaluate(
      () => (globalThis as unknown as ProbeWindow).benchProbes.firstStatus,
    );
  } finally {
    await page.close();
  }
}

export async function measurePopupOpen(
  rec: Recorder,
  session: BrowserSession,
  { runs }: { runs: number },
) {
  const { driver, context } = session;
  await send(driver, 'line/register');
  await waitForStatus(driver, (s) => s.display === 'registered');
  const warm: number[] = [];
  const stopped: number[] = [];
  let notRestarted = 0;
  for (let i = 0; i < runs; i += 1) {
    warm.push(await openPopupTimed(session));
    await stopServiceWorker(context, driver);
    const since = Date.now();
    stopped.push(await openPopupTimed(session));
    if ((await session.workerStartsSince(since)) < 1) notRestarted += 1;
  }
  rec.figure(3, 'popup.warm.ms', 'popup open to status, worker running', 'ms', warm, {
    atMost: 100,
  });
  rec.figure(3, 'popup.stopped.ms', 'popup open to status, worker stopped', 'ms', stopped, {
    atMost: 250,
  });
  rec.ratio(3, 'popup.stopped-vs-warm', 'stopped / running', 'popup.stopped.ms', 'popup.warm.ms');
  rec.check(
    3,
    'every stopped-worker run woke a stopped worker',
    notRestarted === 0,
    `${notRestarted} of ${runs} runs found no worker start`,
  );
}
