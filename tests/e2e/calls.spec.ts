/**
 * Incoming calls end to end: the emulator's caller (a werift peer sending a tone) rings Alice's
 * registered line over Mercury; the extension's offscreen document rings, answers with Chromium's
 * fake microphone, and both sides measure the other's audio by content.
 */
import type { Page } from '@playwright/test';
import type { CallingView } from '../../lib/messaging/calls';
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import type { AudioLevels } from '../../lib/platform/webrtc-media';
import type { Emulator } from '../emulator/index';
import {
  ALICE,
  test as base,
  consentAs,
  expect,
  expectNoDeviations,
  isRegistered,
  launchWithExtension,
  send,
  serviceWorkerOf,
  useEmulator,
  waitForStatus,
} from './fixtures';

/** Chromium's fake microphone: a periodic beep, so what the caller hears has a level. */
const FAKE_MIC = ['--use-fake-device-for-media-stream'];

const test = base.extend({
  context: async ({ profile }, use) => {
    const context = await launchWithExtension(profile.dir, FAKE_MIC);
    const worker = await serviceWorkerOf(context);
    // As a user's click on the microphone page would: granted to the extension's origin only.
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    await cdp.send('Browser.setPermission', {
      permission: { name: 'microphone' },
      setting: 'granted',
      origin: `chrome-extension://${new URL(worker.url()).host}`,
    });
    await use(context);
    await context.close();
  },
});

const calling = (snapshot: StatusSnapshot): CallingView | undefined => snapshot.calling;

async function registeredAndReady(page: Page, emulator: Emulator): Promise<void> {
  await useEmulator(page, emulator);
  await consentAs(page.context(), 'Sign in as Alice', () => send(page, 'auth/signIn'));
  await send(page, 'line/register');
  await waitForStatus(page, isRegistered);
  await waitForStatus(page, (s) => calling(s)?.ring === 'ready');
}

/** The offscreen document's media, as its development probe reports it. */
async function probe(page: Page): Promise<{ levels: AudioLevels[]; open: number }> {
  return page.evaluate(() => chrome.runtime.sendMessage({ target: 'offscreen', kind: 'probe' }));
}

async function command(page: Page, kind: 'answer' | 'decline' | 'hangup', key: string) {
  return send(page, 'calls/command', { command: { kind, key } });
}

test('a call rings, is answered with audio both ways, and ends on a local hang-up', async ({
  extensionPage: page,
  emulator,
}) => {
  await registeredAndReady(page, emulator);
  const offered = await emulator.callMe({
    email: ALICE,
    callerName: 'Bob Caller',
    callerNumber: '+14085550199',
  });

  const ringing = await waitForStatus(page, (s) => calling(s)?.calls[0]?.state === 'ringing');
  const call = calling(ringing)?.calls[0];
  expect(call).toMatchObject({ callerName: 'Bob Caller', micBlocked: false });
  const key = call?.key as string;
  await emulator.waitForCall(offered.callId, (c) => c.alerted, 'PATCH sig_alerting');

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
  const offered = await emulator.callMe({ email: ALICE });
  const ringing = await waitForStatus(page, (s) => calling(s)?.calls[0]?.state === 'ringing');
  await command(page, 'decline', calling(ringing)?.calls[0]?.key as string);
  await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE');
  await waitForStatus(page, (s) => (calling(s)?.calls.length ?? -1) === 0);
  expect((await probe(page)).open).toBe(0);
  await expectNoDeviations(emulator);
});
