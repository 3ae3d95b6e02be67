/**
 * The transition table on its own: a pure function of (record, event, context). Rows that
 * matter most are checked one by one; then random event sequences check the record's
 * invariants hold after every transition.
 */
import { describe, expect, it } from 'vitest';
import type { EngineEvent, TransitionContext } from '../../../lib/line/events';
import { type EngineRecord, emptyRecord } from '../../../lib/line/record';
import type { RequestResult } from '../../../lib/line/requests';
import { DEFAULT_TIMING } from '../../../lib/line/timing';
import { transition } from '../../../lib/line/transition';
import type { Outcome } from '../../../lib/webex/http';

const SERVER = 'https://mobius-p1.webex.test/api/v1/calling/web/';
const BACKUP = 'https://mobius-b1.webex.test/api/v1/calling/web/';
const WDM = 'https://wdm.webex.test/wdm/api/v1/devices/w1';
const context = {
  userId: 'u1',
  clientDeviceUri: WDM,
  primary: [SERVER],
  backup: [BACKUP],
  wdmFromCache: false,
};
const ctx = (now = 1_000_000): TransitionContext => ({
  now,
  timing: DEFAULT_TIMING,
  int: (min) => min,
  callsActive: false,
});

const registration = (deviceId: string, server = SERVER) => ({
  device: {
    deviceId,
    uri: `${server}devices/${deviceId}`,
    clientDeviceUri: WDM,
    addresses: ['sip:a@b'],
  },
  keepaliveInterval: 30,
});
const ok = <T>(value: T): Outcome<T> => ({ ok: true, value, status: 200 });
const http = (status: number): Outcome<never> => ({
  ok: false,
  error: { kind: 'http', status, body: undefined, message: `HTTP ${status}` },
});

/** Feed events one after another; answer each request with `answer`. */
function run(
  record: EngineRecord,
  events: EngineEvent[],
  answer: (tag: string) => RequestResult | null = () => null,
) {
  const effects: string[] = [];
  let current = record;
  const queue = [...events];
  for (let step = 0; step < 200 && queue.length > 0; step += 1) {
    const event = queue.shift() as EngineEvent;
    const out = transition(current, event, ctx());
    current = out.record;
    for (const effect of out.effects) {
      if (effect.kind === 'emit') effects.push(`emit ${effect.event}`);
      if (effect.kind === 'request') {
        effects.push(`request ${effect.spec.tag}`);
        const result = answer(effect.spec.tag);
        if (result) queue.push({ kind: 'outcome', id: effect.id, result });
      }
    }
  }
  return { record: current, effects };
}

/** A line registered on SERVER as device d1. */
function registered(): EngineRecord {
  const register: EngineEvent = { kind: 'register', blocked: null, evict: true };
  return run(emptyRecord(), [register], (tag) =>
    tag === 'prepare'
      ? { tag, prepared: { ok: true, context } }
      : tag === 'register'
        ? { tag, outcome: ok(registration('d1')) }
        : null,
  ).record;
}

