/**
 * The calls suites' browser and helpers (incoming calls in calls.spec.ts, placed calls in
 * outgoing-calls.spec.ts): Chromium with the fake microphone granted to the extension's origin,
 * every scenario ending with the invariants below, and the steps the scenarios share.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { CallingView, CallView } from '../../lib/messaging/calls';
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import type { AudioLevels } from '../../lib/platform/webrtc-media';
import { ALICE as ALICE_USER, type Emulator, type RingOptions } from '../emulator/index';
import { REMOTE_DEBUGGING_ARG, ServiceWorkerConsole } from './cdp-console';
import { openObserver, watchLine } from './fault-fixtures';
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
import type { FinalState } from './invariants';

/** Chromium's fake microphone: a periodic beep, so what the caller hears has a level. */
export const FAKE_MIC = ['--use-fake-device-for-media-stream'];

/**
 * The invariants every calls scenario ends with (issue 18): the fault suite's (one device, no
 * unasked lapse, no keepalive gap, no stale "Registered", no worker error, no deviation) plus no
 * call left open at the emulator and no media, microphone or ringtone left running here.
 */
export interface CallInvariants {
  /** A fault the scenario causes on purpose: gaps and lapses inside it are the fault's. */
  open(label: string): () => void;
  /** How the line ends (default: registered). */
  endsAs(final: FinalState): void;
  /** The browser was restarted on the same profile: watch the new one from here. */
  switchBrowser(context: BrowserContext, page: Page): Promise<void>;
  /** Check now (before the test closes a browser it started itself). */
  checkNow(): Promise<void>;
}

/** The keepalive interval the calls scenarios register with: short enough to see a gap. */
export const KEEPALIVE_SEC = 5;

export const test = base.extend<{
  microphone: 'granted' | 'denied';
  fakeMicrophone: boolean;
  invariants: CallInvariants;
}>({
  microphone: ['granted', { option: true }],
  fakeMicrophone: [true, { option: true }],
  context: async ({ profile, microphone, fakeMicrophone }, use) => {
    const context = await launchWithExtension(profile.dir, [
      ...(fakeMicrophone ? FAKE_MIC : []),
      REMOTE_DEBUGGING_ARG,
    ]);
    await grantMicrophone(context, microphone);
    await use(context);
    await context.close();
  },
  invariants: [
    async ({ context, profile, extensionId, extensionPage, emulator }, use, testInfo) => {
      emulator.setConfig({ keepaliveIntervalSec: KEEPALIVE_SEC });
      let page = extensionPage;
      let workerConsole = await ServiceWorkerConsole.attach(profile.dir, extensionId);
      const consoles = [workerConsole];
      const watch = watchLine(emulator, {
        observer: await openObserver(context, extensionId),
        popup: extensionPage,
        console: workerConsole,
      });
      let final: FinalState = 'registered';
      let checked = false;
      const checkNow = async () => {
        checked = true;
        await watch.check(page, final);
        await expect
          .poll(() =>
            emulator
              .calls(ALICE)
              .filter((c) => c.state !== 'ended')
              .map((c) => c.callId),
          )
          .toEqual([]);
        expect(await mediaLeft(page), 'media, microphone or ringtone left running').toEqual({
          open: 0,
          ringtone: false,
        });
      };
      await use({
        open: (label) => watch.open(label),
        endsAs: (next) => {
          final = next;
        },
        async switchBrowser(next, nextPage) {
          const nextId = new URL((await serviceWorkerOf(next)).url()).host;
          workerConsole = await ServiceWorkerConsole.attach(profile.dir, nextId);
          consoles.push(workerConsole);
          page = nextPage;
          await watch.switchBrowser({
            observer: await openObserver(next, nextId),
            popup: nextPage,
            console: workerConsole,
          });
        },
        checkNow,
      });
      try {
        // A failed test says why itself: the invariants would only add noise.
        if (!checked && testInfo.status === testInfo.expectedStatus) await checkNow();
      } finally {
        await watch.stop();
        for (const each of consoles) await each.close();
      }
    },
    { auto: true },
  ],
});

