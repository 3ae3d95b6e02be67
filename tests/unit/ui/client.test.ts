import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createMessagingClient,
  GONE_CHECK_MS,
  MAX_SILENT_RECONNECTS,
  MessagingError,
  reconnectDelay,
  type Timers,
} from '../../../lib/messaging/client';
import { createPageMessagingClient } from '../../../lib/messaging/page-client';
import {
  PAGE_STATUS_PORT,
  type PageStatus,
  STATUS_PORT,
  type StatusBroadcast,
} from '../../../lib/messaging/protocol';
import { fakeRuntime, RequestRefused, snapshot } from './helpers';

const timers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

describe('request', () => {
  it('sends {type, payload} and unwraps the value', async () => {
    const fake = fakeRuntime({ 'sites/add': ({ origin }) => ({ sites: [origin] }) });
    const client = createMessagingClient(fake.runtime, timers);
    await expect(client.request('sites/add', { origin: 'https://a.example' })).resolves.toEqual({
      sites: ['https://a.example'],
    });
    expect(fake.sent).toEqual([{ type: 'sites/add', payload: { origin: 'https://a.example' } }]);
  });

  it('throws a MessagingError with the code and message of a refused request', async () => {
    const fake = fakeRuntime({
      'line/register': () => {
        throw new RequestRefused('forbidden', 'Not allowed.');
      },
    });
    const client = createMessagingClient(fake.runtime, timers);
    const error = await client.request('line/register', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagingError);
    expect(error).toMatchObject({ code: 'forbidden', message: 'Not allowed.' });
  });

  it('throws when nobody answers', async () => {
    const client = createMessagingClient(fakeRuntime({}).runtime, timers);
    await expect(client.request('status/get', {})).rejects.toMatchObject({ code: 'no-response' });
  });
});

describe('connectStatus', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks for the snapshot on connect, passes broadcasts on, and reconnects after a worker restart', async () => {
    let current = snapshot({ at: 1 });
    const fake = fakeRuntime({ 'status/get': () => current });
    const client = createMessagingClient(fake.runtime, timers);
    const seen: StatusBroadcast[] = [];
    const stop = client.connectStatus((b) => seen.push(b));

    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(fake.ports.map((p) => p.name)).toEqual([STATUS_PORT]);
    expect(seen[0]).toEqual({ kind: 'snapshot', snapshot: current });

    const event: StatusBroadcast = {
      kind: 'line-event',
      event: 'reconnecting',
      snapshot: snapshot({ state: 'reconnecting', display: 'reconnecting', at: 2 }),
    };
    fake.broadcast(STATUS_PORT, event);
    expect(seen[1]).toEqual(event);

    // The worker stops: the port drops. The client reconnects and asks again.
    current = snapshot({ at: 3 });
    fake.ports[0]?.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.ports).toHaveLength(2);
    expect(fake.sentOf('status/get')).toHaveLength(2);
    expect(seen.at(-1)).toEqual({ kind: 'snapshot', snapshot: current });

    stop();
    expect(fake.ports[1]?.open).toBe(false);
    fake.ports[1]?.drop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.ports).toHaveLength(2);
  });

  it('backs off while the worker keeps refusing, up to 5 s', async () => {
    expect([1, 2, 3, 4, 10].map(reconnectDelay)).toEqual([0, 250, 500, 1000, 5000]);
    const fake = fakeRuntime({});
    const stop = createMessagingClient(fake.runtime, timers).connectStatus(() => {});
    fake.ports[0]?.drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(fake.ports).toHaveLength(2);
    fake.ports[1]?.drop();
    await vi.advanceTimersByTimeAsync(249);
    expect(fake.ports).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.ports).toHaveLength(3);
    stop();
  });

  it('gives up after repeated refusals without a single answer', async () => {
    const fake = fakeRuntime({});
    createMessagingClient(fake.runtime, timers).connectStatus(() => {});
    for (let i = 0; i < MAX_SILENT_RECONNECTS; i++) {
      fake.ports.at(-1)?.drop();
      await vi.advanceTimersByTimeAsync(5_000);
    }
    expect(fake.ports).toHaveLength(MAX_SILENT_RECONNECTS + 1);
    fake.ports.at(-1)?.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.ports).toHaveLength(MAX_SILENT_RECONNECTS + 1);
  });

  it('keeps reconnecting across many worker restarts that each answered', async () => {
    const fake = fakeRuntime({ 'status/get': () => snapshot() });
    createMessagingClient(fake.runtime, timers).connectStatus(() => {});
    for (let i = 0; i < MAX_SILENT_RECONNECTS * 2; i++) {
      await vi.waitFor(() => expect(fake.sentOf('status/get')).toHaveLength(i + 1));
      fake.ports.at(-1)?.drop();
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(fake.ports).toHaveLength(MAX_SILENT_RECONNECTS * 2 + 1);
  });

  it('stops trying when the extension context is gone', () => {
    const runtime = {
      sendMessage: vi.fn(),
      connect: vi.fn(() => {
        throw new Error('Extension context invalidated.');
      }),
    };
    const stop = createMessagingClient(runtime, timers).connectStatus(() => {});
    expect(runtime.connect).toHaveBeenCalledTimes(1);
    expect(runtime.sendMessage).not.toHaveBeenCalled();
    stop();
  });
});

