/**
 * Measure 10: measure 8's figures for the unmodified @webex/calling 3.12.0 (with
 * @webex/internal-plugin-mercury 3.12.0) in a headless Chromium page, through the calls
 * conformance harness (tests/conformance/calls): the same emulator, caller and wall clock.
 *
 * - Event sent: as in measure 8, the emulator's Mercury push of `mobius.call` (wrapped).
 * - Incoming call: the page's report of the line's `line:incoming_call`, stamped with
 *   Date.now() in the page (PageEvent.epochMs) when the SDK emits it.
 * - Answer: `callsSdk.answer(callId)` called in the page (Date.now() there). It makes the
 *   microphone stream (createMicrophoneStream) and hands it to the SDK's `call.answer()`, as an
 *   app must; the microphone's part is a sub-line (the extension's answer includes its
 *   getUserMedia too).
 * - Caller's first packet: its own RTP handler, as in measure 8.
 * - Page's first packet: `getStats` inbound-rtp `packetsReceived` of the SDK's
 *   RTCPeerConnection (`callsSdk.audio()`), polled inside the page with a 1 ms pause. The
 *   figure is the end of the first poll that saw a packet (an upper bound); the bracket from the
 *   start of the last poll that saw none is reported as its resolution.
 */
import type { Page } from '@playwright/test';
import { pageConfigFor } from '../../tests/conformance/calls/page-config';
import type { CallsSdkPage } from '../../tests/conformance/calls/page-entry';
import { SdkPage } from '../../tests/conformance/calls/sdk-page';
import { ALICE, type Emulator } from '../../tests/emulator/index';
import type { Recorder } from '../core/results';
import { roapAnswerAt, watchCallEvents, watchCaller } from './call-ring';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface PageAnswer {
  calledAt: number;
  micAt: number;
  lastNoneAt: number;
  firstSeenAt: number;
}

/** In the page: answer, then poll the SDK's peer connection until a packet is in. */
function answerAndWatch(page: Page, callId: string): Promise<PageAnswer> {
  // No named functions inside evaluated code: tsx's keepNames would add a __name() call.
  return page.evaluate(async (id) => {
    const sdk = (window as unknown as { callsSdk: CallsSdkPage }).callsSdk;
    const times = { calledAt: Date.now(), micAt: 0, lastNoneAt: 0, firstSeenAt: 0 };
    const answered = sdk.answer(id).then(() => {
      times.micAt = Date.now();
    });
    const until = times.calledAt + 15_000;
    while (Date.now() < until) {
      const start = Date.now();
      if ((await sdk.audio()).packetsReceived > 0) {
        times.firstSeenAt = Date.now();
        break;
      }
      times.lastNoneAt = start;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await answered;
    return times;
  }, callId);
}

/** The page's incoming_call report for `callId` (it reaches Node through a binding). */
async function incomingAt(sdk: SdkPage, callId: string): Promise<number> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const event = sdk
      .named('line', 'incoming_call')
      .find((e) => (e.detail as { callId?: string } | undefined)?.callId === callId);
    if (event?.epochMs !== undefined) return event.epochMs;
    await sleep(10);
  }
  throw new Error(`the page reported no incoming_call for ${callId}`);
}

/** What the measures use of the harness's page (SdkPage, or bench/sdk's PlacingPage). */
export type HarnessPage = Pick<SdkPage, 'page' | 'events' | 'call' | 'named' | 'close'>;

/** The harness's page, signed in as Alice with its line registered. */
export async function openRegisteredPage<P extends HarnessPage>(
  emulator: Emulator,
  open: () => Promise<P>,
): Promise<P> {
  // The harness signs in through the consent page (as in measure 2).
  emulator.setConfig({ autoConsentEmail: null });
  let config: Awaited<ReturnType<typeof pageConfigFor>>;
  try {
    config = await pageConfigFor(emulator.urls, ALICE.email);
  } finally {
    emulator.setConfig({ autoConsentEmail: ALICE.email });
  }
  const sdk = await open();
  try {
    const started = await sdk.call('start', config);
    if (started.lineStatus !== 'active') throw new Error(`the SDK's line is ${started.lineStatus}`);
    return sdk;
  } catch (error) {
    await sdk.close();
    throw error;
  }
}

