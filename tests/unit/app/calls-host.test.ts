import { describe, expect, it } from 'vitest';
import {
  CALLS_VIEW_KEY,
  createCallsHost,
  HELD_CALLS_KEY,
  type OffscreenPort,
  ORPHAN_CALLS_KEY,
} from '../../../lib/app/calls-host';
import {
  type CallPreferences,
  callPreferencesDigest,
  DEFAULT_CALL_PREFERENCES,
} from '../../../lib/call-preferences';
import type { CallingView, CallView, HeldCall, ToOffscreen } from '../../../lib/messaging/calls';
import { FakeRandom } from '../fakes/random';
import { memoryStore } from '../platform/memory-store';

const IDS = { extensionId: 'abc', extensionOrigin: 'chrome-extension://abc' };
const DOCUMENT = { id: 'abc', url: 'chrome-extension://abc/offscreen.html' };
const LINE = {
  deviceId: 'd1',
  serverUrl: 'https://mobius.example/api/v1/calling/web/',
  clientDeviceUri: 'https://wdm.example/devices/w1',
  webSocketUrl: 'wss://mercury.example/v1/connect',
  ring: true,
  ringVolume: 0.8,
  devices: { microphone: '', speaker: '', ringer: '' },
};

function ringing(key: string, extra: Partial<CallView> = {}): CallView {
  return {
    key,
    state: 'ringing',
    direction: 'inbound',
    held: false,
    callerName: 'Bob',
    since: 1,
    connectedAt: null,
    muted: false,
    micBlocked: false,
    ...extra,
  };
}

function view(calls: CallView[], extra: Partial<CallingView> = {}): CallingView {
  return { ring: 'ready', mic: 'granted', calls, lastEnded: null, at: 1, ...extra };
}

function rig(
  options: {
    offscreen?: boolean;
    store?: ReturnType<typeof memoryStore>;
    prefs?: { current: CallPreferences };
  } = {},
) {
  const store = options.store ?? memoryStore();
  const prefs = options.prefs;
  /** The stored view's calls each time "calls cleared" was said (it must be stored first). */
  const cleared: number[] = [];
  const sent: ToOffscreen[] = [];
  const events: string[] = [];
  let open = false;
  const offscreen: OffscreenPort = {
    exists: async () => open,
    create: async () => {
      events.push('create');
      open = true;
    },
    close: async () => {
      events.push('close');
      open = false;
    },
    send: async (message) => {
      sent.push(message);
      return message.kind === 'command' ? view([]) : undefined;
    },
  };
  const tokens: (string | undefined)[] = [];
  const requests: { method: string; url: string; body: string }[] = [];
  const answers: number[] = [];
  const host = createCallsHost(
    {
      store,
      clock: { now: () => 1_000 },
      fetch: async (input, init) => {
        requests.push({
          method: init?.method ?? 'GET',
          url: String(input),
          body: String(init?.body),
        });
        return new Response('{}', {
          status: answers.shift() ?? 200,
          headers: { 'content-type': 'application/json' },
        });
      },
      random: new FakeRandom(),
      offscreen: options.offscreen === false ? null : offscreen,
      lineForCalls: async () => ({ ok: true, line: LINE }),
      ...(prefs ? { callPreferences: async () => prefs.current } : {}),
      authorization: async (rejected) => {
        tokens.push(rejected);
        return rejected ? 'Bearer fresh' : 'Bearer current';
      },
      notifier: {
        ringing: async (call) => void events.push(`ring ${call.key}`),
        missed: async (call) => void events.push(`missed ${call.key}`),
        clear: async (key) => void events.push(`clear ${key}`),
      },
      changed: () => events.push('changed'),
      wallClockJumped: () => events.push('clock jumped'),
      callsCleared: () =>
        cleared.push(
          (store.data.get(CALLS_VIEW_KEY) as CallingView | undefined)?.calls.length ?? -1,
        ),
      log: () => {},
    },
    IDS,
  );
  const lose = () => {
    open = false; // closed or crashed, without the worker asking
  };
  return { host, store, sent, events, tokens, cleared, lose, requests, answers };
}

const ON_PRIMARY = { url: 'https://mobius.example/api/v1/calling/web/', role: 'primary' as const };
const registered = {
  state: 'active' as const,
  auth: 'signedIn' as const,
  line: { lineId: 'l1', mobiusDeviceId: 'd1', status: 'active', sipAddresses: [] },
  server: ON_PRIMARY,
};

