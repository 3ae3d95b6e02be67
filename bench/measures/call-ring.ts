/**
 * Measure 8: the line rings. The emulator's caller (a werift peer) rings Alice's registered line
 * over Mercury; the offscreen document rings, the worker shows the notification, the bench
 * answers with the same `calls/command` message the popup and the notification send, and both
 * sides' first RTP packet is timed. Every time is a Date.now() of one machine's wall clock, taken
 * in Node (the emulator and its caller), the service worker or the bench page: 1 ms resolution,
 * one clock.
 *
 * - Event sent: the moment the emulator hands `mobius.call` to the socket (a wrapper around the
 *   emulator's Mercury push, installed by the bench). Not callMe's call: callMe first makes the
 *   caller's offer (ICE gathering), which is reported separately.
 * - Notification shown: the callback of the worker's chrome.notifications.create (a wrapper
 *   installed in the worker by the bench through Playwright), i.e. Chrome has created it.
 * - Caller's first packet: checked by the caller's own RTP handler (the emulator's waitFor runs
 *   on every packet), so exact to the millisecond.
 * - Browser's first packet: the offscreen document's development probe (getStats inbound-rtp
 *   packetsReceived), polled from the bench page back to back with a 2 ms pause. The figure is
 *   the end of the first poll that saw a packet (an upper bound); the bracket from the start of
 *   the last poll that saw none is reported as its resolution.
 */
import type { Page } from '@playwright/test';
import type { CallingView } from '../../lib/messaging/calls';
import type { StatusSnapshot } from '../../lib/messaging/protocol';
import { CALL_NOTIFICATION_PREFIX } from '../../lib/ui/call-notify';
import { send, serviceWorkerOf, waitForStatus } from '../../tests/e2e/fixtures';
import { ALICE, type Emulator } from '../../tests/emulator/index';
import type { BrowserSession } from '../browser/session';
import type { Recorder } from '../core/results';

const calling = (s: StatusSnapshot): CallingView | undefined => s.calling;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface NotificationNote {
  id: string;
  calledAt: number;
  createdAt: number | null;
}

/** Registered, with the document ready to ring (the session granted the microphone). */
export async function readyToRing(session: BrowserSession): Promise<void> {
  await send(session.driver, 'line/register');
  await waitForStatus(session.driver, (s) => s.display === 'registered');
  await waitForStatus(session.driver, (s) => calling(s)?.ring === 'ready', 30_000);
}

/** Records when the emulator pushes each `mobius.call` (epoch ms); undo() restores push. */
export function watchCallEvents(emulator: Emulator) {
  const mercury = emulator.mercury;
  const original = mercury.push;
  const sent: number[] = [];
  mercury.push = (userId, data) => {
    if (data.eventType === 'mobius.call') sent.push(Date.now());
    return original.call(mercury, userId, data);
  };
  return { sent, undo: () => Object.assign(mercury, { push: original }) };
}

/**
 * The caller's side of an answered call, timed in its own event handlers (state changes and
 * every packet): when its DTLS came up and when its first RTP packet arrived (epoch ms).
 */
export function watchCaller(emulator: Emulator, callId: string) {
  const times = { connectedAt: 0, firstAt: 0 };
  const done = emulator.waitForCall(
    callId,
    (c) => {
      if (!times.connectedAt && c.media.connectionState === 'connected')
        times.connectedAt = Date.now();
      if (!times.firstAt && c.media.packetsReceived > 0) times.firstAt = Date.now();
      return times.firstAt > 0;
    },
    "the caller's first packet",
    15_000,
  );
  // Handled here too: it may fail while the answering side is still being awaited.
  done.catch(() => undefined);
  return { times, done };
}

/** When the ROAP ANSWER reached Mobius: the first POST …/media received since `since`. */
export function roapAnswerAt(emulator: Emulator, since: number): number | undefined {
  return emulator
    .requestLog()
    .find((e) => e.method === 'POST' && /\/media$/.test(e.path) && e.receivedAt >= since)
    ?.receivedAt;
}

