/**
 * Incoming calls end to end: the emulator's caller (a werift peer sending a tone) rings Alice's
 * registered line over Mercury; the extension's offscreen document rings, answers with Chromium's
 * fake microphone, and both sides measure the other's audio by content.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Emulator } from '../emulator/index';
import {
  ALICE_ID,
  answerThenHangUp,
  calling,
  command,
  connected,
  engineLog,
  FAKE_MIC,
  hangUpCleanly,
  probe,
  reconnected,
  registeredAndReady,
  ring,
  test,
} from './call-fixtures';
import { REMOTE_DEBUGGING_ARG } from './cdp-console';
import { registerLine } from './fault-fixtures';
import {
  ALICE,
  expect,
  expectNoDeviations,
  isRegistered,
  launchWithExtension,
  send,
  serviceWorkerOf,
  setTiming,
  stopServiceWorker,
  waitForStatus,
} from './fixtures';
import { offscreenCommand } from './offscreen-target';
import { screenshotDir } from './screenshots';

test('a call rings, is answered with audio both ways, and ends on a local hang-up', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, call, key } = await ring(page, emulator, {
    callerName: 'Bob Caller',
    callerNumber: '+14085550199',
  });
  expect(call).toMatchObject({ callerName: 'Bob Caller', micBlocked: false });
  await emulator.waitForCall(offered.callId, (c) => c.alerted, 'PATCH sig_alerting');
  // The toolbar shows the ringing call too.
  const badge = () => page.evaluate(async () => chrome.action.getTitle({}));
  await expect.poll(badge).toContain('Incoming call: Bob Caller');
  expect(await page.evaluate(() => chrome.action.getBadgeText({}))).toBe('☎');

  await command(page, 'answer', key);
  await waitForStatus(page, (s) => calling(s)?.calls[0]?.state === 'connected');
  // The caller hears the fake microphone; the browser receives the caller's tone.
  const heard = await emulator.waitForCall(
    offered.callId,
    (c) => c.state === 'connected' && c.heard.rms > 0.01,
    'the caller hears the browser',
    15_000,
  );
  expect(heard.correlationId).toBe(key);
  await expect
    .poll(async () => (await probe(page)).levels[0]?.inboundEnergy ?? 0, { timeout: 10_000 })
    .toBeGreaterThan(0);

  await command(page, 'hangup', key);
  const ended = await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  expect(ended.end).toBeTruthy();
  await waitForStatus(page, (s) => (calling(s)?.calls.length ?? -1) === 0);
  expect((await probe(page)).open).toBe(0);
  await expect.poll(() => page.evaluate(() => chrome.action.getBadgeText({}))).toBe('ON');
  await expectNoDeviations(emulator);
});

test('the caller hangs up while it rings: the call ends here and is a missed call', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const offered = await emulator.callMe({ email: ALICE, callerName: 'Carol Caller' });
  await waitForStatus(page, (s) => calling(s)?.calls[0]?.state === 'ringing');
  emulator.hangUp(offered.callId);
  const after = await waitForStatus(
    page,
    (s) => calling(s)?.lastEnded?.callerName === 'Carol Caller',
  );
  expect(calling(after)?.lastEnded).toMatchObject({ missed: true });
  expect(calling(after)?.calls).toEqual([]);
  await expectNoDeviations(emulator);
});

test('declined: the call ends with the SDK decline and nothing stays open', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await ring(page, emulator);
  await command(page, 'decline', key);
  await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  await waitForStatus(page, (s) => (calling(s)?.calls.length ?? -1) === 0);
  expect((await probe(page)).open).toBe(0);
  await expectNoDeviations(emulator);
});

test('from the popup: the ringing call is shown, Answer connects it, Hang up ends it', async ({
  context,
  extensionId,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(popup.getByText('Ready for calls')).toBeVisible();
  const offered = await emulator.callMe({ email: ALICE, callerName: 'Dora Caller' });
  await expect(popup.getByRole('alert')).toContainText('Dora Caller');
  await popup.screenshot({ path: `${screenshotDir()}/popup-ringing.png` });
  await popup.getByRole('button', { name: 'Answer' }).click();
  // The notification's Answer clicked too: the call is answered once.
  const key = calling(await send(page, 'status/get'))?.calls[0]?.key as string;
  await command(page, 'answer', key);
  await expect(popup.getByRole('button', { name: 'Hang up' })).toBeVisible();
  await emulator.waitForCall(offered.callId, (c) => c.state === 'connected', 'connected');
  const callRequests = (method: string, suffix: string) =>
    emulator
      .requestLog()
      .filter((e) => e.method === method && e.path.endsWith(`/calls/${offered.callId}${suffix}`));
  // PATCH alerting and connected once each, one ROAP ANSWER.
  expect(callRequests('PATCH', '')).toHaveLength(2);
  expect(callRequests('POST', '/media')).toHaveLength(1);
  await expect(popup.getByText('On a call')).toBeVisible();
  await popup.screenshot({ path: `${screenshotDir()}/popup-in-call.png` });
  // Closing the popup never ends the call.
  await popup.close();
  await page.waitForTimeout(500);
  expect(emulator.calls(ALICE).find((c) => c.callId === offered.callId)?.state).toBe('connected');
  const again = await context.newPage();
  await again.goto(`chrome-extension://${extensionId}/popup.html`);
  await again.getByRole('button', { name: 'Hang up' }).click();
  await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  await expect(again.getByRole('button', { name: 'Hang up' })).toHaveCount(0);
  await expectNoDeviations(emulator);
});

test('"Ring in this browser" off: a call still rings in the popup, silently; turned on mid-ring, it rings', async ({
  context,
  extensionId,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const options = await context.newPage();
  await options.goto(`chrome-extension://${extensionId}/options.html`);
  const ringHere = options.getByRole('checkbox', { name: 'Ring in this browser' });
  await expect(ringHere).toBeChecked();
  await ringHere.uncheck();
  // Saved, and the running document told, before the page says so.
  await expect(options.getByText('Settings saved.')).toBeVisible();
  const popup = await context.newPage();
  await popup.goto(`chrome-extension://${extensionId}/popup.html`);
  const offered = await emulator.callMe({ email: ALICE, callerName: 'Hana Caller' });
  await expect(popup.getByRole('alert')).toContainText('Hana Caller');
  expect((await probe(page)).ringtone).toBe(false);
  // On again while it rings: the same document (Mercury, the call) rings at once.
  await ringHere.check();
  await expect.poll(async () => (await probe(page)).ringtone, { timeout: 5_000 }).toBe(true);
  await popup.getByRole('button', { name: 'Decline' }).click();
  await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  await expect.poll(async () => (await probe(page)).ringtone, { timeout: 5_000 }).toBe(false);
  await expectNoDeviations(emulator);
});

test('the service worker stopped mid-ring: the call still rings, is answered and ends', async ({
  context,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await ring(page, emulator, { callerName: 'Finn Caller' });
  expect(await stopServiceWorker(context, page)).toBe(true);
  // A new worker answers from the stored view and relays to the document that kept ringing.
  const still = await waitForStatus(page, (s) => calling(s)?.calls[0]?.key === key);
  expect(calling(still)?.calls[0]).toMatchObject({ state: 'ringing', callerName: 'Finn Caller' });
  await answerThenHangUp(page, emulator, offered.callId, key);
});

test('the service worker stopped mid-call: the call and its audio go on', async ({
  context,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await connected(page, emulator);
  expect(await stopServiceWorker(context, page)).toBe(true);
  const before = (await probe(page)).levels[0]?.inboundPackets ?? 0;
  await expect
    .poll(async () => (await probe(page)).levels[0]?.inboundPackets ?? 0, { timeout: 10_000 })
    .toBeGreaterThan(before);
  const after = await waitForStatus(page, (s) => calling(s)?.calls[0]?.state === 'connected');
  expect(calling(after)?.calls[0]?.key).toBe(key);
  await hangUpCleanly(page, emulator, offered.callId, key);
});

test("nobody answers: the ring timeout (the SDK's 60 s, 3 s here) ends the call as missed", async ({
  extensionPage: page,
  emulator,
}) => {
  await setTiming(page, { callRingMs: 3_000 });
  await registeredAndReady(page, emulator);
  const { offered } = await ring(page, emulator, { callerName: 'Gus Caller' });
  // The SDK's handleTimeout: a DELETE with cause 0; the caller was never answered.
  const ended = await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  expect(ended.connectedPatch).toBe(false);
  expect(ended.end).toMatchObject({ by: 'client', causecode: 0 });
  const after = await waitForStatus(
    page,
    (s) => calling(s)?.lastEnded?.callerName === 'Gus Caller',
  );
  expect(calling(after)).toMatchObject({ calls: [], lastEnded: { missed: true } });
  await expectNoDeviations(emulator);
});

test('in a call: the call keepalive runs; a second caller rings as call waiting, and declining it leaves the first call', async ({
  extensionPage: page,
  emulator,
}) => {
  await setTiming(page, { callKeepaliveMs: 1_500 });
  await registeredAndReady(page, emulator);
  const first = await connected(page, emulator);
  // POST …/status every (shortened) keepalive interval while connected.
  await emulator.waitForCall(first.offered.callId, (c) => c.statusChecks >= 2, 'two keepalives');
  const second = await emulator.callMe({ email: ALICE, callerName: 'Hana Caller' });
  const waiting = await waitForStatus(page, (s) => calling(s)?.calls[1]?.state === 'ringing');
  const secondKey = calling(waiting)?.calls[1]?.key as string;
  expect(calling(waiting)?.calls[1]).toMatchObject({ callerName: 'Hana Caller' });
  await emulator.waitForCall(second.callId, (c) => c.alerted, 'PATCH sig_alerting');
  await command(page, 'decline', secondKey);
  const declined = await emulator.waitForCall(second.callId, (c) => c.deleted, 'the DELETE');
  expect(declined.end).toMatchObject({ by: 'client', causecode: 115, cause: 'User Busy.' });
  const after = await waitForStatus(page, (s) => calling(s)?.calls.length === 1);
  expect(calling(after)?.calls).toEqual([
    expect.objectContaining({ key: first.key, state: 'connected', held: false }),
  ]);
  expect(emulator.calls(ALICE).find((c) => c.callId === first.offered.callId)).toMatchObject({
    state: 'connected',
    holds: 0,
  });
  await hangUpCleanly(page, emulator, first.offered.callId, first.key);
});

test('the calls document closed mid-call: the call is ended at Mobius, no ghost call stays, the line rings again', async ({
  context,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await connected(page, emulator);
  const worker = await serviceWorkerOf(context);
  await worker.evaluate(() => chrome.offscreen.closeDocument());
  // Nothing tells the worker; its next wake (an alarm, a message) reconciles. Chrome stops an
  // idle worker, so the wake comes from the next message here.
  await stopServiceWorker(context, page);
  const after = await waitForStatus(
    page,
    (s) => calling(s)?.ring === 'ready' && calling(s)?.calls.length === 0,
  );
  expect(calling(after)?.lastEnded).toMatchObject({ key, reason: 'lost', missed: false });
  // The worker ended the orphan with the SDK's hang-up before opening a new document.
  const ended = await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  expect(ended.end).toMatchObject({ by: 'client', causecode: 0 });
  expect((await probe(page)).open).toBe(0);
  await expectNoDeviations(emulator);
});

test('a call on the backup holds the failback back until it ends, then the line fails back', async ({
  extensionPage: page,
  emulator,
  invariants,
}) => {
  test.setTimeout(120_000);
  // Rehoming 6-12 "minutes" from the primary's answer; a minute is 1 s here.
  await registerLine(page, emulator, {
    config: { rehomingIntervalMin: 6, rehomingIntervalMax: 12 },
    timing: { minuteMs: 1_000 },
  });
  await waitForStatus(page, (s) => calling(s)?.ring === 'ready');
  const socketsBefore = new Set(emulator.mercury.sockets(ALICE_ID).map((socket) => socket.id));
  const endOutage = invariants.open('primary down');
  await emulator.serverDown('primary');
  await waitForStatus(page, (s) => isRegistered(s) && s.server?.role === 'backup', 40_000);
  // The document follows the new device with a new Mercury connection.
  await expect
    .poll(() =>
      emulator.mercury.sockets(ALICE_ID).some((x) => x.authorized && !socketsBefore.has(x.id)),
    )
    .toBe(true);
  const { offered, key } = await connected(page, emulator);
  await emulator.serverUp('primary');
  endOutage();
  const pings = () => emulator.requestLog().filter((e) => e.path === '/api/v1/ping').length;
  const pingsBefore = pings();
  // The failback timer fires during the call: held back, no ping, the call untouched.
  await expect
    .poll(async () => (await engineLog(page)).some((m) => /Failback deferred: a call/.test(m)), {
      timeout: 30_000,
    })
    .toBe(true);
  expect(pings()).toBe(pingsBefore);
  expect((await send(page, 'status/get')).server?.role).toBe('backup');
  expect(emulator.calls(ALICE).find((c) => c.callId === offered.callId)?.state).toBe('connected');
  await hangUpCleanly(page, emulator, offered.callId, key);
  // The re-armed timer (6-12 s) fails back once no call is up.
  await waitForStatus(page, (s) => isRegistered(s) && s.server?.role === 'primary', 40_000);
  await expectNoDeviations(emulator);
});

test('a call across access-token refreshes goes on: call keepalives keep their token fresh, audio flows', async ({
  extensionPage: page,
  emulator,
}) => {
  test.setTimeout(90_000);
  await registerLine(page, emulator, {
    config: { accessTokenLifetimeSec: 6 },
    timing: { callKeepaliveMs: 1_000 },
  });
  await waitForStatus(page, (s) => calling(s)?.ring === 'ready');
  const refreshes = () =>
    emulator.requestLog().filter((e) => e.method === 'POST' && e.path === '/v1/access_token');
  const { offered, key } = await connected(page, emulator);
  const before = refreshes().length;
  const packets = (await probe(page)).levels[0]?.inboundPackets ?? 0;
  await expect
    .poll(() => refreshes().length, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(before + 2);
  // Only the worker refreshed; every call request carried a token Mobius took.
  const callRequests = emulator.requestLog().filter((e) => e.path.includes('/calls/'));
  expect(callRequests.filter((e) => e.status === 401)).toEqual([]);
  expect(emulator.calls(ALICE).find((c) => c.callId === offered.callId)).toMatchObject({
    state: 'connected',
  });
  expect((await probe(page)).levels[0]?.inboundPackets ?? 0).toBeGreaterThan(packets);
  await hangUpCleanly(page, emulator, offered.callId, key);
});

test('Mercury shutdown (the server asks the client to move): a new socket, and the line still rings', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const [first] = emulator.mercury.sockets(ALICE_ID);
  expect(emulator.mercury.fault({ action: 'shutdown' })).toBeGreaterThan(0);
  await reconnected(emulator, first?.id);
  await waitForStatus(page, (s) => calling(s)?.ring === 'ready');
  const { offered, key } = await connected(page, emulator);
  await hangUpCleanly(page, emulator, offered.callId, key);
});

/** The loudest the caller heard over `ms` (its 160 ms window, sampled every 20 ms). */
async function loudestHeard(page: Page, emulator: Emulator, callId: string, ms: number) {
  let loudest = 0;
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const call = emulator.calls(ALICE).find((c) => c.callId === callId);
    loudest = Math.max(loudest, call?.heard.rms ?? 0);
    await page.waitForTimeout(20);
  }
  return loudest;
}

