/**
 * Fault suite, part 1: the service worker and the browser process (issue 8, scenarios 1, 2, 4,
 * 14) and the console watch the invariants rely on.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { freezeBrowser } from './browser-process';
import { ServiceWorkerConsole } from './cdp-console';
import {
  ALICE,
  expect,
  isRegistered,
  logged,
  openObserver,
  openPopup,
  registerLine,
  test,
  watchLine,
} from './fault-fixtures';
import { send, serviceWorkerOf, stopServiceWorker, waitForStatus } from './fixtures';
import { workerStopsScenario } from './worker-stops';

test('the console watch sees an uncaught error and an unhandled rejection, before and after a worker restart', async ({
  context,
  extensionPage,
  workerConsole,
}) => {
  const worker = await serviceWorkerOf(context);
  await worker.evaluate(() => {
    setTimeout(() => {
      throw new Error('thrown on purpose');
    }, 0);
  });
  await expect
    .poll(() => workerConsole.errors())
    .toEqual([expect.stringContaining('thrown on purpose')]);
  await stopServiceWorker(context, extensionPage);
  await send(extensionPage, 'status/get'); // wakes it
  await worker.evaluate(() => {
    void Promise.reject(new Error('rejected on purpose'));
  });
  await expect.poll(() => workerConsole.errors()).toHaveLength(2);
  expect(workerConsole.errors()[1]).toContain('rejected on purpose');
  expect(workerConsole.errors()[1]).toContain('(in promise)');
});

test('1. the worker stopped every few keepalive intervals for a minute: keepalives keep their cadence, one device, no lapse', async ({
  context,
  extensionPage,
  observer,
  workerConsole,
  emulator,
}) => {
  test.setTimeout(150_000);
  const figures = await workerStopsScenario({
    context,
    extensionPage,
    observer,
    workerConsole,
    emulator,
    durationMs: 60_000,
    everyMs: 3_000,
  });
  test.info().annotations.push({ type: 'figures', description: JSON.stringify(figures) });
  expect(figures.stops).toBeGreaterThanOrEqual(15);
  // Every stop was followed by a start that an alarm caused (nothing else talked to the worker).
  expect(figures.workerStarts).toBeGreaterThanOrEqual(figures.stops);
  expect(figures.keepalives).toBeGreaterThan(figures.durationMs / 1000 / 2);
});

test('2. sleep: the whole browser frozen past the device expiry wakes registered again, one device, no stale "Registered"', async ({
  profile,
  extensionPage,
  observer,
  workerConsole,
  emulator,
}) => {
  const before = await registerLine(extensionPage, emulator);
  const watch = watchLine(emulator, { observer, popup: extensionPage, console: workerConsole });
  await extensionPage.waitForTimeout(2_000); // a few keepalives first
  // 1 s interval, 5 missed: the device expires 5 s after its last keepalive.
  const endFreeze = watch.open('browser frozen');
  const frozen = freezeBrowser(profile.dir);
  try {
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(emulator.devices(ALICE)).toEqual([]);
  } finally {
    frozen.thaw();
    endFreeze();
  }
  const woke = Date.now();
  const after = await waitForStatus(
    extensionPage,
    (s) => isRegistered(s) && s.line?.mobiusDeviceId !== before.line?.mobiusDeviceId,
    20_000,
  );
  expect(after.line?.mobiusDeviceId).toBe(emulator.devices(ALICE)[0]?.deviceId);
  // Registered again soon after waking (the first overdue keepalive finds the device gone).
  const reregistered = logged(emulator, 'register').at(-1);
  expect(reregistered?.status).toBe(200);
  expect((reregistered?.receivedAt ?? 0) - woke).toBeLessThan(10_000);
  await watch.check(extensionPage, 'registered');
});

test('4. the worker killed inside the keepalive handler: an alarm is still armed and the line stays registered', async ({
  context,
  extensionPage,
  observer,
  workerConsole,
  emulator,
}) => {
  const before = await registerLine(extensionPage, emulator);
  const watch = watchLine(emulator, { observer, popup: extensionPage, console: workerConsole });
  const endHold = watch.open('keepalive held, worker stopped');
  emulator.injectFault({ endpoint: 'keepalive', delayMs: 1_500 });
  // Taken by a keepalive, which the server now holds: the worker is inside its handler.
  await expect.poll(() => emulator.pendingFaults().length, { intervals: [25] }).toBe(0);
  await stopServiceWorker(context, observer);
  endHold();
  // Some alarm is due within a couple of intervals (the keepalive's, whatever its name): the
  // stopped worker will be woken.
  const dueSoon = await observer.evaluate(async () =>
    (await chrome.alarms.getAll())
      .filter((a) => a.scheduledTime <= Date.now() + 3_000)
      .map((a) => a.name),
  );
  expect(dueSoon.length).toBeGreaterThan(0);
  const after = await waitForStatus(extensionPage, isRegistered);
  expect(after.line?.mobiusDeviceId).toBe(before.line?.mobiusDeviceId);
  const beats = logged(emulator, 'keepalive').length;
  await expect
    .poll(() => logged(emulator, 'keepalive').length, { timeout: 10_000 })
    .toBeGreaterThan(beats + 2);
  await watch.check(extensionPage, 'registered');
});

/**
 * Resolves (in the page, without messaging the worker) just after the keepalive alarm rang:
 * Chrome rescheduled it (every alarm repeats until its handler is done) or removed it.
 */