/** Wraps chrome.notifications.create in the worker; notes each call and its completion. */
async function watchNotifications(session: BrowserSession): Promise<void> {
  const worker = await serviceWorkerOf(session.context);
  // No named functions inside evaluated code: tsx's keepNames would wrap them in a __name()
  // that does not exist in the worker.
  const wrapped = await worker.evaluate(() => {
    const n = chrome.notifications as typeof chrome.notifications & {
      benchOriginal?: (...args: unknown[]) => unknown;
    };
    const g = globalThis as unknown as { benchNotes: NotificationNote[] };
    g.benchNotes = [];
    if (!n.benchOriginal) {
      const original = n.create as unknown as (...args: unknown[]) => unknown;
      n.benchOriginal = original;
      (n as unknown as { create: unknown }).create = (...args: unknown[]) => {
        const note: NotificationNote = {
          id: typeof args[0] === 'string' ? args[0] : '',
          calledAt: Date.now(),
          createdAt: null,
        };
        g.benchNotes.push(note);
        const last = args.at(-1);
        if (typeof last === 'function') {
          args[args.length - 1] = (...result: unknown[]) => {
            note.createdAt = Date.now();
            return (last as (...r: unknown[]) => unknown)(...result);
          };
          return original.apply(n, args);
        }
        const result = original.apply(n, args) as Promise<unknown> | undefined;
        result?.then(
          () => {
            note.createdAt = Date.now();
          },
          () => {},
        );
        return result;
      };
    }
    return n.create !== n.benchOriginal;
  });
  if (!wrapped) throw new Error('could not wrap chrome.notifications.create in the worker');
}

async function notificationFor(session: BrowserSession, key: string): Promise<NotificationNote> {
  const worker = await serviceWorkerOf(session.context);
  const id = `${CALL_NOTIFICATION_PREFIX}${key}`;
  const until = Date.now() + 10_000;
  let notes: NotificationNote[] = [];
  while (Date.now() < until) {
    notes = await worker.evaluate(
      () => (globalThis as unknown as { benchNotes?: NotificationNote[] }).benchNotes ?? [],
    );
    const note = notes.find((n) => n.id === id && n.createdAt !== null);
    if (note) return note;
    await sleep(20);
  }
  throw new Error(
    `no notification ${id} created within 10 s (the worker restarted?); seen: ${JSON.stringify(notes)}`,
  );
}

interface AnswerTimes {
  sentAt: number;
  answeredAt: number;
  lastNoneAt: number;
  firstSeenAt: number;
}

/** In the bench page: send the answer, then poll the offscreen probe until a packet is in. */
function answerAndWatch(driver: Page, key: string): Promise<AnswerTimes> {
  return driver.evaluate(async (callKey) => {
    type Probe = { levels: { inboundPackets: number }[] };
    const times = { sentAt: Date.now(), answeredAt: 0, lastNoneAt: 0, firstSeenAt: 0 };
    const answered = chrome.runtime
      .sendMessage({
        type: 'calls/command',
        payload: { command: { kind: 'answer', key: callKey } },
      })
      .then(() => {
        times.answeredAt = Date.now();
      });
    const until = times.sentAt + 15_000;
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
    await answered;
    return times;
  }, key);
}

