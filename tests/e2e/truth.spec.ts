/**
 * A line that tells the truth (issue 11), in real Chromium against the emulator: when Webex last
 * confirmed it, reconnecting (never registered) while a frozen browser wakes past the device's
 * expiry, a line another client took, the user's devices, and a double-click.
 */
import type { Page } from '@playwright/test';
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import type { Emulator } from '../emulator/index';
import { registeredLine } from '../emulator/test-support';
import { freezeBrowser } from './browser-process';
import {
  ALICE,
  consentAs,
  expect,
  expectNoDeviations,
  isRegistered,
  send,
  setTiming,
  test,
  useEmulator,
  waitForStatus,
} from './fixtures';

/** Fast keepalives (1 s, expiry after 5 missed) and an overdue tolerance to match. */
async function fastLine(page: Page, emulator: Emulator, config: Record<string, unknown> = {}) {
  emulator.setConfig({ keepaliveIntervalSec: 1, missedKeepalivesBeforeExpiry: 5, ...config });
  await setTiming(page, {
    overdueToleranceMs: 1_500,
    requestTimeoutMs: 3_000,
    requestDeadlineMs: 8_000,
  });
  await useEmulator(page, emulator);
  await consentAs(page.context(), 'Sign in as Alice', () => send(page, 'auth/signIn'));
  await waitForStatus(page, (s) => s.auth === 'signedIn');
}

test('the popup says when Webex last confirmed the line, and the time moves on', async ({
  extensionPage: page,
  emulator,
}) => {
  await fastLine(page, emulator, { keepaliveIntervalSec: 2 });
  await send(page, 'line/register');
  const first = await waitForStatus(page, isRegistered);
  expect(first.confirmedAt).not.toBeNull();
  await page.reload();
  await expect(page.getByText(/Confirmed by Webex \d+ s ago/)).toBeVisible();
  const later = await waitForStatus(page, (s) => (s.confirmedAt ?? 0) > (first.confirmedAt ?? 0));
  expect(later.confirmBy).toBeGreaterThan(later.confirmedAt ?? 0);
  await expect(page.getByTestId('status-pill')).toHaveText('Registered');
  await expectNoDeviations(emulator);
});

test('a browser frozen past the device expiry says reconnecting, never registered, until it is registered again', async ({
  profile,
  extensionPage: page,
  emulator,
}) => {
  await fastLine(page, emulator);
  await send(page, 'line/register');
  const before = await waitForStatus(page, isRegistered);
  const frozen = freezeBrowser(profile.dir);
  try {
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(emulator.devices(ALICE)).toEqual([]); // expired at the server meanwhile
  } finally {
    frozen.thaw();
  }
  const woke = Date.now();
  const seen: StatusSnapshot[] = [];
  const after = await waitForStatus(
    page,
    (s) => {
      seen.push(s);
      return isRegistered(s) && s.line?.mobiusDeviceId !== before.line?.mobiusDeviceId;
    },
    20_000,
  );
  expect(Date.now() - woke).toBeLessThan(15_000);
  // The dead device was never shown as registered after waking; reconnecting in between.
  expect(seen.some((s) => s.display === 'reconnecting')).toBe(true);
  expect(
    seen.filter(
      (s) => s.display === 'registered' && s.line?.mobiusDeviceId === before.line?.mobiusDeviceId,
    ),
  ).toEqual([]);
  expect(emulator.devices(ALICE).map((d) => d.deviceId)).toEqual([after.line?.mobiusDeviceId]);
  await expectNoDeviations(emulator);
});

test('a line another client took (keepalive 409) stops with the explanation; "Use it here" brings it back with one device', async ({
  extensionPage: page,
  emulator,
}) => {
  await fastLine(page, emulator, { supersedeOlderDevices: true });
  await send(page, 'line/register');
  await waitForStatus(page, isRegistered);
  // Another client of Alice registers: hers supersedes ours.
  await registeredLine(emulator, ALICE);
  const stopped = await waitForStatus(page, (s) => s.display === 'error');
  expect(stopped.error).toMatchObject({
    msg: 'Your line is now registered in another client.',
    detail: { httpStatus: 409, action: 'useHere' },
  });
  // Stopped for good: no registration loop.
  const posts = emulator
    .requestLog()
    .filter((e) => e.method === 'POST' && /\/device$/.test(e.path)).length;
  await page.waitForTimeout(3_000); // a negative check: several keepalive intervals
  expect(
    emulator.requestLog().filter((e) => e.method === 'POST' && /\/device$/.test(e.path)),
  ).toHaveLength(posts);
  await page.reload();
  await expect(page.getByText(/Calls now go to the other client/)).toBeVisible();
  await page.getByRole('button', { name: 'Use it here' }).click();
  const back = await waitForStatus(page, isRegistered);
  expect(emulator.devices(ALICE).map((d) => d.deviceId)).toEqual([back.line?.mobiusDeviceId]);
  await expectNoDeviations(emulator);
});

test('Your devices lists the user devices, marks this browser, and removes a stale one', async ({
  context,
  extensionId,
  extensionPage: page,
  emulator,
}) => {
  await fastLine(page, emulator, { keepaliveIntervalSec: 30 });
  await send(page, 'line/register');
  const mine = await waitForStatus(page, isRegistered);
  // A device an earlier profile of this extension left behind.
  const stale = await registeredLine(emulator, ALICE);
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html?show=devices`);
  const list = options.locator('#devices');
  await expect(list.getByText('This browser (your line)')).toBeVisible();
  await expect(list.getByText('Another device')).toBeVisible();
  await list.getByRole('button', { name: 'Remove' }).click();
  await expect(list.getByText('Another device')).toHaveCount(0);
  expect(emulator.devices(ALICE).map((d) => d.deviceId)).toEqual([mine.line?.mobiusDeviceId]);
  expect(emulator.devices(ALICE).map((d) => d.deviceId)).not.toContain(stale.body.device.deviceId);
  await expectNoDeviations(emulator);
});

test('a double-click on Register ends registered with one device', async ({
  extensionPage: page,
  emulator,
}) => {
  await fastLine(page, emulator, { keepaliveIntervalSec: 30 });
  await page.reload();
  await page.getByRole('button', { name: 'Register' }).dblclick();
  await waitForStatus(page, isRegistered);
  await page.waitForTimeout(1_000); // a negative check: nothing undoes it
  expect((await send(page, 'status/get')).state).toBe('active');
  expect(emulator.devices(ALICE)).toHaveLength(1);
  expect(
    emulator.requestLog().filter((e) => e.method === 'DELETE' && e.path.includes('/calling/web/')),
  ).toEqual([]);
  await expectNoDeviations(emulator);
});