test('mute: the caller hears silence and the call goes on; unmute: it hears the microphone again', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await connected(page, emulator);
  await emulator.waitForCall(offered.callId, (c) => c.heard.rms > 0.01, 'the microphone heard');
  await send(page, 'calls/command', { command: { kind: 'mute', key, muted: true } });
  await page.waitForTimeout(300); // what was already on its way
  expect(await loudestHeard(page, emulator, offered.callId, 2_500)).toBeLessThan(0.001);
  const still = await send(page, 'status/get');
  expect(calling(still)?.calls[0]).toMatchObject({ key, state: 'connected', muted: true });
  await send(page, 'calls/command', { command: { kind: 'mute', key, muted: false } });
  await emulator.waitForCall(offered.callId, (c) => c.heard.rms > 0.01, 'heard after unmute');
  await hangUpCleanly(page, emulator, offered.callId, key);
});

test("the caller hangs up a connected call: it ends here at once, with the SDK's DELETE, and the media closes", async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await connected(page, emulator);
  emulator.hangUp(offered.callId);
  const after = await waitForStatus(page, (s) => (calling(s)?.calls.length ?? -1) === 0);
  expect(calling(after)?.lastEnded).toMatchObject({ key, reason: 'remoteHangup', missed: false });
  const ended = await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  expect(ended.end).toMatchObject({ by: 'caller', reason: 'hangup' });
  expect((await probe(page)).open).toBe(0);
  await expectNoDeviations(emulator);
});

