/**
 * Measure 4: keepalive regularity. With a 1 s interval from the emulator, each keepalive is due
 * one interval after the previous one fired (the engine arms the next before sending), so its
 * lateness is the gap between two receive times at the emulator minus the interval (negative
 * when the previous request was the slower one on its way). Every few
 * keepalives the worker is stopped through CDP right after one arrives, so the next has to wake
 * it by alarm; those gaps are reported apart.
 */
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import { send, stopServiceWorker, waitForStatus } from '../../tests/e2e/fixtures';
import type { Emulator } from '../../tests/emulator/index';
import type { BrowserSession } from '../browser/session';
import { endpointOf, gaps } from '../core/request-log';
import type { Recorder } from '../core/results';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const KEEPALIVE_INTERVAL_SEC = 1;

/** Registers afresh so the registration carries the emulator's (short) keepalive interval. */
export async function registerWithInterval(
  emulator: Emulator,
  session: BrowserSession,
  seconds: number,
) {
  emulator.setConfig({ keepaliveIntervalSec: seconds });
  await send(session.driver, 'line/deregister');
  await send(session.driver, 'line/register');
  const snapshot: StatusSnapshot = await waitForStatus(
    session.driver,
    (s) => s.display === 'registered',
  );
  if (snapshot.line?.keepaliveInterval !== seconds || !snapshot.line.mobiusDeviceId) {
    throw new Error(
      `registered with keepaliveInterval ${snapshot.line?.keepaliveInterval}, wanted ${seconds}`,
    );
  }
  return snapshot.line.mobiusDeviceId;
}

export async function measureKeepalive(
  rec: Recorder,
  emulator: Emulator,
  session: BrowserSession,
  { keepalives, stopEvery }: { keepalives: number; stopEvery: number },
) {
  const deviceId = await registerWithInterval(emulator, session, KEEPALIVE_INTERVAL_SEC);
  const intervalMs = KEEPALIVE_INTERVAL_SEC * 1000;
  const since = Date.now();
  const ours = () =>
    emulator
      .requestLog()
      .filter((e) => e.at >= since && endpointOf(e) === 'keepalive' && e.path.includes(deviceId));
  const stops: number[] = [];
  const deadline = Date.now() + keepalives * intervalMs * 4 + 10_000;
  let seen = 0;
  while (seen < keepalives + 1) {
    if (Date.now() > deadline)
      throw new Error(`only ${seen} keepalives arrived before the deadline`);
    const count = ours().length;
    if (count > seen) {
      seen = count;
      if (seen % stopEvery === 0 && seen <= keepalives) {
        await stopServiceWorker(session.context, session.driver);
        stops.push(Date.now());
      }
    }
    await sleep(10);
  }
  const entries = ours();
  const times = entries.map((e) => e.at);
  const lateness = gaps(times).map((gap) => gap - intervalMs);
  const afterStop = (i: number) =>
    stops.some((t) => t > (times[i] as number) && t <= (times[i + 1] as number));
  const running = lateness.filter((_, i) => !afterStop(i));
  const woken = lateness.filter((_, i) => afterStop(i));
  rec.figure(
    4,
    'keepalive.lateness.running',
    'keepalive gap - interval, worker running',
    'ms',
    running,
  );
  if (woken.length > 0)
    rec.figure(
      4,
      'keepalive.lateness.woken',
      'keepalive gap - interval, worker stopped before it',
      'ms',
      woken,
    );
  rec.figure(
    4,
    'keepalive.lateness.all',
    'keepalive gap - interval, all (max = largest lateness)',
    'ms',
    lateness,
  );
  const drift = (times.at(-1) as number) - (times[0] as number) - (times.length - 1) * intervalMs;
  rec.note(
    4,
    `${times.length} keepalives at a ${KEEPALIVE_INTERVAL_SEC} s interval, ${stops.length} worker stops; cumulative drift over the run ${drift} ms (lateness accumulates: each keepalive is armed when the previous one fires)`,
  );
  const failed = entries.filter((e) => e.status !== 200);
  rec.check(
    4,
    'every keepalive was answered 200',
    failed.length === 0,
    failed.map((e) => e.status).join(','),
  );
  const starts = await session.workerStartsSince(since);
  rec.check(
    4,
    'each stop was followed by a worker start (the alarm woke it)',
    starts >= stops.length,
    `${starts} starts for ${stops.length} stops`,
  );
}
