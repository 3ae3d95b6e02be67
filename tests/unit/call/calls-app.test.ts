import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CallsApp } from '../../../lib/call/calls-app';
import type { CallEvent, MediaCommand } from '../../../lib/call/types';
import type { CallingView, HeldCall, LineForCalls } from '../../../lib/messaging/calls';
import { FakeClock } from '../fakes/clock';
import { FakeRandom } from '../fakes/random';
import { FakeSocket } from '../fakes/socket';
import { FakeTimers, flush } from '../fakes/timers';

const LINE: LineForCalls = {
  deviceId: 'dev-1',
  serverUrl: 'https://mobius.example.webex.com/api/v1/calling/web/',
  clientDeviceUri: 'https://wdm.example.wbx2.com/wdm/api/v1/devices/w1',
  webSocketUrl: 'wss://mercury.example.wbx2.com/v1/apps/wx2/registrations/W/messages',
  ring: true,
  ringVolume: 0.8,
  devices: { microphone: '', speaker: '', ringer: '' },
};
const OFFER_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n';

describe('CallsApp (the offscreen document)', () => {
  let clock: FakeClock;
  let timers: FakeTimers;
  let sockets: FakeSocket[];
  let views: CallingView[];
  let requests: { method: string; url: string; auth: string | null; body?: string }[];
  let media: MediaCommand['kind'][];
  let ring: string[];
  let configured: { microphone: string; speaker: string }[];
  let ringConfigured: { volume: number; device: string }[];
  let tokens: (string | undefined)[];
  let mic: 'granted' | 'denied';
  let line: LineForCalls | null;
  let unauthorizedOnce: boolean;
  let lineReads: number;
  let helds: HeldCall[][];
  let ended: string[];
  let failDeletes: number;
  let app: CallsApp;

  beforeEach(() => {
    clock = new FakeClock();
    timers = new FakeTimers(clock);
    sockets = [];
    views = [];
    requests = [];
    media = [];
    ring = [];
    configured = [];
    ringConfigured = [];
    tokens = [];
    mic = 'granted';
    line = LINE;
    unauthorizedOnce = false;
    lineReads = 0;
    helds = [];
    ended = [];
    failDeletes = 0;
    app = new CallsApp({
      clock,
      random: new FakeRandom(),
      timers,
      fetch: async (input, init) => {
        const auth = new Headers(init?.headers).get('authorization');
        const body = typeof init?.body === 'string' ? init.body : undefined;
        requests.push({ method: init?.method ?? 'GET', url: String(input), auth, body });
        if (init?.method === 'DELETE' && failDeletes > 0) {
          failDeletes -= 1;
          return new Response('{}', { status: 503 });
        }
        if (unauthorizedOnce) {
          unauthorizedOnce = false;
          return new Response('{}', { status: 401 });
        }
        if (String(input).endsWith('/call'))
          return Response.json({ callId: 'call-out' }, { status: 200 });
        return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
      openSocket: (url) => {
        const socket = new FakeSocket(url, clock);
        sockets.push(socket);
        return socket;
      },
      worker: {
        line: async () => {
          lineReads += 1;
          return line;
        },
        token: async (rejected) => {
          tokens.push(rejected);
          return rejected ? 'Bearer fresh' : 'Bearer first';
        },
        update: (view, held) => {
          views.push(view);
          helds.push(held);
        },
        orphansEnded: (keys) => ended.push(...keys),
      },
      media: {
        run: async (key, command): Promise<CallEvent | null> => {
          media.push(command.kind);
          if (command.kind === 'acquireMic') return { kind: 'micReady', key };
          if (command.kind === 'answerOffer') return { kind: 'localAnswer', key, sdp: OFFER_SDP };
          if (command.kind === 'createOffer') return { kind: 'localOffer', key, sdp: OFFER_SDP };
          if (command.kind === 'applyAnswer') return { kind: 'answerApplied', key };
          return null;
        },
        setMuted: () => {},
        micPermission: async () => mic,
        configure: (devices) => configured.push({ ...devices }),
      },
      ringtone: {
        start: () => ring.push('start'),
        stop: () => ring.push('stop'),
        configure: (settings) => ringConfigured.push({ ...settings }),
      },
      log: () => {},
    });
  });

  const socket = () => sockets.at(-1) as FakeSocket;
  const view = () => views.at(-1) as CallingView;

  async function online() {
    await app.refresh();
    await flush();
    socket().onopen?.();
    socket().push({ id: 'r1', data: { eventType: 'mercury.buffer_state' } });
    await flush();
  }

  async function incoming(callId = 'call-1') {
    socket().push({
      id: `e-${callId}`,
      data: {
        eventType: 'mobius.call',
        callId,
        deviceId: 'dev-1',
        correlationId: '',
        callerId: { from: '"Bob Caller" <sip:+14085550199@example.com;user=phone>;tag=1' },
      },
    });
    socket().push({
      id: `m-${callId}`,
      data: {
        eventType: 'mobius.media',
        callId,
        correlationId: '',
        message: { messageType: 'OFFER', seq: 1, version: '2', sdp: OFFER_SDP },
      },
    });
    await timers.advance(0);
  }

  it('re-reads the line only for a key it has not seen; the same key looks at the microphone alone', async () => {
    await app.lineChanged('signedIn dev-1 primary');
    await flush();
    socket().onopen?.();
    expect(lineReads).toBe(1);
    const published = views.length;
    await app.lineChanged('signedIn dev-1 primary'); // a keepalive, a worker wake
    expect(lineReads).toBe(1);
    expect(views).toHaveLength(published); // nothing new to say
    mic = 'denied';
    expect((await app.lineChanged('signedIn dev-1 primary')).mic).toBe('denied');
    expect(lineReads).toBe(1);
    line = {
      ...LINE,
      deviceId: 'dev-2',
      serverUrl: 'https://backup.example.webex.com/api/v1/calling/web/',
    };
    await app.lineChanged('signedIn dev-2 backup');
    expect(lineReads).toBe(2);
    await flush();
    expect(sockets).toHaveLength(2); // the new device's Mercury
  });

  it('is ready to ring only once Mercury is authorized, and says so', async () => {
    await app.refresh();
    expect(view().ring).toBe('connecting');
    await flush();
    socket().onopen?.();
    expect(socket().ofType('authorization')[0]).toMatchObject({
      data: { token: 'Bearer first' },
    });
    socket().push({ id: 'r1', data: { eventType: 'mercury.buffer_state' } });
    await flush();
    expect(view().ring).toBe('ready');
    socket().close(1006, 'gone');
    expect(view().ring).toBe('connecting');
  });

  it('rings: the view shows the caller, the ringtone plays, alerting is sent with the token', async () => {
    await online();
    await incoming();
    expect(view().calls).toEqual([
      expect.objectContaining({ state: 'ringing', callerName: 'Bob Caller', micBlocked: false }),
    ]);
    expect(ring).toEqual(['start']);
    expect(requests[0]).toMatchObject({ method: 'PATCH', auth: 'Bearer first' });
  });

  it('the worker hears of the ringing call before the ringtone starts (its first AudioContext is slow)', async () => {
    const order: string[] = [];
    await online();
    const published = views.length;
    const start = ring.push.bind(ring);
    ring.push = (...items: string[]) => {
      order.push(`ringtone after ${views.length - published} views`);
      return start(...items);
    };
    await incoming();
    expect(order).toEqual([expect.stringMatching(/^ringtone after [1-9]/)]);
    expect(views.at(-1)?.calls[0]?.state).toBe('ringing');
  });

  it('with "Ring in this browser" off a call arrives and shows, but no ringtone plays', async () => {
    line = { ...LINE, ring: false };
    await online();
    await incoming();
    expect(view().calls).toEqual([expect.objectContaining({ state: 'ringing' })]);
    expect(ring).not.toContain('start');
    expect(requests[0]).toMatchObject({ method: 'PATCH' }); // alerting is sent all the same
  });

  it('hands the volume and devices to the ringtone and the media with the line', async () => {
    line = {
      ...LINE,
      ringVolume: 0.3,
      devices: { microphone: 'mic-usb', speaker: 'headset', ringer: 'speakers' },
    };
    await app.refresh();
    expect(ringConfigured.at(-1)).toEqual({ volume: 0.3, device: 'speakers' });
    expect(configured.at(-1)).toEqual({ microphone: 'mic-usb', speaker: 'headset' });
  });

  it('a changed preference on the same line keeps Mercury and the ringing call, and applies at once', async () => {
    await online();
    await incoming();
    expect(ring).toEqual(['start']);
    line = { ...LINE, ring: false, ringVolume: 0.5 };
    await app.lineChanged('signedIn dev-1 primary silent');
    expect(sockets).toHaveLength(1); // the same Mercury
    expect(view().calls).toEqual([expect.objectContaining({ state: 'ringing' })]);
    expect(ring.at(-1)).toBe('stop'); // silenced mid-ring
    expect(ringConfigured.at(-1)).toEqual({ volume: 0.5, device: '' });
    line = { ...LINE, ring: true };
    await app.lineChanged('signedIn dev-1 primary ring');
    expect(ring.at(-1)).toBe('start'); // rings again while the call still rings
    expect(requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  });

  it('answer: microphone, media, connected; hang-up closes the media and deletes the call', async () => {
    await online();
    await incoming();
    const key = view().calls[0]?.key as string;
    await app.command({ kind: 'answer', key });
    await timers.advance(0);
    expect(media).toEqual(['acquireMic', 'answerOffer']);
    expect(ring.at(-1)).toBe('stop');
    await app.command({ kind: 'hangup', key });
    await timers.advance(0);
    expect(media.at(-1)).toBe('close');
    expect(requests.at(-1)?.method).toBe('DELETE');
  });

  it('with the microphone blocked a call rings as blocked and Answer sends nothing', async () => {
    mic = 'denied';
    await online();
    await incoming();
    const call = view().calls[0];
    expect(call?.micBlocked).toBe(true);
    const sent = requests.length;
    await app.command({ kind: 'answer', key: call?.key as string });
    await timers.advance(0);
    expect(media).toEqual([]);
    expect(requests.length).toBe(sent);
  });

  it('a 401 from Mobius is retried once with a token the worker refreshed', async () => {
    await online();
    unauthorizedOnce = true;
    await incoming();
    expect(requests.map((r) => r.auth)).toEqual(['Bearer first', 'Bearer fresh']);
    expect(tokens).toContain('Bearer first');
  });

  it('the line gone (deregistered here) stops Mercury and ends the calls', async () => {
    await online();
    await incoming();
    line = null;
    await app.refresh();
    await timers.advance(0);
    expect(socket().closedWith?.code).toBe(1000);
    expect(view().ring).toBe('off');
    expect(requests.at(-1)?.method).toBe('DELETE');
  });

  it("the line's call timer overrides (development builds) time an unanswered call out", async () => {
    line = { ...LINE, callTiming: { callRingMs: 3_000, bogus: 1, callConnectMs: -5 } };
    await online();
    await incoming();
    await timers.advance(2_999);
    expect(view().calls).toHaveLength(1);
    await timers.advance(1);
    expect(view().calls).toEqual([]);
    expect(view().lastEnded).toMatchObject({ missed: true });
    expect(requests.at(-1)?.method).toBe('DELETE');
  });

  it('without overrides the SDK ring timeout (60 s) holds', async () => {
    await online();
    await incoming();
    await timers.advance(59_999);
    expect(view().calls).toHaveLength(1);
    await timers.advance(1);
    expect(view().calls).toEqual([]);
  });

  it('reports the calls it holds with every view, as much as another document needs to end them', async () => {
    await online();
    await incoming();
    expect(helds.at(-1)).toEqual([
      {
        key: view().calls[0]?.key,
        callId: 'call-1',
        deviceId: 'dev-1',
        serverUrl: LINE.serverUrl,
        clientDeviceUri: LINE.clientDeviceUri,
        answered: false,
      },
    ]);
  });

  it("ends a lost document's answered calls at Mobius (cause 0) and forgets its ringing ones; a failed DELETE stays an orphan", async () => {
    const orphan = (key: string, answered: boolean): HeldCall => ({
      key,
      callId: `call-${key}`,
      deviceId: 'dev-old',
      serverUrl: 'https://backup.example.webex.com/api/v1/calling/web/',
      clientDeviceUri: LINE.clientDeviceUri,
      answered,
    });
    line = { ...LINE, orphans: [orphan('a', true), orphan('b', false), orphan('c', true)] };
    failDeletes = 1; // the first DELETE (a's) fails
    await app.refresh(); // the DELETEs go one after another, after it
    await vi.waitFor(() => expect(ended).toEqual(['b', 'c']));
    const deletes = requests.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.url)).toEqual([
      'https://backup.example.webex.com/api/v1/calling/web/devices/dev-old/calls/call-a',
      'https://backup.example.webex.com/api/v1/calling/web/devices/dev-old/calls/call-c',
    ]);
    expect(JSON.parse(deletes[1]?.body ?? '{}')).toMatchObject({
      device: { deviceId: 'dev-old', correlationId: 'c' },
      callId: 'call-c',
      causecode: 0,
    });
    // The next line read (a's still an orphan) tries a again.
    line = { ...LINE, orphans: [orphan('a', true)] };
    await app.refresh();
    await vi.waitFor(() => expect(ended).toEqual(['b', 'c', 'a']));
  });

  it('places a call: dialing, ringback and connected reach the worker as Mercury events arrive', async () => {
    await online();
    await app.command({ kind: 'dial', key: 'w-key-1', number: '+15551234567' });
    await timers.advance(0);
    expect(media).toEqual(['acquireMic', 'createOffer']);
    const setup = requests.find((r) => r.url.endsWith('/call'));
    expect(setup?.url).toBe(`${LINE.serverUrl}devices/dev-1/call`);
    expect(JSON.parse(setup?.body ?? '{}')).toMatchObject({
      device: { deviceId: 'dev-1', correlationId: 'w-key-1' },
      callee: { type: 'uri', address: 'tel:+15551234567' },
    });
    expect(view().calls).toEqual([
      expect.objectContaining({
        key: 'w-key-1',
        state: 'dialing',
        direction: 'outbound',
        callerNumber: '+15551234567',
      }),
    ]);
    expect(ring).not.toContain('start');
    const push = (eventType: string, extra: Record<string, unknown> = {}) =>
      socket().push({
        id: `${eventType}-${views.length}`,
        data: { eventType, callId: 'call-out', correlationId: 'w-key-1', ...extra },
      });
    push('mobius.callprogress', { callProgressData: { alerting: true, inbandMedia: false } });
    await timers.advance(0);
    expect(view().calls[0]?.state).toBe('ringback');
    push('mobius.media', { message: { messageType: 'ANSWER', seq: 1, sdp: OFFER_SDP } });
    push('mobius.callconnected');
    await timers.advance(0);
    expect(view().calls[0]).toMatchObject({ state: 'connected', held: false });
    await app.command({ kind: 'hold', key: 'w-key-1', held: true });
    await timers.advance(0);
    expect(requests.at(-1)?.url).toBe(`${LINE.serverUrl}services/callhold/hold`);
    expect(view().calls[0]).toMatchObject({ holdPending: 'hold' });
    push('mobius.call', {
      midCallService: [{ eventType: 'callState', eventData: { callState: 'HELD' } }],
    });
    await timers.advance(0);
    expect(view().calls[0]).toMatchObject({ held: true });
    await app.command({ kind: 'digits', key: 'w-key-1', digits: '1#' });
    await timers.advance(0);
    expect(media.at(-1)).toBe('insertDTMF');
    await app.command({ kind: 'hangup', key: 'w-key-1' });
    await timers.advance(0);
    expect(requests.at(-1)).toMatchObject({
      method: 'DELETE',
      url: `${LINE.serverUrl}devices/dev-1/calls/call-out`,
    });
    expect(view().lastEnded).toMatchObject({
      reason: 'localHangup',
      missed: false,
      direction: 'outbound',
    });
  });

  it('a dial without a line, or with the microphone blocked, sends nothing and says why', async () => {
    line = null;
    await app.refresh();
    await expect(app.command({ kind: 'dial', key: 'k', number: '5008' })).rejects.toThrow(
      /not registered/,
    );
    line = LINE;
    mic = 'denied';
    await online();
    const sent = requests.length;
    await app.command({ kind: 'dial', key: 'k', number: '5008' });
    await timers.advance(0);
    expect(requests.length).toBe(sent);
    expect(view().lastEnded).toMatchObject({
      key: 'k',
      reason: 'micBlocked',
      missed: false,
      detail: expect.stringMatching(/microphone/),
    });
  });
});