describe('calls host (service worker side)', () => {
  it("the document's word that the wall clock jumped makes the line reconcile; a malformed or foreign one does not", async () => {
    const { host, events } = rig();
    const jumped = (jumpMs: unknown) => ({ type: 'offscreen/clockJumped', payload: { jumpMs } });
    expect(await host.route(jumped(-3_600_000), DOCUMENT)).toEqual({ ok: true, value: {} });
    expect(await host.route(jumped('soon'), DOCUMENT)).toMatchObject({ ok: false });
    expect(host.route(jumped(5_000), { ...DOCUMENT, tabId: 3 })).toBeUndefined();
    expect(events.filter((e) => e === 'clock jumped')).toHaveLength(1);
  });

  it('opens the document while the line is registered and closes it when it is not', async () => {
    const { host, events } = rig();
    await host.sync(registered);
    await host.sync({ ...registered, state: 'reconnecting' });
    await host.sync({ ...registered, state: 'idle', line: null, server: null });
    expect(events.filter((e) => e === 'create' || e === 'close')).toEqual(['create', 'close']);
  });

  it('tells an open document about the line only when its device or server changed', async () => {
    const { host, sent } = rig();
    await host.sync(registered); // creates it: the new document reads the line itself
    await host.sync(registered); // a worker wake with the document already open: told once
    await host.sync({ ...registered, state: 'reconnecting' }); // same device, same server
    await host.sync(registered); // a keepalive answered
    const backup = { url: 'https://backup.example/api/v1/calling/web/', role: 'backup' as const };
    const failedOver = {
      ...registered,
      line: { ...registered.line, mobiusDeviceId: 'd2' },
      server: backup,
    };
    await host.sync(failedOver);
    await host.sync(failedOver);
    await host.sync({ ...registered, state: 'idle', line: null, server: null });
    const told = sent.filter((message) => message.kind === 'lineChanged');
    expect(told.map((message) => message.kind === 'lineChanged' && message.key)).toEqual([
      `signedIn d1 ${ON_PRIMARY.url}`,
      `signedIn d2 ${backup.url}`,
      'signedIn  ',
    ]);
  });

  it('tells an open document when the call preferences change, and only then', async () => {
    const prefs = { current: DEFAULT_CALL_PREFERENCES };
    const { host, sent, events } = rig({ prefs });
    await host.sync(registered); // creates it: the new document reads the line itself
    await host.sync(registered); // a worker wake: told once
    await host.sync(registered); // nothing changed: not told
    prefs.current = { ...DEFAULT_CALL_PREFERENCES, ring: false };
    await host.sync(registered); // "Ring in this browser" turned off
    await host.sync(registered);
    prefs.current = {
      ...prefs.current,
      devices: { ...prefs.current.devices, speaker: 'headset' },
    };
    await host.sync({ ...registered, state: 'reconnecting' }); // a new speaker
    const told = sent.filter((message) => message.kind === 'lineChanged');
    const digest = (p: CallPreferences) => callPreferencesDigest(p);
    expect(told.map((message) => message.kind === 'lineChanged' && message.key)).toEqual([
      `signedIn d1 ${ON_PRIMARY.url} ${digest(DEFAULT_CALL_PREFERENCES)}`,
      `signedIn d1 ${ON_PRIMARY.url} ${digest({ ...DEFAULT_CALL_PREFERENCES, ring: false })}`,
      `signedIn d1 ${ON_PRIMARY.url} ${digest(prefs.current)}`,
    ]);
    // The same document all along: a preference never recreates it (Mercury and calls go on).
    expect(events.filter((e) => e === 'create' || e === 'close')).toEqual(['create']);
  });

  it('a browser without offscreen documents says it cannot take calls', async () => {
    const { host } = rig({ offscreen: false });
    await host.sync(registered);
    expect((await host.view()).ring).toBe('unsupported');
    await expect(host.command({ kind: 'answer', key: 'k' })).rejects.toThrow(/cannot hold calls/);
  });

  it('answers only the offscreen document: a tab or another page gets nothing', async () => {
    const { host } = rig();
    const ask = { type: 'offscreen/token', payload: {} };
    expect(
      host.route(ask, { id: 'abc', url: 'chrome-extension://abc/popup.html' }),
    ).toBeUndefined();
    expect(host.route(ask, { ...DOCUMENT, tabId: 3 })).toBeUndefined();
    expect(host.route(ask, { id: 'other', url: DOCUMENT.url })).toBeUndefined();
    expect(host.route({ type: 'status/get' }, DOCUMENT)).toBeUndefined();
    expect(await host.route(ask, DOCUMENT)).toEqual({
      ok: true,
      value: { authorization: 'Bearer current' },
    });
  });

  it('a token a server refused is replaced by a refreshed one from the worker', async () => {
    const { host, tokens } = rig();
    const answer = await host.route(
      { type: 'offscreen/token', payload: { rejected: 'Bearer old' } },
      DOCUMENT,
    );
    expect(answer).toEqual({ ok: true, value: { authorization: 'Bearer fresh' } });
    expect(tokens).toEqual(['Bearer old']);
  });

  it('gives the document the line, and refuses a malformed view', async () => {
    const { host } = rig();
    expect(await host.route({ type: 'offscreen/line', payload: {} }, DOCUMENT)).toEqual({
      ok: true,
      value: LINE,
    });
    const bad = await host.route(
      { type: 'offscreen/update', payload: { view: { ring: 'ready' } } },
      DOCUMENT,
    );
    expect(bad?.ok).toBe(false);
  });

  it('notifies a ringing call once, clears it when answered, and notifies a missed call', async () => {
    const { host, events, store } = rig();
    const update = (next: CallingView) =>
      host.route({ type: 'offscreen/update', payload: { view: next } }, DOCUMENT);
    await update(view([ringing('k1')]));
    await update(view([ringing('k1')]));
    await update(view([{ ...ringing('k1'), state: 'connected', connectedAt: 5 }]));
    await update(view([ringing('k2')]));
    await update(
      view([], {
        lastEnded: { key: 'k2', reason: 'missed', callerName: 'Bob', at: 9, missed: true },
      }),
    );
    expect(events.filter((e) => e !== 'changed')).toEqual([
      'ring k1',
      'clear k1',
      'ring k2',
      'clear k1',
      'clear k2',
      'missed k2',
    ]);
    expect(((await store.get(CALLS_VIEW_KEY)) as CallingView).lastEnded?.key).toBe('k2');
  });

  it('says "calls cleared" when the view goes from some calls to none, once stored', async () => {
    const { host, cleared } = rig();
    const update = (next: CallingView) =>
      host.route({ type: 'offscreen/update', payload: { view: next } }, DOCUMENT);
    await update(view([])); // none to none
    await update(view([ringing('k1')]));
    await update(view([ringing('k1'), ringing('k2')]));
    await update(view([{ ...ringing('k2'), state: 'connected', connectedAt: 5 }])); // one left
    expect(cleared).toEqual([]);
    await update(view([]));
    await update(view([]));
    expect(cleared).toEqual([0]);
  });

  it('a new worker compares with the stored view; the line going away clears it too', async () => {
    const first = rig();
    await first.host.route(
      { type: 'offscreen/update', payload: { view: view([ringing('k1')]) } },
      DOCUMENT,
    );
    // The worker was stopped mid-call; the next one's document reports the call ended.
    const woken = rig({ store: first.store });
    await woken.host.route({ type: 'offscreen/update', payload: { view: view([]) } }, DOCUMENT);
    expect(woken.cleared).toEqual([0]);
    // Or the line is deregistered during a call: the view is emptied, which clears it as well.
    const third = rig({ store: first.store });
    await third.host.route(
      { type: 'offscreen/update', payload: { view: view([ringing('k2')]) } },
      DOCUMENT,
    );
    await third.host.sync({ ...registered, state: 'idle', line: null, server: null });
    expect(third.cleared).toEqual([0]);
  });

  it('relays a command to an open document and takes its answer as the view', async () => {
    const { host, sent } = rig();
    await expect(host.command({ kind: 'answer', key: 'k1' })).rejects.toThrow(/No call/);
    await host.sync(registered);
    await host.command({ kind: 'decline', key: 'k1' });
    expect(sent.at(-1)).toEqual({
      target: 'offscreen',
      kind: 'command',
      command: { kind: 'decline', key: 'k1' },
    });
  });

  it('a document lost mid-call: the worker ends its calls before opening the next one (what fails there, the next document tries), and the view shows no ghost call', async () => {
    const { host, events, store, lose, requests, answers } = rig();
    await host.sync(registered);
    const held: HeldCall = {
      key: 'k1',
      callId: 'c1',
      deviceId: 'd1',
      serverUrl: LINE.serverUrl,
      clientDeviceUri: LINE.clientDeviceUri,
      answered: true,
    };
    const connectedCall = { ...ringing('k1'), state: 'connected' as const, connectedAt: 5 };
    await host.route(
      { type: 'offscreen/update', payload: { view: view([connectedCall]), held: [held] } },
      DOCUMENT,
    );
    lose();
    answers.push(503); // Mobius busy: the worker cannot end it now
    await host.sync(registered); // the next wake or status change finds it gone
    expect(requests.map((r) => r.method)).toEqual(['DELETE']);
    expect(events.filter((e) => e === 'create')).toHaveLength(2);
    expect(await host.view()).toMatchObject({
      ring: 'connecting',
      calls: [],
      lastEnded: { key: 'k1', reason: 'lost', callerName: 'Bob', missed: false },
    });
    // The new document reports itself ready; it knows no earlier call, the view still does.
    await host.route({ type: 'offscreen/update', payload: { view: view([]), held: [] } }, DOCUMENT);
    expect((await host.view()).lastEnded).toMatchObject({ key: 'k1', reason: 'lost' });
    const line = () => host.route({ type: 'offscreen/line', payload: {} }, DOCUMENT);
    expect(await line()).toEqual({ ok: true, value: { ...LINE, orphans: [held] } });
    expect(await store.get(HELD_CALLS_KEY)).toEqual([]);
    await host.route({ type: 'offscreen/orphansEnded', payload: { keys: ['k1'] } }, DOCUMENT);
    expect(await line()).toEqual({ ok: true, value: LINE });
  });

  it.each([
    ['answered, its media still being set up', { state: 'answering' as const }, 'inbound'],
    [
      'placed, still dialling',
      { state: 'dialing' as const, direction: 'outbound' as const },
      'outbound',
    ],
  ])(
    'a document lost with a call the user %s: that call is the one cut off',
    async (_, change, direction) => {
      const { host, lose } = rig();
      await host.sync(registered);
      const call = { ...ringing('k2'), ...change };
      await host.route(
        { type: 'offscreen/update', payload: { view: view([ringing('k1'), call]) } },
        DOCUMENT,
      );
      lose();
      await host.sync(registered);
      expect((await host.view()).lastEnded).toMatchObject({
        key: 'k2',
        reason: 'lost',
        direction,
        missed: false,
      });
    },
  );

  it("a document lost while a call only rang: nothing is said to be cut off (it rings on at the user's other devices)", async () => {
    const { host, lose } = rig();
    await host.sync(registered);
    await host.route(
      { type: 'offscreen/update', payload: { view: view([ringing('k1')]) } },
      DOCUMENT,
    );
    lose();
    await host.sync(registered);
    expect(await host.view()).toMatchObject({ calls: [], lastEnded: null });
  });

  it('a document closed on purpose (deregistered) ended its calls itself: nothing is left as an orphan', async () => {
    const { host, store } = rig();
    await host.sync(registered);
    const held = [
      {
        key: 'k1',
        callId: 'c1',
        deviceId: 'd1',
        serverUrl: LINE.serverUrl,
        clientDeviceUri: LINE.clientDeviceUri,
        answered: false,
      },
    ];
    await host.route(
      { type: 'offscreen/update', payload: { view: view([ringing('k1')]), held } },
      DOCUMENT,
    );
    await host.sync({ ...registered, state: 'idle', line: null, server: null });
    await host.sync(registered);
    expect(await store.get(ORPHAN_CALLS_KEY)).toBeUndefined();
  });

  it('refuses a malformed list of held calls', async () => {
    const { host } = rig();
    const answer = await host.route(
      { type: 'offscreen/update', payload: { view: view([]), held: [{ key: 'k1' }] } },
      DOCUMENT,
    );
    expect(answer?.ok).toBe(false);
  });

  it("at start-up with no document, the worker itself ends the lost document's answered calls, before the line's start-up", async () => {
    const { host, store, lose, requests, answers } = rig();
    await host.sync(registered);
    const call = (key: string, answered: boolean): HeldCall => ({
      key,
      callId: `c-${key}`,
      deviceId: 'd1',
      serverUrl: LINE.serverUrl,
      clientDeviceUri: LINE.clientDeviceUri,
      answered,
    });
    const held = [call('a', true), call('b', false), call('c', true)];
    await host.route({ type: 'offscreen/update', payload: { view: view([]), held } }, DOCUMENT);
    lose(); // the extension's process crashed, or the browser quit
    answers.push(503); // a's DELETE fails: it stays for the next try
    await host.endOrphansNow();
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `DELETE ${LINE.serverUrl}devices/d1/calls/c-a`,
      `DELETE ${LINE.serverUrl}devices/d1/calls/c-c`,
    ]);
    expect(JSON.parse(requests[1]?.body ?? '{}')).toMatchObject({ callId: 'c-c', causecode: 0 });
    expect((await store.get<HeldCall[]>(ORPHAN_CALLS_KEY))?.map((o) => o.key)).toEqual(['a']);
    await host.endOrphansNow();
    expect(await store.get(ORPHAN_CALLS_KEY)).toEqual([]);
  });

  it('a document that is up keeps its calls: nothing is ended from the worker', async () => {
    const { host, requests } = rig();
    await host.sync(registered);
    await host.endOrphansNow();
    expect(requests).toEqual([]);
  });
});
