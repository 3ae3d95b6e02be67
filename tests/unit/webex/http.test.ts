import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Fetch } from '../../../lib/ports';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  requestJson,
  requestNoContent,
  send,
} from '../../../lib/webex/http';
import { anything } from '../../../lib/webex/validate';

const URL_ = 'https://mobius.test/api/v1/calling/web/device';

/** A body that sends `first` and then never ends (the server stalls); `cancelled` once read no more. */
function stalledBody(first: string) {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(first));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
}

/** Settles-or-not probe: the old code left a stalled body pending forever. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

describe('send: one deadline for headers and body', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a body that starts and never ends becomes a network failure once the deadline passes', async () => {
    const body = stalledBody('{"device": {"devi');
    // Headers at once; this fake, like a server that stalls, never finishes the body, and it
    // ignores the abort signal (so only the deadline itself can end the wait).
    const fetch = vi.fn(async () => new Response(body.stream, { status: 200 })) as unknown as Fetch;
    const probe = track(send(fetch, URL_, { method: 'POST', json: {}, timeoutMs: 5_000 }));

    await vi.advanceTimersByTimeAsync(4_900);
    expect(probe.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(probe.settled).toBe(true);
    expect(probe.value).toEqual({
      ok: false,
      error: { kind: 'network', message: 'mobius.test did not answer in time', timedOut: true },
    });
  });

  it('the deadline counts from the request, not from the headers: slow headers leave less for the body', async () => {
    const body = stalledBody('');
    const fetch = vi.fn(
      () =>
        new Promise<Response>((resolve) =>
          setTimeout(() => resolve(new Response(body.stream, { status: 200 })), 3_000),
        ),
    ) as unknown as Fetch;
    const probe = track(send(fetch, URL_, { method: 'GET', timeoutMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(3_100);
    expect(probe.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(probe.value).toMatchObject({ ok: false, error: { kind: 'network' } });
  });

  it('aborts the fetch through its signal when the body stalls (a real fetch then stops reading)', async () => {
    let signal: AbortSignal | undefined;
    const body = stalledBody('x');
    const fetch = vi.fn(async (_url: string, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return new Response(body.stream, { status: 200 });
    }) as unknown as Fetch;
    const probe = track(send(fetch, URL_, { method: 'GET', timeoutMs: 1_000 }));
    await vi.advanceTimersByTimeAsync(1_001);
    expect(probe.settled).toBe(true);
    expect(signal?.aborted).toBe(true);
  });

  it('headers that never come time out with the default deadline even if fetch ignores the signal', async () => {
    const fetch = vi.fn(() => new Promise<Response>(() => {})) as unknown as Fetch;
    const probe = track(requestJson(fetch, URL_, { method: 'GET' }, anything, 'Registration'));
    await vi.advanceTimersByTimeAsync(DEFAULT_REQUEST_TIMEOUT_MS - 100);
    expect(probe.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(probe.value).toEqual({
      ok: false,
      error: { kind: 'network', message: 'mobius.test did not answer in time', timedOut: true },
    });
  });

  it('an answer in time leaves no timer behind and parses the body', async () => {
    const fetch = vi.fn(
      async () => new Response('{"a":1}', { status: 200, headers: { trackingid: 't-1' } }),
    ) as unknown as Fetch;
    const sent = await send(fetch, URL_, { method: 'GET' });
    expect(sent).toEqual({
      ok: true,
      answer: { status: 200, ok: true, body: { a: 1 }, retryAfter: undefined, trackingId: 't-1' },
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a body cut off for another reason than time is treated as absent', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.error(new TypeError('connection reset'));
      },
    });
    const fetch = vi.fn(async () => new Response(stream, { status: 503 })) as unknown as Fetch;
    const outcome = await requestNoContent(fetch, URL_, { method: 'POST' }, 'Keepalive');
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'http', status: 503, body: undefined },
    });
  });
});

describe('send: no cookies', () => {
  it('asks fetch to omit credentials on every request, whatever its method or body', async () => {
    const inits: RequestInit[] = [];
    const fetch = vi.fn(async (_url: string, init?: RequestInit) => {
      inits.push(init ?? {});
      return new Response(null, { status: 204 });
    }) as unknown as Fetch;
    await send(fetch, URL_, { method: 'GET' });
    await send(fetch, URL_, { method: 'POST', json: { x: 1 } });
    await send(fetch, URL_, { method: 'POST', form: { grant_type: 'refresh_token' } });
    await requestNoContent(fetch, URL_, { method: 'DELETE' }, 'Delete');
    expect(inits.map((init) => init.credentials)).toEqual(['omit', 'omit', 'omit', 'omit']);
  });
});
