/**
 * Measure 11: a call placed. The emulator plays the callee (a werift peer that rings, answers
 * after a set delay and then sends a tone); the extension dials from its popup (Playwright
 * clicks the Call button), the unmodified @webex/calling 3.12.0 dials in a page
 * (`line.makeCall` + `call.dial`, through the calls conformance harness's page). One wall clock
 * (Date.now(), 1 ms) in Node, the popup, the bench page and the SDK's page.
 *
 * - Clicked: the popup's capture-phase click listener on the Call button (bench/page/probes.js,
 *   as measure 1). The SDK's counterpart is the moment the page starts placing the call: before
 *   createMicrophoneStream, which the extension's dial includes too (its getUserMedia).
 * - Ringback: the popup's first DOM change after which it shows "Ringing…" (what the user
 *   sees: the first `mobius.callprogress` having reached the view). The SDK has no UI: its call's
 *   `progress` event, the moment an app would show ringback. The emulator's push of that
 *   `mobius.callprogress` (the bench wraps Mercury's push) splits each into ours (click to the
 *   setup request, event to the view) and the emulator's (the callee's werift answer).
 * - Callee answered: the emulator's push of `mobius.callconnected` (same wrapper); the callee
 *   starts sending then. It rings for ANSWER_AFTER_MS first (the emulator's, not ours).
 * - The callee's first packet: its own RTP handler (emulator waitForCall, every packet). The
 *   browser sends as soon as its DTLS is up, which happens while the callee rings (its ROAP
 *   ANSWER comes with the callprogress), so this one is usually before the answer: the figure
 *   from the answer is then negative, and it is also given from the click.
 * - The browser's first packet: the extension's offscreen probe (getStats packetsReceived)
 *   polled from the popup (an extension page, as the bench page in measure 8) with a 2 ms
 *   pause; the SDK's page polls its own new RTCPeerConnection with a 1 ms pause, as in
 *   measure 10. Both polls start once ringback is shown, not before, so that they do not load
 *   the dial itself. Upper bounds; the bracket from the last poll that saw none is reported as
 *   their resolution.
 */
import type { Page } from '@playwright/test';
import type { CallingView, CallView } from '../../lib/messaging/calls';
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import type { PageEvent } from '../../tests/conformance/calls/page-protocol';
import { SdkPage } from '../../tests/conformance/calls/sdk-page';
import { send, waitForStatus } from '../../tests/e2e/fixtures';
import type { Emulator } from '../../tests/emulator/index';
import { type BrowserSession, clickUntilShown } from '../browser/session';
import type { Recorder } from '../core/results';
import { readyToRing } from './call-ring';
import { openRegisteredPage } from './call-ring-sdk';

/** The callee's number, and how long it rings before answering (the emulator's delay). */
export const CALLEE = '+14085550111';
export const ANSWER_AFTER_MS = 1_000;
const RINGBACK = 'Ringing…';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outgoing = (s: StatusSnapshot): CallView | undefined =>
  (s.calling as CallingView | undefined)?.calls.find((c) => c.direction === 'outbound');

/** When the emulator pushes callprogress and callconnected, per callId (epoch ms). */
function watchProgress(emulator: Emulator) {
  const mercury = emulator.mercury;
  const original = mercury.push;
  const seen: { eventType: string; callId: string; at: number }[] = [];
  mercury.push = (userId, data) => {
    const eventType = String(data.eventType);
    if (eventType === 'mobius.callprogress' || eventType === 'mobius.callconnected') {
      seen.push({ eventType, callId: String(data.callId), at: Date.now() });
    }
    return original.call(mercury, userId, data);
  };
  const at = (eventType: string, callId: string): number => {
    const event = seen.find((e) => e.eventType === eventType && e.callId === callId);
    if (!event) throw new Error(`the emulator pushed no ${eventType} for ${callId}`);
    return event.at;
  };
  return { at, undo: () => Object.assign(mercury, { push: original }) };
}

/**
 * The callee's side, timed in its own handlers from the moment the call is placed: its DTLS up
 * and its first RTP packet from the browser (epoch ms).
 */