/** As a user's click on the microphone page would: granted to the extension's origin only. */
export async function grantMicrophone(context: BrowserContext, setting: 'granted' | 'denied') {
  const worker = await serviceWorkerOf(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Browser.setPermission', {
    permission: { name: 'microphone' },
    setting,
    origin: `chrome-extension://${new URL(worker.url()).host}`,
  });
}

/** What the calls document still holds open (nothing when it is gone). */
export async function mediaLeft(page: Page): Promise<{ open: number; ringtone: boolean }> {
  const state = await probe(page).catch(() => ({ open: 0, ringtone: false }));
  return { open: state?.open ?? 0, ringtone: state?.ringtone ?? false };
}

export const ALICE_ID = ALICE_USER.id;

export const calling = (snapshot: StatusSnapshot): CallingView | undefined => snapshot.calling;

export async function registeredAndReady(page: Page, emulator: Emulator): Promise<void> {
  await useEmulator(page, emulator);
  await consentAs(page.context(), 'Sign in as Alice', () => send(page, 'auth/signIn'));
  await send(page, 'line/register');
  await waitForStatus(page, isRegistered);
  await waitForStatus(page, (s) => calling(s)?.ring === 'ready');
}

/** The offscreen document's media and ringtone, as its development probe reports them. */
export async function probe(
  page: Page,
): Promise<{ levels: AudioLevels[]; open: number; ringtone: boolean }> {
  return page.evaluate(() => chrome.runtime.sendMessage({ target: 'offscreen', kind: 'probe' }));
}

export async function engineLog(page: Page): Promise<string[]> {
  return (await send(page, 'diagnostics/get')).entries.map((entry) => entry.message);
}

export async function command(page: Page, kind: 'answer' | 'decline' | 'hangup', key: string) {
  return send(page, 'calls/command', { command: { kind, key } });
}

/** The emulator's caller rings Alice's line; resolves with its call and our key once it rings. */
export async function ring(
  page: Page,
  emulator: Emulator,
  options: Omit<RingOptions, 'email'> = {},
) {
  const offered = await emulator.callMe({ email: ALICE, ...options });
  const ringing = await waitForStatus(page, (s) => calling(s)?.calls[0]?.state === 'ringing');
  const call = calling(ringing)?.calls[0] as CallView;
  return { offered, call, key: call.key };
}

/** Rung and answered (the emulator saw both signalling and media complete). */
export async function connected(page: Page, emulator: Emulator) {
  const rung = await ring(page, emulator);
  await command(page, 'answer', rung.key);
  await emulator.waitForCall(rung.offered.callId, (c) => c.state === 'connected', 'connected');
  // Mobius has it connected before the document's report of it reaches the worker.
  await waitForStatus(
    page,
    (s) => calling(s)?.calls.some((c) => c.key === rung.key && c.state === 'connected') === true,
  );
  return rung;
}

/** Answer a ringing call, see it connected at the emulator, then hang up cleanly. */
export async function answerThenHangUp(
  page: Page,
  emulator: Emulator,
  callId: string,
  key: string,
) {
  await command(page, 'answer', key);
  await emulator.waitForCall(callId, (c) => c.state === 'connected', 'connected');
  await hangUpCleanly(page, emulator, callId, key);
}

/** Mercury reconnected: a socket other than `firstId` is open and authorized. */
export async function reconnected(emulator: Emulator, firstId: number | undefined) {
  await expect
    .poll(() => emulator.mercury.sockets(ALICE_ID).some((x) => x.id !== firstId && x.authorized))
    .toBe(true);
}

/** Hang up here: the emulator gets the DELETE, and nothing stays open or strays. */
export async function hangUpCleanly(page: Page, emulator: Emulator, callId: string, key: string) {
  await command(page, 'hangup', key);
  await emulator.waitForCall(callId, (c) => c.deleted, 'the DELETE');
  await expectNoDeviations(emulator);
}