function untilAlarmFired(observer: Page): Promise<number> {
  return observer.evaluate(async () => {
    const name = 'timer:line:keepalive';
    const due = (await chrome.alarms.get(name))?.scheduledTime;
    if (due === undefined) throw new Error('no keepalive alarm armed');
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const alarm = await chrome.alarms.get(name);
      if (!alarm || alarm.scheduledTime !== due) return Date.now();
    }
    throw new Error('the keepalive alarm never fired');
  });
}

test('4. the worker killed as the keepalive handler starts (its alarm just fired): an alarm is still armed and the line stays registered', async ({
  context,
  extensionPage,
  observer,
  workerConsole,
  emulator,
}) => {
  const before = await registerLine(extensionPage, emulator);
  await extensionPage.close(); // nothing but alarms may wake the worker
  const watch = watchLine(emulator, { observer, console: workerConsole });
  const cdp = await context.newCDPSession(observer);
  await cdp.send('ServiceWorker.enable');
  await observer.waitForTimeout(1_500);
  await untilAlarmFired(observer);
  await cdp.send('ServiceWorker.stopAllWorkers');
  await observer.waitForTimeout(300);
  const dueSoon = await observer.evaluate(
    async () =>
      (await chrome.alarms.getAll()).filter((a) => a.scheduledTime <= Date.now() + 3_000).length,
  );
  expect(dueSoon, 'an alarm to wake the stopped worker').toBeGreaterThan(0);
  // Woken by alarms only, the line keeps its device and its keepalives.
  const beats = logged(emulator, 'keepalive').length;
  await expect
    .poll(() => logged(emulator, 'keepalive').length, { timeout: 10_000 })
    .toBeGreaterThan(beats + 2);
  expect(emulator.devices(ALICE).map((d) => d.deviceId)).toEqual([before.line?.mobiusDeviceId]);
  const popup = await openPopup(context, new URL(observer.url()).host);
  await watch.check(popup, 'registered');
});

test('14. a browser restart while the server still has the old device: registered again without a click, the old device deleted first', async ({
  profile,
  context,
  extensionPage,
  extensionId,
  observer,
  workerConsole,
  emulator,
}) => {
  const first = await registerLine(extensionPage, emulator);
  const watch = watchLine(emulator, { observer, popup: extensionPage, console: workerConsole });
  const endRestart = watch.open('browser restarting');
  await context.close();
  expect(emulator.devices(ALICE).map((d) => d.deviceId)).toEqual([first.line?.mobiusDeviceId]);

  const again: BrowserContext = await profile.launch();
  try {
    await serviceWorkerOf(again);
    const console2 = await ServiceWorkerConsole.attach(profile.dir, extensionId);
    const popup: Page = await openPopup(again, extensionId);
    await watch.switchBrowser({
      observer: await openObserver(again, extensionId),
      popup,
      console: console2,
    });
    const second = await waitForStatus(popup, isRegistered, 30_000);
    endRestart();
    expect(second.line?.mobiusDeviceId).not.toBe(first.line?.mobiusDeviceId);
    const old = emulator
      .deviceHistory(ALICE)
      .devices.find((d) => d.deviceId === first.line?.mobiusDeviceId);
    expect(old?.end).toBe('deleted');
    await watch.check(popup, 'registered');
    await console2.close();
  } finally {
    await again.close();
  }
});