test('Mercury dropped while a call rings: it reconnects, the call still rings and is answered', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await ring(page, emulator, { callerName: 'Ivy Caller' });
  const [first] = emulator.mercury.sockets(ALICE_ID);
  expect(emulator.mercury.fault({ action: 'close', code: 1006 })).toBeGreaterThan(0);
  await reconnected(emulator, first?.id);
  const still = await waitForStatus(page, (s) => calling(s)?.ring === 'ready');
  expect(calling(still)?.calls[0]).toMatchObject({ key, state: 'ringing' });
  await answerThenHangUp(page, emulator, offered.callId, key);
});

test('notifications: a ringing call names the caller with Answer and Decline and is cleared once answered; a missed call leaves one', async ({
  context,
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const worker = await serviceWorkerOf(context);
  // Record what the worker asks of chrome.notifications (the call notifications go there).
  await worker.evaluate(() => {
    interface Options {
      title?: string;
      message?: string;
      buttons?: { title: string }[];
    }
    interface Notifications {
      create(id: string, options: Options): Promise<string>;
      clear(id: string): Promise<boolean>;
    }
    const notifications = (globalThis as unknown as { chrome: { notifications: Notifications } })
      .chrome.notifications;
    const log: unknown[] = [];
    (globalThis as { notificationLog?: unknown[] }).notificationLog = log;
    const create = notifications.create.bind(notifications);
    const clear = notifications.clear.bind(notifications);
    notifications.create = (id, options) => {
      const buttons = options.buttons?.map((button) => button.title);
      log.push({ op: 'create', id, title: options.title, message: options.message, buttons });
      return create(id, options);
    };
    notifications.clear = (id) => {
      log.push({ op: 'clear', id });
      return clear(id);
    };
  });
  const notes = () =>
    worker.evaluate(() => (globalThis as { notificationLog?: unknown[] }).notificationLog ?? []);
  const first = await connected(page, emulator);
  await hangUpCleanly(page, emulator, first.offered.callId, first.key);
  const missed = await emulator.callMe({
    email: ALICE,
    callerName: 'Jo Caller',
    callerNumber: '+14085550123',
  });
  await waitForStatus(page, (s) => calling(s)?.calls[0]?.state === 'ringing');
  emulator.hangUp(missed.callId);
  await waitForStatus(page, (s) => calling(s)?.lastEnded?.callerName === 'Jo Caller');
  await expect.poll(async () => (await notes()).length).toBeGreaterThanOrEqual(5);
  const log = (await notes()) as { op: string; id: string }[];
  expect(log.filter((note) => note.op === 'create')).toEqual([
    expect.objectContaining({ title: 'Incoming call', buttons: ['Answer', 'Decline'] }),
    expect.objectContaining({
      title: 'Incoming call',
      message: expect.stringContaining('Jo Caller'),
    }),
    expect.objectContaining({
      title: 'Missed call',
      message: expect.stringContaining('Jo Caller'),
    }),
  ]);
  // Answered: its ringing notification went at once; the missed one's too, before the notice.
  expect(log).toContainEqual({ op: 'clear', id: expect.stringContaining(first.key) });
  expect(log.findIndex((note) => note.op === 'clear' && note.id.includes(first.key))).toBe(1);
});

/**
 * Crash the offscreen document's renderer (CDP Page.crash on its target, reached from a plain
 * tab's session: Playwright lists no offscreen document). Extension pages sharing its process
 * go with it.
 */
async function crashCallsDocument(context: BrowserContext): Promise<void> {
  const tab = await context.newPage();
  await offscreenCommand(await context.newCDPSession(tab), 'Page.crash', { answer: false });
  await tab.close();
}

test("the calls document's renderer crashed mid-call: Chrome ends the extension; at the next start the call is ended at Mobius", async ({
  context,
  profile,
  extensionId,
  extensionPage: page,
  emulator,
  invariants,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await connected(page, emulator);
  // The extension is gone until the browser starts again: its keepalives stop meanwhile.
  const endLoss = invariants.open('the extension crashed, then the browser restarts');
  await crashCallsDocument(context);
  // Chrome terminates an extension whose process crashed: its pages no longer open.
  const tab = await context.newPage();
  const popupUrl = `chrome-extension://${extensionId}/popup.html`;
  // (Chrome unloads it a moment after the crash: until then a page may still open.)
  const opening = () =>
    tab.goto(popupUrl).then(
      () => 'opened',
      (error: unknown) => String(error),
    );
  await expect.poll(opening, { timeout: 10_000 }).toContain('ERR_BLOCKED_BY_CLIENT');
  // Nobody ended the call: it is still up at Mobius.
  expect(emulator.calls(ALICE).find((c) => c.callId === offered.callId)?.state).toBe('connected');
  await context.close();
  // The next browser start loads the extension again: the worker finds the calls the lost
  // document held and ends them.
  const again = await launchWithExtension(profile.dir, [...FAKE_MIC, REMOTE_DEBUGGING_ARG]);
  try {
    const fresh = await again.newPage();
    await fresh.goto(popupUrl);
    await invariants.switchBrowser(again, fresh);
    const after = await waitForStatus(
      fresh,
      (s) => calling(s)?.ring === 'ready' && calling(s)?.calls.length === 0,
      30_000,
    );
    expect(calling(after)?.lastEnded).toMatchObject({ key, reason: 'lost', missed: false });
    const ended = await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
    expect(ended.end).toMatchObject({ by: 'client', causecode: 0 });
    // Ended before the line's start-up deleted the old device the call was on.
    const log = emulator.requestLog().map((e) => `${e.method} ${e.path} ${e.status}`);
    const callDelete = log.findIndex((e) => e.startsWith(`DELETE`) && e.includes(offered.callId));
    const deviceDelete = log.findIndex((e) =>
      /^DELETE \/api\/v1\/calling\/web\/devices\/[^/]+ /.test(e),
    );
    expect(log[callDelete]).toMatch(/ 200$/);
    expect(callDelete).toBeLessThan(deviceDelete);
    await expectNoDeviations(emulator);
    await waitForStatus(fresh, isRegistered);
    endLoss();
    await invariants.checkNow();
  } finally {
    await again.close();
  }
});

test.describe('with the microphone blocked', () => {
  test.use({ microphone: 'denied' });

  test('a call rings as blocked, Answer sends nothing, and the caller giving up is a missed call', async ({
    extensionPage: page,
    emulator,
  }) => {
    await registeredAndReady(page, emulator);
    const { offered, call, key } = await ring(page, emulator, { callerName: 'Erin Caller' });
    expect(call.micBlocked).toBe(true);
    expect(calling(await send(page, 'status/get'))?.mic).toBe('denied');
    await command(page, 'answer', key);
    await page.waitForTimeout(500);
    const meanwhile = emulator.calls(ALICE).find((c) => c.callId === offered.callId);
    // Neither answered nor declined here: it keeps ringing on the user's other devices.
    expect(meanwhile).toMatchObject({ state: 'ringing', connectedPatch: false, deleted: false });
    expect((await probe(page)).open).toBe(0);
    emulator.hangUp(offered.callId);
    const after = await waitForStatus(
      page,
      (s) => calling(s)?.lastEnded?.callerName === 'Erin Caller',
    );
    expect(calling(after)?.lastEnded?.missed).toBe(true);
    await expectNoDeviations(emulator);
  });
});

test.describe('with no microphone at all (a computer without one)', () => {
  test.use({ fakeMicrophone: false });

  test("Answer: the microphone cannot open, the call ends with the SDK's cause 131 and says why", async ({
    extensionPage: page,
    emulator,
  }) => {
    await registeredAndReady(page, emulator);
    const { offered, key } = await ring(page, emulator, { callerName: 'Kim Caller' });
    await command(page, 'answer', key);
    const ended = await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
    expect(ended.end).toMatchObject({ by: 'client', causecode: 131, cause: 'Media Inactivity.' });
    const after = await waitForStatus(page, (s) => calling(s)?.lastEnded?.key === key);
    expect(calling(after)?.lastEnded).toMatchObject({ reason: 'micFailed', missed: false });
    expect(calling(after)?.calls).toEqual([]);
    expect((await probe(page)).open).toBe(0);
    await expect(page.getByTestId('missed-call')).toHaveText(
      'Call ended: the microphone could not be opened',
    );
    await expectNoDeviations(emulator);
  });
});

test('Mercury dropped mid-call: it reconnects, and the call checks its status and goes on', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const { offered, key } = await connected(page, emulator);
  const [first] = emulator.mercury.sockets(ALICE_ID);
  expect(emulator.mercury.fault({ action: 'close', code: 1006 })).toBeGreaterThan(0);
  // The SDK's back-off (about a second at most the first time), then a new authorized socket.
  // The view says 'connecting' meanwhile (unit-tested: here the gap is under 100 ms).
  await reconnected(emulator, first?.id);
  await waitForStatus(page, (s) => calling(s)?.ring === 'ready');
  // Back online, the call checked its status at Mobius and goes on.
  await emulator.waitForCall(offered.callId, (c) => c.statusChecks >= 1, 'the status check');
  expect(calling(await send(page, 'status/get'))?.calls[0]).toMatchObject({
    key,
    state: 'connected',
  });
  await hangUpCleanly(page, emulator, offered.callId, key);
});