export async function measureCallRing(
  rec: Recorder,
  emulator: Emulator,
  session: BrowserSession,
  { runs }: { runs: number },
) {
  const { driver } = session;
  await readyToRing(session);
  const events = watchCallEvents(emulator);
  const s = {
    offer: [] as number[],
    record: [] as number[],
    notify: [] as number[],
    notifyCall: [] as number[],
    callerConnected: [] as number[],
    callerFirst: [] as number[],
    browserFirst: [] as number[],
    browserBracket: [] as number[],
    answerReply: [] as number[],
    roapAnswer: [] as number[],
  };
  try {
    for (let i = 0; i < runs; i += 1) {
      await watchNotifications(session);
      events.sent.length = 0;
      const calledAt = Date.now();
      const offered = await emulator.callMe({ email: ALICE.email, callerName: `Bench ${i + 1}` });
      const ringing = await waitForStatus(
        driver,
        (st) => calling(st)?.calls[0]?.state === 'ringing',
      );
      const call = calling(ringing)?.calls[0];
      const sentAt = events.sent[0];
      if (!call || sentAt === undefined) throw new Error('rang, but no mobius.call was seen sent');
      if (call.micBlocked) throw new Error('the call rang with the microphone blocked');
      const note = await notificationFor(session, call.key);
      s.offer.push(sentAt - calledAt);
      s.record.push(call.since - sentAt);
      s.notifyCall.push(note.calledAt - sentAt);
      s.notify.push((note.createdAt as number) - sentAt);

      const caller = watchCaller(emulator, offered.callId);
      const browser = await answerAndWatch(driver, call.key);
      await caller.done;
      if (!browser.firstSeenAt) throw new Error('the browser received no packet within 15 s');
      const roapAt = roapAnswerAt(emulator, browser.sentAt);
      if (roapAt !== undefined) s.roapAnswer.push(roapAt - browser.sentAt);
      s.answerReply.push(browser.answeredAt - browser.sentAt);
      s.callerConnected.push(caller.times.connectedAt - browser.sentAt);
      s.callerFirst.push(caller.times.firstAt - browser.sentAt);
      s.browserFirst.push(browser.firstSeenAt - browser.sentAt);
      s.browserBracket.push(browser.firstSeenAt - Math.max(browser.lastNoneAt, browser.sentAt));

      await send(driver, 'calls/command', { command: { kind: 'hangup', key: call.key } });
      await emulator.waitForCall(offered.callId, (c) => c.deleted, 'the DELETE', 10_000);
      await waitForStatus(driver, (st) => (calling(st)?.calls.length ?? -1) === 0);
      await sleep(300);
    }
  } finally {
    events.undo();
  }

  rec.figure(8, 'call.notify.ms', 'mobius.call sent -> notification created', 'ms', s.notify);
  rec.figure(
    8,
    'call.notify.record.ms',
    '  sent -> ringing record in the document',
    'ms',
    s.record,
  );
  rec.figure(
    8,
    'call.notify.create.ms',
    '  sent -> notifications.create called',
    'ms',
    s.notifyCall,
  );
  rec.figure(8, 'call.offer.ms', "  callMe -> sent (the caller's offer, not ours)", 'ms', s.offer);
  rec.figure(
    8,
    'call.answer.caller.ms',
    'answer sent -> caller gets first RTP',
    'ms',
    s.callerFirst,
  );
  rec.figure(8, 'call.answer.browser.ms', 'answer sent -> browser has RTP', 'ms', s.browserFirst);
  rec.figure(8, 'call.answer.bracket.ms', '  browser: poll resolution', 'ms', s.browserBracket);
  rec.figure(
    8,
    'call.answer.roap.ms',
    '  answer sent -> ROAP ANSWER at Mobius',
    'ms',
    s.roapAnswer,
  );
  rec.figure(
    8,
    'call.answer.dtls.ms',
    "  answer sent -> caller's DTLS up",
    'ms',
    s.callerConnected,
  );
  rec.figure(8, 'call.answer.reply.ms', '  answer sent -> command answered', 'ms', s.answerReply);
  rec.note(
    8,
    "one wall clock (Date.now, 1 ms) in Node, the worker and the bench page. Sent: the emulator's Mercury push of mobius.call (wrapped by the bench). Notification: the completion callback of the worker's chrome.notifications.create (wrapped through Playwright). Caller's first packet: its own RTP handler. Browser's first packet: the offscreen probe (getStats packetsReceived) polled from the bench page every ~2 ms plus a round trip, an upper bound; 'poll resolution' is the bracket from the last poll with none.",
  );
  rec.note(
    8,
    'the caller sends every 20 ms once its DTLS is up, so the browser\'s first packet is at most about 20 ms after "caller\'s DTLS up" plus loopback; Playwright is attached to the worker, which Chrome then never stops, so the worker is always running when the call arrives.',
  );
}