function watchCallee(emulator: Emulator) {
  const times = { callId: '', connectedAt: 0, firstAt: 0 };
  const done = emulator.waitForOutgoing(CALLEE, 15_000).then((placed) => {
    times.callId = placed.callId;
    return emulator.waitForCall(
      placed.callId,
      (c) => {
        if (!times.connectedAt && c.media.connectionState === 'connected')
          times.connectedAt = Date.now();
        if (!times.firstAt && c.media.packetsReceived > 0) times.firstAt = Date.now();
        return times.firstAt > 0;
      },
      "the callee's first packet",
      20_000,
    );
  });
  done.catch(() => undefined);
  return { times, done };
}

/** The setup request's receive time at Mobius (the first POST …/devices/{id}/call since). */
function setupAt(emulator: Emulator, since: number): number {
  const entry = emulator
    .requestLog()
    .find(
      (e) => e.method === 'POST' && /\/devices\/[^/]+\/call$/.test(e.path) && e.receivedAt >= since,
    );
  if (!entry) throw new Error('no call setup request in the emulator log');
  return entry.receivedAt;
}

interface FirstPacket {
  startedAt: number;
  lastNoneAt: number;
  firstSeenAt: number;
}

/** In an extension page (the popup): poll the offscreen probe until the call has a packet in. */
function browserFirstPacket(driver: Page): Promise<FirstPacket> {
  return driver.evaluate(async () => {
    type Probe = { levels: { inboundPackets: number }[] };
    const times = { startedAt: Date.now(), lastNoneAt: 0, firstSeenAt: 0 };
    const until = times.startedAt + 15_000;
    while (Date.now() < until) {
      const start = Date.now();
      const probe = (await chrome.runtime.sendMessage({ target: 'offscreen', kind: 'probe' })) as
        | Probe
        | undefined;
      if ((probe?.levels[0]?.inboundPackets ?? 0) > 0) {
        times.firstSeenAt = Date.now();
        break;
      }
      times.lastNoneAt = start;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return times;
  });
}

/** One side's samples, named as the table shows them. */
function samples() {
  return {
    ringback: [] as number[],
    setup: [] as number[],
    calleeOffer: [] as number[],
    toView: [] as number[],
    ringing: [] as number[],
    browserFirst: [] as number[],
    bracket: [] as number[],
    calleeFirst: [] as number[],
    calleeFirstFromClick: [] as number[],
    calleeDtls: [] as number[],
  };
}
type Samples = ReturnType<typeof samples>;

interface Run {
  clickedAt: number;
  ringbackAt: number;
  packet: FirstPacket;
  callee: ReturnType<typeof watchCallee>['times'];
}

function addRun(
  s: Samples,
  emulator: Emulator,
  progress: ReturnType<typeof watchProgress>,
  r: Run,
) {
  const setup = setupAt(emulator, Math.floor(r.clickedAt));
  const progressAt = progress.at('mobius.callprogress', r.callee.callId);
  const answeredAt = progress.at('mobius.callconnected', r.callee.callId);
  s.ringback.push(r.ringbackAt - r.clickedAt);
  s.setup.push(setup - r.clickedAt);
  s.calleeOffer.push(progressAt - setup);
  s.toView.push(r.ringbackAt - progressAt);
  s.ringing.push(answeredAt - progressAt);
  s.browserFirst.push(r.packet.firstSeenAt - answeredAt);
  s.bracket.push(r.packet.firstSeenAt - Math.max(r.packet.lastNoneAt, r.packet.startedAt));
  s.calleeFirst.push(r.callee.firstAt - answeredAt);
  s.calleeFirstFromClick.push(r.callee.firstAt - r.clickedAt);
  s.calleeDtls.push(r.callee.connectedAt - answeredAt);
}

function record(rec: Recorder, who: 'ext' | 'sdk', s: Samples) {
  const ext = who === 'ext';
  const side = ext ? 'extension' : 'SDK';
  const id = (name: string) => `placed.${who}.${name}.ms`;
  rec.figure(
    11,
    id('ringback'),
    ext ? 'extension: Call clicked -> "Ringing…" shown' : 'SDK: placing starts -> progress event',
    'ms',
    s.ringback,
  );
  rec.figure(11, id('setup'), '  -> setup POST at Mobius (ours)', 'ms', s.setup);
  rec.figure(
    11,
    id('callee'),
    "  setup -> callprogress sent (the emulator's callee)",
    'ms',
    s.calleeOffer,
  );
  rec.figure(
    11,
    id('view'),
    ext ? '  callprogress sent -> "Ringing…" (ours)' : '  callprogress sent -> progress (ours)',
    'ms',
    s.toView,
  );
  rec.figure(
    11,
    id('answered.browser'),
    `${side}: callee answered -> ${ext ? 'browser' : 'page'} has RTP`,
    'ms',
    s.browserFirst,
  );
  rec.figure(11, id('answered.bracket'), '  poll resolution', 'ms', s.bracket);
  rec.figure(
    11,
    id('answered.callee'),
    `${side}: callee answered -> callee gets first RTP`,
    'ms',
    s.calleeFirst,
  );
  rec.figure(
    11,
    id('clicked.callee'),
    '  clicked -> callee gets first RTP',
    'ms',
    s.calleeFirstFromClick,
  );
  rec.figure(11, id('answered.dtls'), "  callee answered -> callee's DTLS up", 'ms', s.calleeDtls);
  rec.figure(
    11,
    id('ringing'),
    "  callprogress -> callconnected (the callee's delay)",
    'ms',
    s.ringing,
  );
}

/** The extension: dial from the popup, as a user does. */
export async function measureCallPlaced(
  rec: Recorder,
  emulator: Emulator,
  session: BrowserSession,
  { runs }: { runs: number },
) {
  const { driver } = session;
  await readyToRing(session);
  emulator.setCallee(CALLEE, { name: 'Bench Callee', answerAfterMs: ANSWER_AFTER_MS });
  const popup = await session.context.newPage();
  const progress = watchProgress(emulator);
  const s = samples();
  try {
    await popup.goto(session.url('popup.html'));
    for (let i = 0; i < runs; i += 1) {
      await popup.getByLabel('Number to call').fill(CALLEE);
      const callee = watchCallee(emulator);
      const span = await clickUntilShown(popup, 'Call', RINGBACK);
      const packet = await browserFirstPacket(popup);
      await callee.done;
      if (!packet.firstSeenAt) throw new Error('the browser received no packet within 15 s');
      addRun(s, emulator, progress, {
        clickedAt: span.from,
        ringbackAt: span.to,
        packet,
        callee: callee.times,
      });
      const call = outgoing(await send(driver, 'status/get'));
      if (!call) throw new Error('no placed call in the status');
      await send(driver, 'calls/command', { command: { kind: 'hangup', key: call.key } });
      await emulator.waitForCall(callee.times.callId, (c) => c.deleted, 'the DELETE', 10_000);
      await waitForStatus(driver, (st) => (st.calling?.calls.length ?? -1) === 0);
      await sleep(300);
    }
  } finally {
    progress.undo();
    await popup.close();
  }
  record(rec, 'ext', s);
  rec.note(
    11,
    `the emulator's callee rings ${ANSWER_AFTER_MS} ms, then answers (mobius.callconnected pushed) and sends its tone every 20 ms; the browser's DTLS comes up while it rings (the ROAP ANSWER comes with callprogress), so the browser's first packet usually reaches the callee before the answer (negative figures). Extension: Playwright clicks the popup's Call button; clicked and "Ringing…" are taken in the popup (capture click listener, MutationObserver); the browser's packets: the offscreen probe polled from the popup every ~2 ms once "Ringing…" is shown.`,
  );
}

interface PagePlaced {
  correlationId: string;
  startedAt: number;
  micAt: number;
  progressAt: number;
  errors: string[];
  packet: FirstPacket;
}

/** The page's reports since `from`, by source and name. */
const reportedSince = (sdk: SdkPage, from: number, source: PageEvent['source'], name: string) =>
  sdk.events.slice(from).filter((e) => e.source === source && e.name === name);

/**
 * In the SDK's page, through the calls conformance harness's own `place` (the harness reports
 * `placing` before createMicrophoneStream, `make_call` once the microphone is made, then
 * line.makeCall and call.dial, as an app's Call button would); ringback is the call's
 * `progress` event (its page time, Date.now()). Then the call's new RTCPeerConnection is
 * polled in the page until it has an inbound packet.
 */
async function placeAndWatch(sdk: SdkPage, number: string): Promise<PagePlaced> {
  const from = sdk.events.length;
  const pcsBefore = await sdk.page.evaluate(
    () => (globalThis as unknown as { __peerConnections: unknown[] }).__peerConnections.length,
  );
  const { correlationId } = await sdk.call('place', number);
  const epoch = (name: string, source: PageEvent['source'] = 'line') =>
    reportedSince(sdk, from, source, name)[0]?.epochMs ?? 0;
  const deadline = Date.now() + 15_000;
  while (!epoch('progress', 'call') && Date.now() < deadline) await sleep(2);
  const errors = [
    ...reportedSince(sdk, from, 'call', 'call_error'),
    ...reportedSince(sdk, from, 'call', 'disconnect'),
  ].map((e) => `${e.name}: ${JSON.stringify(e.detail)}`);
  const placed = {
    correlationId,
    startedAt: epoch('placing'),
    micAt: epoch('make_call'),
    progressAt: epoch('progress', 'call'),
    errors,
    packet: { startedAt: 0, lastNoneAt: 0, firstSeenAt: 0 },
  };
  if (!placed.progressAt) return placed;
  // No named functions inside evaluated code: tsx's keepNames would add a __name() call.
  placed.packet = await sdk.page.evaluate(async (before) => {
    const pcs = (globalThis as unknown as { __peerConnections: RTCPeerConnection[] })
      .__peerConnections;
    const packet = { startedAt: Date.now(), lastNoneAt: 0, firstSeenAt: 0 };
    const until = packet.startedAt + 15_000;
    while (Date.now() < until) {
      const start = Date.now();
      let received = 0;
      for (const pc of pcs.slice(before)) {
        (await pc.getStats()).forEach((r: Record<string, unknown>) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio')
            received += Number(r.packetsReceived ?? 0);
        });
      }
      if (received > 0) {
        packet.firstSeenAt = Date.now();
        break;
      }
      packet.lastNoneAt = start;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return packet;
  }, pcsBefore);
  return placed;
}

/** The unmodified SDK in a page on the same emulator: line.makeCall + call.dial. */
export async function measureCallPlacedSdk(
  rec: Recorder,
  emulator: Emulator,
  { runs }: { runs: number },
) {
  emulator.setCallee(CALLEE, { name: 'Bench Callee', answerAfterMs: ANSWER_AFTER_MS });
  const sdk = await openRegisteredPage(emulator, () => SdkPage.open());
  const progress = watchProgress(emulator);
  const s = samples();
  const mic: number[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < runs; i += 1) {
      const callee = watchCallee(emulator);
      const placed = await placeAndWatch(sdk, CALLEE);
      errors.push(...placed.errors);
      if (!placed.progressAt) throw new Error('the SDK reported no progress within 15 s');
      if (!placed.packet.firstSeenAt) throw new Error('the page received no packet within 15 s');
      await callee.done;
      addRun(s, emulator, progress, {
        clickedAt: placed.startedAt,
        ringbackAt: placed.progressAt,
        packet: placed.packet,
        callee: callee.times,
      });
      mic.push(placed.micAt - placed.startedAt);
      await sdk.call('end', placed.correlationId);
      await emulator.waitForCall(callee.times.callId, (c) => c.deleted, 'the DELETE', 10_000);
      await sleep(300);
    }
    await sdk.call('stop');
  } finally {
    progress.undo();
    await sdk.close();
  }
  const amiss = [
    ...errors,
    ...[...sdk.named('host', 'pageerror'), ...sdk.named('host', 'network-error')].map(
      (e) => `${e.name}: ${JSON.stringify(e.detail)}`,
    ),
  ];
  rec.check(
    11,
    'the SDK page saw no call error, page error or network error placing calls',
    amiss.length === 0,
    amiss.join('; '),
  );
  record(rec, 'sdk', s);
  rec.figure(11, 'placed.sdk.mic.ms', '  SDK: placing starts -> mic stream made', 'ms', mic);
  rec.note(
    11,
    "SDK: the unmodified @webex/calling 3.12.0 in the calls conformance harness's page (its own place(): createMicrophoneStream, line.makeCall, call.dial), from Date.now() in the page before the microphone; ringback = the call's progress event; the page's packets: its new RTCPeerConnection's getStats polled in the page every ~1 ms once progress fired. Same emulator, callee and wall clock as the extension.",
  );
}
