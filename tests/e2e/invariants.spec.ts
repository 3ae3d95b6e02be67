/**
 * The invariant watch can fail: fed a real emulator (no browser), it reports a lapse, a gap and
 * two devices at once, and excuses them inside a declared fault window.
 */
import type { Page } from '@playwright/test';
import type { Emulator } from '../emulator/index';
import { deregister, keepalive, registeredLine } from '../emulator/test-support';
import type { ServiceWorkerConsole } from './cdp-console';
import { ALICE, expect, test } from './fixtures';
import { LineWatch } from './invariants';

/** A watch with no browser: only the server side of the invariants is looked at. */
function serverWatch(emulator: Emulator) {
  return new LineWatch({
    emulator,
    email: ALICE,
    intervalSec: 1,
    observer: undefined as unknown as Page,
    console: undefined as unknown as ServiceWorkerConsole,
    toleranceMs: 500,
  });
}

test.afterEach(({ emulator }) => {
  expect(emulator.deviations()).toEqual([]);
});

test.beforeEach(async ({ emulator }) => {
  await emulator.reset();
  emulator.setConfig({ keepaliveIntervalSec: 1, missedKeepalivesBeforeExpiry: 2, deviceLimit: 5 });
});

test('a device kept alive on time breaks nothing', async ({ emulator }) => {
  const watch = serverWatch(emulator);
  const line = await registeredLine(emulator, ALICE);
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 900));
    await keepalive(line.body.device.uri, line.token, line.deviceUrl);
  }
  await deregister(line.body.device.uri, line.token, line.deviceUrl);
  expect(watch.violations()).toEqual([]);
  expect(watch.figures()).toMatchObject({ keepalives: 3, lapses: 0, maxLive: 1, devices: 1 });
});

test('a lapse is reported, unless a fault window covers it', async ({ emulator }) => {
  const watch = serverWatch(emulator);
  await registeredLine(emulator, ALICE);
  await new Promise((resolve) => setTimeout(resolve, 2_600)); // 2 missed keepalives: expired
  expect(watch.violations()).toEqual([expect.stringMatching(/^unasked lapse: /)]);
  const excused = serverWatch(emulator);
  excused.windows.push({ label: 'outage', from: Date.now() - 3_000, to: Date.now() });
  expect(excused.violations()).toEqual([]);
});

test('a late keepalive (no lapse yet) is reported as a gap', async ({ emulator }) => {
  const watch = serverWatch(emulator);
  const line = await registeredLine(emulator, ALICE);
  await new Promise((resolve) => setTimeout(resolve, 1_800)); // over 1 s + 0.5 s, under 2 s
  await keepalive(line.body.device.uri, line.token, line.deviceUrl);
  await deregister(line.body.device.uri, line.token, line.deviceUrl);
  expect(watch.violations()).toEqual([
    expect.stringMatching(/^keepalive gap of 1[78]\d\d ms \(over 1500\)/),
  ]);
});

test('two devices of the user alive at the same moment are reported', async ({ emulator }) => {
  const watch = serverWatch(emulator);
  const first = await registeredLine(emulator, ALICE);
  const second = await registeredLine(emulator, ALICE);
  // Distinct instants: the history counts in milliseconds, and an end and a start in the same
  // millisecond do not overlap (the whole test can take under 15 ms).
  await new Promise((resolve) => setTimeout(resolve, 5));
  await deregister(first.body.device.uri, first.token, first.deviceUrl);
  await deregister(second.body.device.uri, second.token, second.deviceUrl);
  expect(watch.violations()).toEqual([expect.stringMatching(/^2 devices alive at once: /)]);
});