export async function measureCallRingSdk(
  rec: Recorder,
  emulator: Emulator,
  { runs }: { runs: number },
) {
  const sdk = await openRegisteredPage(emulator, () => SdkPage.open());
  const events = watchCallEvents(emulator);
  const s = {
    incoming: [] as number[],
    callerFirst: [] as number[],
    pageFirst: [] as number[],
    pageBracket: [] as number[],
    mic: [] as number[],
    roapAnswer: [] as number[],
    callerConnected: [] as number[],
  };
  try {
    for (let i = 0; i < runs; i += 1) {
      events.sent.length = 0;
      const offered = await emulator.callMe({ email: ALICE.email, callerName: `Bench ${i + 1}` });
      const view = await sdk.call('incoming');
      if (view.callId !== offered.callId) throw new Error(`the SDK rang ${view.callId}`);
      const sentAt = events.sent[0];
      if (sentAt === undefined) throw new Error('rang, but no mobius.call was seen sent');
      s.incoming.push((await incomingAt(sdk, view.callId)) - sentAt);
      // Answered once ringing, as the extension is (after its notification).
      await emulator.waitForCall(offered.callId, (c) => c.alerted, 'PATCH sig_alerting', 10_000);

      const caller = watchCaller(emulator, offered.callId);
      const page = await answerAndWatch(sdk.page, view.callId);
      await caller.done;
      if (!page.firstSeenAt) throw new Error('the page received no packet within 15 s');
      const roapAt = roapAnswerAt(emulator, page.calledAt);
      if (roapAt !== undefined) s.roapAnswer.push(roapAt - page.calledAt);
      s.callerFirst.push(caller.times.firstAt - page.calledAt);
      s.callerConnected.push(caller.times.connectedAt - page.calledAt);
      s.pageFirst.push(page.firstSeenAt - page.calledAt);
      s.pageBracket.push(page.firstSeenAt - Math.max(page.lastNoneAt, page.calledAt));
      s.mic.push(page.micAt - page.calledAt);

      await sdk.call('end', view.callId);
      await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE', 10_000);
      await sleep(300);
    }
    await sdk.call('stop');
  } finally {
    events.undo();
    await sdk.close();
  }
  const amiss = [
    ...sdk.named('call', 'call_error'),
    ...sdk.named('host', 'pageerror'),
    ...sdk.named('host', 'network-error'),
  ];
  rec.check(
    10,
    'the SDK page saw no call error, page error or network error',
    amiss.length === 0,
    amiss.map((e) => `${e.name}: ${JSON.stringify(e.detail)}`).join('; '),
  );

  rec.figure(10, 'sdk.ring.ms', 'mobius.call sent -> incoming_call in the page', 'ms', s.incoming);
  rec.figure(10, 'sdk.answer.caller.ms', 'answer() -> caller gets first RTP', 'ms', s.callerFirst);
  rec.figure(10, 'sdk.answer.page.ms', 'answer() -> page has RTP', 'ms', s.pageFirst);
  rec.figure(10, 'sdk.answer.bracket.ms', '  page: poll resolution', 'ms', s.pageBracket);
  rec.figure(
    10,
    'sdk.answer.mic.ms',
    '  answer() -> mic stream made, call.answer() returned',
    'ms',
    s.mic,
  );
  rec.figure(10, 'sdk.answer.roap.ms', '  answer() -> ROAP ANSWER at Mobius', 'ms', s.roapAnswer);
  rec.figure(10, 'sdk.answer.dtls.ms', "  answer() -> caller's DTLS up", 'ms', s.callerConnected);
  rec.note(
    10,
    "the unmodified @webex/calling 3.12.0 + internal-plugin-mercury 3.12.0 in headless Chromium (tests/conformance/calls), same emulator and caller as measure 8; one wall clock (Date.now, 1 ms) in Node and the page. Sent: the emulator's Mercury push (wrapped). incoming_call: Date.now() in the page as the SDK emits it. answer(): the page's callsSdk.answer (createMicrophoneStream, then call.answer). Caller: its own RTP handler. Page: getStats packetsReceived polled in the page every ~1 ms, an upper bound; 'poll resolution' is the bracket from the last poll with none.",
  );
}