describe('connectPageStatus', () => {
  const registered: PageStatus = { status: 'registered', error: null, signedIn: true };
  const connecting: PageStatus = { status: 'connecting', error: null, signedIn: true };

  it('uses the page-status port and delivers the answer to status/get', async () => {
    const fake = fakeRuntime({ 'status/get': () => registered as never });
    const seen: PageStatus[] = [];
    const stop = createPageMessagingClient(fake.runtime, timers).connectPageStatus((s) =>
      seen.push(s),
    );
    await vi.waitFor(() => expect(seen).toEqual([registered]));
    expect(fake.ports[0]?.name).toBe(PAGE_STATUS_PORT);
    fake.broadcast(PAGE_STATUS_PORT, { kind: 'page-status', status: connecting });
    expect(seen).toEqual([registered, connecting]);
    stop();
  });

  it('drops a status/get answer that a broadcast overtook, and only then', async () => {
    const run = async (overtake: boolean) => {
      let answer: (value: PageStatus) => void = () => {};
      const fake = fakeRuntime({
        'status/get': () => new Promise<never>((resolve) => (answer = resolve as never)),
      });
      const seen: PageStatus[] = [];
      createPageMessagingClient(fake.runtime, timers).connectPageStatus((s) => seen.push(s));
      await vi.waitFor(() => expect(fake.sentOf('status/get')).toHaveLength(1));
      if (overtake) fake.broadcast(PAGE_STATUS_PORT, { kind: 'page-status', status: connecting });
      answer(registered);
      await flushPromises();
      return seen;
    };
    expect(await run(false)).toEqual([registered]);
    expect(await run(true)).toEqual([connecting]);
  });

  it('says once that the extension is gone: reloaded, or refusing this site for good', async () => {
    const reloaded = vi.fn();
    const invalidated = {
      id: 'fakeextensionid',
      sendMessage: vi.fn(),
      connect: vi.fn(() => {
        throw new Error('Extension context invalidated.');
      }),
    };
    createPageMessagingClient(invalidated, timers).connectPageStatus(() => {}, reloaded);
    expect(reloaded).toHaveBeenCalledOnce();

    vi.useFakeTimers();
    const refused = vi.fn();
    const fake = fakeRuntime({});
    createPageMessagingClient(fake.runtime, timers).connectPageStatus(() => {}, refused);
    for (let i = 0; i < MAX_SILENT_RECONNECTS; i++) {
      fake.ports.at(-1)?.drop();
      await vi.advanceTimersByTimeAsync(5_000);
    }
    expect(refused).not.toHaveBeenCalled();
    fake.ports.at(-1)?.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(refused).toHaveBeenCalledOnce();
    vi.useRealTimers();
  });
});

describe('page-status port and an extension that went away', () => {
  const registered: PageStatus = { status: 'registered', error: null, signedIn: true };

  it('a drop with the runtime id gone is final; with the id there it is a worker restart', async () => {
    vi.useFakeTimers();
    try {
      const gone = vi.fn();
      const fake = fakeRuntime({});
      createPageMessagingClient(fake.runtime, timers).connectPageStatus(() => {}, gone);
      fake.ports.at(-1)?.drop();
      await vi.advanceTimersByTimeAsync(0);
      expect(fake.ports).toHaveLength(2);
      expect(gone).not.toHaveBeenCalled();

      fake.invalidate();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(gone).toHaveBeenCalledOnce();
      expect(fake.ports).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a port orphaned before any answer is found out by its id; an answered one is left alone', async () => {
    vi.useFakeTimers();
    try {
      // Reconnected just as the extension went: no answer, no disconnect, ever.
      const gone = vi.fn();
      const orphaned = fakeRuntime({});
      createPageMessagingClient(orphaned.runtime, timers).connectPageStatus(() => {}, gone);
      await vi.advanceTimersByTimeAsync(GONE_CHECK_MS * 3);
      expect(gone).not.toHaveBeenCalled();
      orphaned.orphan();
      await vi.advanceTimersByTimeAsync(GONE_CHECK_MS);
      expect(gone).toHaveBeenCalledOnce();

      // Once the worker answered, nothing polls: no timer runs in an idle tab.
      const healthy = fakeRuntime({ 'status/get': () => registered as never });
      const seen: PageStatus[] = [];
      const stop = createPageMessagingClient(healthy.runtime, timers).connectPageStatus((s) =>
        seen.push(s),
      );
      await vi.advanceTimersByTimeAsync(0);
      expect(seen).toEqual([registered]);
      const reads = healthy.idReads;
      await vi.advanceTimersByTimeAsync(60_000);
      expect(healthy.idReads).toBe(reads);
      expect(vi.getTimerCount()).toBe(0);
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('does not even connect once the runtime has no id', () => {
    const gone = vi.fn();
    const fake = fakeRuntime({});
    fake.invalidate();
    createPageMessagingClient(fake.runtime, timers).connectPageStatus(() => {}, gone);
    expect(gone).toHaveBeenCalledOnce();
    expect(fake.ports).toHaveLength(0);
  });
});

describe('page-status port closed by the background', () => {
  it('stops at once, without retrying, when told the site is no longer served', async () => {
    vi.useFakeTimers();
    const gone = vi.fn();
    const fake = fakeRuntime({});
    createPageMessagingClient(fake.runtime, timers).connectPageStatus(() => {}, gone);
    fake.broadcast(PAGE_STATUS_PORT, { kind: 'page-status-closed' });
    fake.ports.at(-1)?.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(gone).toHaveBeenCalledOnce();
    expect(fake.ports).toHaveLength(1);
    vi.useRealTimers();
  });
});

/** Let every already-settled promise chain run (one macrotask turn, no waiting). */
const flushPromises = () => new Promise((resolve) => setImmediate(resolve));