describe('transition table rows', () => {
  it('register: connecting, then discovery, then the POST; registered with the device', () => {
    const { record, effects } = run(
      emptyRecord(),
      [{ kind: 'register', blocked: null, evict: true }],
      (tag) =>
        tag === 'prepare'
          ? { tag, prepared: { ok: true, context } }
          : { tag: 'register', outcome: ok(registration('d1')) },
    );
    expect(effects).toEqual([
      'emit connecting',
      'request prepare',
      'request register',
      'emit registered',
    ]);
    expect(record).toMatchObject({ state: 'active', wanted: true, flow: null, pending: null });
    expect(record.device?.deviceId).toBe('d1');
    expect(record.keepaliveAt).toBe(1_000_000 + 30_000);
  });

  it('keepalive 404: "Device not found.", unregistered, and registering again at once', () => {
    const start = registered();
    const due = transition(start, { kind: 'timer', timer: 'keepalive' }, ctx(1_030_000));
    const request = due.effects.find((e) => e.kind === 'request');
    expect(request).toMatchObject({ spec: { tag: 'keepalive' } });
    const id = due.record.pending?.id as string;
    const after = transition(
      due.record,
      { kind: 'outcome', id, result: { tag: 'keepalive', outcome: http(404) } },
      ctx(1_030_010),
    );
    expect(after.effects.map((e) => (e.kind === 'log' ? 'log' : e))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'emit', event: 'error' }),
        expect.objectContaining({ kind: 'emit', event: 'unregistered' }),
        expect.objectContaining({ kind: 'request', spec: { tag: 'prepare' } }),
      ]),
    );
    expect(after.record).toMatchObject({ state: 'reconnecting', device: null });
    expect(after.record.leftovers).toEqual([]); // nothing to delete: the server forgot it
  });

  it('deregister while a POST is in flight: nothing new until it answers, then its device goes', () => {
    let record = run(emptyRecord(), [{ kind: 'register', blocked: null, evict: true }], (tag) =>
      tag === 'prepare' ? { tag, prepared: { ok: true, context } } : null,
    ).record;
    expect(record.pending?.tag).toBe('register');
    const postId = record.pending?.id as string;
    const deregistered = transition(record, { kind: 'deregister' }, ctx());
    expect(deregistered.effects.filter((e) => e.kind === 'request')).toEqual([]);
    record = deregistered.record;
    const answered = transition(
      record,
      { kind: 'outcome', id: postId, result: { tag: 'register', outcome: ok(registration('d9')) } },
      ctx(),
    );
    expect(answered.effects).toContainEqual(
      expect.objectContaining({
        kind: 'request',
        spec: { tag: 'delete', device: expect.objectContaining({ deviceId: 'd9' }) },
      }),
    );
    const deleteId = answered.record.pending?.id as string;
    const done = transition(
      answered.record,
      { kind: 'outcome', id: deleteId, result: { tag: 'delete', outcome: ok(undefined) } },
      ctx(),
    );
    expect(done.record).toMatchObject({
      state: 'idle',
      deregistered: true,
      leftovers: [],
      flow: null,
    });
    expect(done.effects).toContainEqual({ kind: 'emit', event: 'unregistered' });
  });

  it('a late answer to an abandoned POST: its device becomes a leftover, never a lost device', () => {
    const start = registered();
    const late = transition(
      start,
      {
        kind: 'outcome',
        id: 'old-42',
        result: { tag: 'register', outcome: ok(registration('stray')) },
        serverUrl: SERVER,
      },
      ctx(),
    );
    expect(late.record.leftovers.map((l) => l.deviceId)).toEqual(['stray']);
    expect(late.record.device?.deviceId).toBe('d1');
  });

  it('a worker that died mid-POST: the next one checks that server before registering', () => {
    const midPost = run(emptyRecord(), [{ kind: 'register', blocked: null, evict: true }], (tag) =>
      tag === 'prepare' ? { tag, prepared: { ok: true, context } } : null,
    ).record;
    const woken = transition(midPost, { kind: 'wake', reason: 'worker' }, ctx(1_100_000));
    expect(woken.record.unconfirmed).toEqual([
      { serverUrl: SERVER, since: 1_000_000, clientDeviceUri: WDM },
    ]);
    expect(woken.effects).toContainEqual(
      expect.objectContaining({ kind: 'request', spec: expect.objectContaining({ tag: 'list' }) }),
    );
  });

  it('deregister during a sign-out leaves the sign-out to finish: the session still ends (simulation seed 2100)', () => {
    const { record, effects } = run(
      registered(),
      [{ kind: 'signOut' }, { kind: 'deregister' }],
      (tag) =>
        tag === 'delete'
          ? { tag, outcome: ok({}) }
          : tag === 'endSession'
            ? { tag, done: true }
            : null,
    );
    // Before: the deregistration replaced the sign-out, and the session was never ended.
    expect(effects.filter((e) => e.startsWith('request'))).toEqual([
      'request delete',
      'request endSession',
    ]);
    expect(record.flow).toBeNull();
    expect(record.wanted).toBe(false);
  });

  it('a DELETE answered after its flow gave way still settles its device: no second DELETE after a 404 (simulation seed 2100)', () => {
    const signingOut = transition(registered(), { kind: 'signOut' }, ctx());
    const del = signingOut.effects.find((e) => e.kind === 'request');
    if (del?.kind !== 'request') throw new Error('no DELETE');
    // A start-up's deregistration takes over while the DELETE is out; the DELETE answers 404.
    const over = transition(
      signingOut.record,
      { kind: 'startup', reason: 'browserStartup', keepRegistered: false, signedIn: true },
      ctx(),
    ).record;
    const answered = transition(
      over,
      { kind: 'outcome', id: del.id, result: { tag: 'delete', outcome: http(404) } },
      ctx(),
    );
    expect(answered.record.leftovers).toEqual([]);
    expect(answered.effects.filter((e) => e.kind === 'request')).toEqual([]);
  });

  it('Register pressed again while a deregistration waits for a POST: "connecting" all through its DELETEs (simulation seed 2145)', () => {
    const requestOf = (t: ReturnType<typeof transition>) => {
      const request = t.effects.find((e) => e.kind === 'request');
      if (request?.kind !== 'request') throw new Error('no request');
      return request;
    };
    const asked = transition(
      emptyRecord(),
      { kind: 'register', blocked: null, evict: true },
      ctx(),
    );
    const prepared = transition(
      asked.record,
      {
        kind: 'outcome',
        id: requestOf(asked).id,
        result: { tag: 'prepare', prepared: { ok: true, context } },
      },
      ctx(),
    );
    const post = requestOf(prepared).id;
    const off = transition(prepared.record, { kind: 'deregister' }, ctx());
    const again = transition(off.record, { kind: 'register', blocked: null, evict: true }, ctx());
    const answered = transition(
      again.record,
      { kind: 'outcome', id: post, result: { tag: 'register', outcome: ok(registration('d1')) } },
      ctx(),
    );
    // The DELETE of the device the POST made is out; the user's Register shows meanwhile.
    expect(requestOf(answered)).toMatchObject({ spec: { tag: 'delete' } });
    expect(answered.record.state).toBe('connecting');
  });

  it('a worker wake with nothing in flight changes nothing', () => {
    const start = registered();
    const woken = transition(start, { kind: 'wake', reason: 'worker' }, ctx(1_010_000));
    expect(woken.record).toEqual(start);
    expect(woken.effects).toEqual([]);
  });
});

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomResult(tag: string, next: () => number): RequestResult {
  const roll = next();
  const network: Outcome<never> = { ok: false, error: { kind: 'network', message: 'down' } };
  const pick = <T>(good: Outcome<T>) =>
    roll < 0.5
      ? good
      : roll < 0.65
        ? network
        : http([400, 401, 403, 404, 429, 500, 503][Math.floor(next() * 7)] as number);
  switch (tag) {
    case 'prepare':
      return {
        tag,
        prepared:
          roll < 0.8
            ? { ok: true, context }
            : { ok: false, error: { kind: 'network', message: 'down' } },
      };
    case 'register':
      return { tag, outcome: pick(ok(registration(`d${Math.floor(next() * 1000)}`))) };
    case 'list':
      return { tag, outcome: pick(ok({ devices: [] })) };
    case 'forgetDevice':
    case 'forgetServers':
    case 'endSession':
      return { tag, done: true };
    default:
      return { tag: tag as 'keepalive', outcome: pick(ok(undefined)) };
  }
}

