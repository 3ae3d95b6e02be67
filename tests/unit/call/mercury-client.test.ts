import { beforeEach, describe, expect, it } from 'vitest';
import { MercuryClient, type MercuryStatus } from '../../../lib/call/mercury-client';
import { FakeClock } from '../fakes/clock';
import { FakeRandom } from '../fakes/random';
import { FakeSocket } from '../fakes/socket';
import { FakeTimers, flush } from '../fakes/timers';

const URL_BASE = 'wss://mercury-connection-a.wbx2.com/v1/apps/wx2/registrations/W/messages';

describe('MercuryClient', () => {
  let clock: FakeClock;
  let timers: FakeTimers;
  let sockets: FakeSocket[];
  let statuses: MercuryStatus[];
  let events: { eventType: string; data: Record<string, unknown> }[];
  let refreshes: boolean[];
  let client: MercuryClient;

  beforeEach(() => {
    clock = new FakeClock();
    timers = new FakeTimers(clock);
    sockets = [];
    statuses = [];
    events = [];
    refreshes = [];
    client = new MercuryClient({
      clock,
      random: new FakeRandom(),
      timers,
      openSocket: (url) => {
        const socket = new FakeSocket(url, clock);
        sockets.push(socket);
        return socket;
      },
      webSocketUrl: () => URL_BASE,
      authorization: async (force) => {
        refreshes.push(force);
        return 'Bearer tok';
      },
      trackingId: () => 'session_1',
      onStatus: (status) => statuses.push(status),
      onEvent: (eventType, data) => events.push({ eventType, data }),
    });
  });

  const last = () => {
    const socket = sockets.at(-1);
    if (!socket) throw new Error('no socket');
    return socket;
  };

  async function connect() {
    client.start();
    await flush();
    last().onopen?.();
    last().push({ id: 'b1', data: { eventType: 'mercury.buffer_state' }, timestamp: 1 });
  }

  it('opens with the query parameters, authorizes, and is online after buffer_state', async () => {
    await connect();
    const url = new URL(last().url);
    expect(url.searchParams.get('outboundWireFormat')).toBe('text');
    expect(url.searchParams.get('bufferStates')).toBe('true');
    expect(url.searchParams.get('aliasHttpStatus')).toBe('true');
    expect(url.searchParams.get('clientTimestamp')).toBe(String(clock.now()));
    expect(last().sent[0]).toMatchObject({
      type: 'authorization',
      data: { token: 'Bearer tok' },
      trackingId: 'session_1',
    });
    expect(statuses).toEqual([{ kind: 'online' }]);
    expect(last().sent).toContainEqual({ messageId: 'b1', type: 'ack' });
    expect(last().ofType('ping')).toHaveLength(1);
  });

  it('pings 15 s after each pong and closes when a pong is 14 s late', async () => {
    await connect();
    const ping = last().ofType('ping')[0];
    last().push({ type: 'pong', id: ping?.id });
    await timers.advance(14_999);
    expect(last().ofType('ping')).toHaveLength(1);
    await timers.advance(1);
    expect(last().ofType('ping')).toHaveLength(2);
    await timers.advance(14_000);
    expect(sockets[0]?.closedWith).toEqual({ code: 1000, reason: 'Pong not received' });
    expect(statuses.at(-1)).toMatchObject({ kind: 'offline', action: 'reconnect' });
    await flush();
    expect(sockets).toHaveLength(2); // first retry at once
  });

  it('closes on a pong with the wrong id', async () => {
    await connect();
    last().push({ type: 'pong', id: 'other' });
    expect(last().closedWith).toEqual({ code: 1000, reason: 'Pong mismatch' });
  });

  it('acks and emits call events with headers applied', async () => {
    await connect();
    last().push({
      id: 'e1',
      data: { eventType: 'mobius.call', callId: 'c1' },
      headers: { 'data.correlationId': 'x' },
      sequenceNumber: 6,
    });
    expect(events).toEqual([
      {
        eventType: 'mobius.call',
        data: { eventType: 'mobius.call', callId: 'c1', correlationId: 'x' },
      },
    ]);
    expect(last().sent).toContainEqual({ messageId: 'e1', type: 'ack' });
  });

  it('retries at once, then after 1 s and 2 s on repeated failures', async () => {
    client.start();
    await flush();
    const opens: number[] = [clock.now()];
    for (let i = 0; i < 3; i += 1) {
      last().close(1006, '');
      const count = sockets.length;
      await timers.advance(0);
      while (sockets.length === count) await timers.advance(100);
      opens.push(last().openedAt);
    }
    const gaps = opens.slice(1).map((at, i) => at - (opens[i] ?? 0));
    expect(gaps).toEqual([0, 1000, 2000]);
  });

  it('refreshes the token after 4401 before open and stops on 4403 and 4000', async () => {
    client.start();
    await flush();
    last().close(4401, 'Unauthorized');
    await timers.advance(0);
    expect(refreshes).toEqual([false, true]);
    last().close(4403, 'Forbidden');
    await timers.advance(60_000);
    expect(sockets).toHaveLength(2);
    expect(statuses.at(-1)).toMatchObject({ action: 'stop', code: 4403 });
  });

  it('stop() closes with 1000 Done and never reconnects', async () => {
    await connect();
    client.stop();
    expect(sockets[0]?.closedWith).toEqual({ code: 1000, reason: 'Done' });
    await timers.advance(120_000);
    expect(sockets).toHaveLength(1);
  });

  it('gives up on a socket that never reaches buffer_state within 20 s, then retries', async () => {
    client.start();
    await flush();
    last().onopen?.();
    await timers.advance(20_000);
    expect(sockets[0]?.closedWith?.code).toBe(1000);
    await flush();
    expect(sockets).toHaveLength(2);
  });
});
