import { beforeEach, describe, expect, it } from 'vitest';
import { CallInterpreter } from '../../../lib/call/interpreter';
import type { CallEvent, CallNotice, MediaCommand, RequestOutcome } from '../../../lib/call/types';
import type { CallSpec } from '../../../lib/webex/calls';
import { buildCallRequest } from '../../../lib/webex/calls';
import { FakeClock } from '../fakes/clock';
import { FakeRandom } from '../fakes/random';
import { FakeTimers, flush } from '../fakes/timers';

const SERVER = 'https://mobius.example.webex.com/api/v1/calling/web/';
const OFFER_SDP =
  'v=0\r\no=BroadWorks 1 1 IN IP4 192.0.2.9\r\nm=audio 19564 UDP/TLS/RTP/SAVPF 0\r\n';
const FROM = '"Bob Marley" <sip:5008@207.182.171.130;user=phone>;tag=1';

describe('CallInterpreter (incoming calls)', () => {
  let clock: FakeClock;
  let timers: FakeTimers;
  let sent: CallSpec[];
  let media: MediaCommand[];
  let notices: CallNotice[];
  let log: string[];
  let micUsable: boolean;
  let micWorks: boolean;
  let reply: (spec: CallSpec) => RequestOutcome;
  let calls: CallInterpreter;

  beforeEach(() => {
    clock = new FakeClock();
    timers = new FakeTimers(clock);
    sent = [];
    media = [];
    notices = [];
    log = [];
    micUsable = true;
    micWorks = true;
    reply = () => ({ ok: true });
    calls = new CallInterpreter({
      clock,
      random: new FakeRandom(),
      timers,
      micUsable: () => micUsable,
      isOurDevice: (id) => id === 'dev-1',
      send: async (spec) => {
        sent.push(spec);
        return reply(spec);
      },
      media: async (key, command): Promise<CallEvent | null> => {
        media.push(command);
        if (command.kind === 'acquireMic') {
          return micWorks
            ? { kind: 'micReady', key }
            : { kind: 'micFailed', key, message: 'NotAllowedError' };
        }
        if (command.kind === 'answerOffer') return { kind: 'localAnswer', key, sdp: 'answer-sdp' };
        return null;
      },
      notify: (notice) => notices.push(notice),
      log: (line) => log.push(line),
    });
  });

  const only = () => {
    const [record] = Object.values(calls.calls.calls);
    if (!record) throw new Error('no call');
    return record;
  };
  const requests = () => sent.map((spec) => buildCallRequest(SERVER, spec));
  const deletes = () => requests().filter((r) => r.method === 'DELETE');

  async function ring(callId = 'call-1') {
    await calls.mercury('mobius.call', {
      eventType: 'mobius.call',
      callId,
      deviceId: 'dev-1',
      correlationId: '',
      callerId: { from: FROM },
    });
    await calls.mercury('mobius.media', {
      eventType: 'mobius.media',
      callId,
      correlationId: '',
      message: { messageType: 'OFFER', seq: 1, version: '2', sdp: OFFER_SDP },
    });
    await calls.idle();
  }

  async function answerAndConnect() {
    const key = only().key;
    await calls.dispatch({ kind: 'answer', key });
    await calls.idle();
    await calls.mercury('mobius.media', {
      eventType: 'mobius.media',
      callId: 'call-1',
      correlationId: key,
      message: { messageType: 'OK', seq: 1, version: '2' },
    });
    await calls.idle();
    return key;
  }

  it('rings, answers, connects, keeps alive, and ends on remote hang-up', async () => {
    await ring();
    const key = only().key;
    expect(notices[0]).toEqual({
      kind: 'incoming',
      key,
      callerId: { name: 'Bob Marley', number: '5008' },
      micBlocked: false,
    });
    expect(requests()).toEqual([
      {
        method: 'PATCH',
        url: `${SERVER}devices/dev-1/calls/call-1`,
        body: {
          device: { deviceId: 'dev-1', correlationId: key },
          callId: 'call-1',
          callState: 'sig_alerting',
          inbandMedia: false,
        },
      },
    ]);
    await answerAndConnect();
    expect(media.map((m) => m.kind)).toEqual(['acquireMic', 'answerOffer', 'established']);
    expect(media[1]).toEqual({ kind: 'answerOffer', sdp: OFFER_SDP });
    const [, connected, answer] = requests();
    expect(connected?.body).toMatchObject({ callState: 'sig_connected' });
    expect(answer?.url).toBe(`${SERVER}devices/dev-1/calls/call-1/media`);
    expect(answer?.body).toMatchObject({
      localMedia: { roap: { messageType: 'ANSWER', seq: 1, sdp: 'answer-sdp' } },
    });
    expect(notices.at(-1)).toEqual({ kind: 'established', key });
    expect(only().state).toBe('connected');

    const before = sent.length;
    await timers.advance(600_000 - 1);
    expect(sent).toHaveLength(before);
    await timers.advance(1);
    await calls.idle();
    expect(requests().at(-1)?.url).toBe(`${SERVER}devices/dev-1/calls/call-1/status`);
    await timers.advance(600_000);
    await calls.idle();
    expect(requests().filter((r) => r.url.endsWith('/status'))).toHaveLength(2);

    await calls.mercury('mobius.calldisconnected', { callId: 'call-1', correlationId: key });
    await calls.idle();
    expect(deletes().at(-1)?.body).toMatchObject({ causecode: 0, cause: 'Normal Disconnect.' });
    expect(media.at(-1)).toEqual({ kind: 'close' });
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'remoteHangup' });
    expect(calls.calls.calls).toEqual({});
    expect(timers.size).toBe(0);
  });

  it('declines with DELETE 115 User Busy', async () => {
    await ring();
    await calls.dispatch({ kind: 'decline', key: only().key });
    await calls.idle();
    expect(deletes().map((r) => r.body)).toMatchObject([{ causecode: 115, cause: 'User Busy.' }]);
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'declined' });
    expect(media).toEqual([]);
  });

  it('times a ring out after 60 s as missed (DELETE cause 0, as the SDK)', async () => {
    await ring();
    await timers.advance(59_999);
    expect(deletes()).toEqual([]);
    await timers.advance(1);
    await calls.idle();
    expect(deletes().map((r) => r.body)).toMatchObject([{ causecode: 0 }]);
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'missed' });
  });

  it('logs a missed call when the caller gives up', async () => {
    await ring();
    await calls.mercury('mobius.calldisconnected', { callId: 'call-1', correlationId: only().key });
    await calls.idle();
    expect(deletes().map((r) => r.body)).toMatchObject([{ causecode: 115 }]);
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'missed' });
  });

  it('does not call a call answered on another device missed', async () => {
    await ring();
    await calls.mercury('mobius.calldisconnected', {
      callId: 'call-1',
      correlationId: only().key,
      cause: 'Call completed elsewhere',
    });
    await calls.idle();
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'answeredElsewhere' });
  });

  it('lets a second call ring while on a call (call waiting), and gives a third busy', async () => {
    await ring();
    const first = await answerAndConnect();
    await calls.mercury('mobius.call', { callId: 'call-2', deviceId: 'dev-1', callerId: {} });
    await calls.idle();
    expect(deletes()).toHaveLength(0);
    expect(notices.at(-1)).toMatchObject({ kind: 'incoming' });
    expect(log).toContain('incoming -> callWaiting');
    await calls.mercury('mobius.call', { callId: 'call-3', deviceId: 'dev-1', callerId: {} });
    await calls.idle();
    expect(deletes()).toHaveLength(1);
    expect(deletes()[0]?.url).toBe(`${SERVER}devices/dev-1/calls/call-3`);
    expect(deletes()[0]?.body).toMatchObject({ causecode: 115 });
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'busy', direction: 'inbound' });
    expect(Object.keys(calls.calls.calls)).toHaveLength(2);
    expect(calls.calls.calls[first]?.state).toBe('connected');
  });

  it('gives a second caller busy while the first still rings', async () => {
    await ring();
    await calls.mercury('mobius.call', { callId: 'call-2', deviceId: 'dev-1', callerId: {} });
    await calls.idle();
    expect(deletes().map((r) => r.url)).toEqual([`${SERVER}devices/dev-1/calls/call-2`]);
    expect(log).toContain('incoming -> busy');
  });

  it('ends with cause 131 when the microphone fails at Answer', async () => {
    micWorks = false;
    await ring();
    await calls.dispatch({ kind: 'answer', key: only().key });
    await calls.idle();
    expect(deletes().map((r) => r.body)).toMatchObject([
      { causecode: 131, cause: 'Media Inactivity.' },
    ]);
    expect(notices.at(-1)).toMatchObject({
      kind: 'ended',
      reason: 'micFailed',
      detail: 'NotAllowedError',
    });
    expect(requests().some((r) => r.body.callState === 'sig_connected')).toBe(false);
  });

  it('answers once when Answer is clicked twice', async () => {
    await ring();
    const key = only().key;
    await Promise.all([
      calls.dispatch({ kind: 'answer', key }),
      calls.dispatch({ kind: 'answer', key }),
    ]);
    await calls.idle();
    expect(media.filter((m) => m.kind === 'acquireMic')).toHaveLength(1);
    expect(requests().filter((r) => r.body.callState === 'sig_connected')).toHaveLength(1);
    expect(log).toContain('answer -> answerAgain');
  });

  it('without a usable microphone neither answers nor declines, and logs it missed', async () => {
    micUsable = false;
    await ring();
    expect(notices[0]).toMatchObject({ kind: 'incoming', micBlocked: true });
    await calls.dispatch({ kind: 'answer', key: only().key });
    expect(notices.at(-1)).toMatchObject({ kind: 'answerRefused', reason: 'micBlocked' });
    expect(media).toEqual([]);
    await timers.advance(60_000);
    await calls.idle();
    expect(deletes()).toEqual([]);
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'micBlocked' });
  });

  it('ends a call whose status check fails when Mercury comes back', async () => {
    await ring();
    await answerAndConnect();
    reply = (spec) =>
      spec.tag === 'status' ? { ok: false, status: 404, message: 'gone' } : { ok: true };
    await calls.dispatch({ kind: 'mercuryOnline' });
    await calls.idle();
    expect(deletes()).toHaveLength(1);
    expect(notices.at(-1)).toMatchObject({ kind: 'ended', reason: 'failed' });
  });

  it('keeps the call through a status check that succeeds', async () => {
    await ring();
    await answerAndConnect();
    await calls.dispatch({ kind: 'mercuryOnline' });
    await calls.idle();
    expect(only()).toMatchObject({ state: 'connected', statusCheck: false });
  });

  it('retries a keepalive 503 after 30 s, at most 4 times, then stops and keeps the call', async () => {
    await ring();
    await answerAndConnect();
    reply = (spec) =>
      spec.tag === 'status' ? { ok: false, status: 503, message: 'busy' } : { ok: true };
    await timers.advance(600_000);
    await calls.idle();
    for (let i = 0; i < 4; i += 1) {
      await timers.advance(30_000);
      await calls.idle();
    }
    const statuses = () => requests().filter((r) => r.url.endsWith('/status')).length;
    expect(statuses()).toBe(5);
    await timers.advance(3_600_000);
    await calls.idle();
    expect(statuses()).toBe(5);
    expect(only()).toMatchObject({ state: 'connected', keepaliveStopped: true });
  });

  it('drops events for other devices and unknown calls', async () => {
    await calls.mercury('mobius.call', { callId: 'x', deviceId: 'someone-else' });
    await calls.mercury('mobius.calldisconnected', { callId: 'nope', correlationId: 'nope' });
    await flush();
    expect(sent).toEqual([]);
    expect(log.filter((l) => l.startsWith('dropped'))).toHaveLength(2);
  });
});