describe('invariants over random event sequences', () => {
  it.each(Array.from({ length: 24 }, (_, i) => i + 1))(
    'seed %i: every record after every event is consistent',
    (seed) => {
      const next = prng(seed);
      let record = emptyRecord();
      let now = 1_000_000;
      const events = (): EngineEvent[] => [
        { kind: 'register', blocked: null, evict: next() < 0.5 },
        { kind: 'deregister' },
        { kind: 'timer', timer: 'keepalive' },
        { kind: 'timer', timer: 'retry' },
        { kind: 'timer', timer: 'failback' },
        { kind: 'timer', timer: 'watchdog' },
        { kind: 'network', online: next() < 0.5 },
        { kind: 'wake', reason: next() < 0.5 ? 'worker' : 'resumed' },
        { kind: 'signOut' },
        { kind: 'startup', reason: 'browserStartup', keepRegistered: true, signedIn: true },
      ];
      for (let step = 0; step < 600; step += 1) {
        now += Math.floor(next() * 40_000);
        const pending = record.pending;
        const event: EngineEvent =
          pending && next() < 0.7
            ? {
                kind: 'outcome',
                id: pending.id,
                result: randomResult(pending.tag, next),
                serverUrl: pending.serverUrl,
              }
            : (events()[Math.floor(next() * 10)] as EngineEvent);
        const before = record;
        const result = transition(record, event, ctx(now));
        record = result.record;
        const where = `seed ${seed}, step ${step}, after ${JSON.stringify(event)} pending before ${JSON.stringify(before.pending)} flow ${JSON.stringify(before.flow)?.slice(0, 200)}`;
        // One request at a time: never two in one transition, never one beside another in flight.
        const requests = result.effects.filter((e) => e.kind === 'request');
        expect(requests.length, where).toBeLessThanOrEqual(1);
        if (requests[0]?.kind === 'request') {
          expect(record.pending?.id, where).toBe(requests[0].id);
          const answered = event.kind === 'outcome' && event.id === before.pending?.id;
          // A new worker (or the watchdog) gives up the request a dead worker had in flight.
          const lost =
            (event.kind === 'wake' && event.reason === 'worker') ||
            (event.kind === 'timer' && event.timer === 'watchdog');
          expect(before.pending === null || answered || lost, where).toBe(true);
        }
        // A flow always has a request in flight or a timer to wait for.
        if (record.flow)
          expect(record.pending !== null || record.retryAt !== null, where).toBe(true);
        // Registered means a device; keepalives only for a registered line.
        if (record.state === 'active') expect(record.device, where).not.toBeNull();
        if (record.keepaliveAt !== null) expect(record.device, where).not.toBeNull();
        // Nothing is waiting in the past by more than the retry window (timers are re-derived).
        expect(record.leftovers.length, where).toBeLessThanOrEqual(6);
        expect(['idle', 'connecting', 'active', 'reconnecting', 'inactive']).toContain(
          record.state,
        );
      }
    },
  );
});
