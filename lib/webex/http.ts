/**
 * One way to send a request and get its outcome as data. Nothing here throws: a network failure,
 * an HTTP error and a malformed body are all values the caller classifies.
 */
import type { Fetch } from '../ports';
import { clampServerValue } from './bounds';
import { parseWith, type Validator } from './validate';

export type WebexFailure =
  /**
   * No HTTP answer at all (DNS, refused connection, offline, timeout): fetch rejected. `timedOut`
   * when we gave up waiting: the server may have acted on the request without our hearing it.
   */
  | { kind: 'network'; message: string; timedOut?: boolean }
  /** An HTTP answer outside 2xx. `body` is the parsed JSON body when there was one. */
  | {
      kind: 'http';
      status: number;
      body: unknown;
      /** Retry-After in seconds (delay or date), clamped to `SERVER_BOUNDS.retryAfter`. */
      retryAfter?: number;
      trackingId?: string;
      message: string;
    }
  /** A 2xx answer whose body did not match the expected shape. */
  | { kind: 'malformed'; status: number; message: string; trackingId?: string }
  /** No usable token: signed out, refresh refused, or 401 after a fresh token. */
  | { kind: 'auth'; message: string; status?: number; definitive: boolean }
  /** Settings cannot produce the request (e.g. no client id). */
  | { kind: 'config'; message: string }
  /** Refused before sending: the URL is not on a host the session's environment trusts. */
  | { kind: 'untrusted'; message: string };

export type Outcome<T> =
  | { ok: true; value: T; status: number; trackingId?: string }
  | { ok: false; error: WebexFailure };

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  headers?: Record<string, string>;
  /** A JSON body (sent with content-type application/json) or a form body. */
  json?: unknown;
  form?: Record<string, string>;
  /** Abort a request that hangs (a worker that waits forever never recovers). */
  timeoutMs?: number;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;

/** Raw answer: status, parsed body (JSON when it parses, else undefined) and useful headers. */
export interface RawAnswer {
  status: number;
  ok: boolean;
  body: unknown;
  /** Seconds, clamped to `SERVER_BOUNDS.retryAfter`. */
  retryAfter?: number;
  /** The Retry-After as sent (seconds), when it was outside the bound. */
  retryAfterClampedFrom?: number;
  trackingId?: string;
}

/**
 * Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), clamped. A date is measured
 * against the answer's own `Date` header (the server's clock, so our clock's skew does not
 * matter); without one, against this computer's clock.
 */
export function retryAfterOf(
  headers: Headers,
): Pick<RawAnswer, 'retryAfter' | 'retryAfterClampedFrom'> | undefined {
  const header = headers.get('retry-after')?.trim();
  if (!header) return undefined;
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(header)) seconds = Number(header);
  else {
    const at = Date.parse(header);
    if (Number.isNaN(at)) return undefined;
    const served = Date.parse(headers.get('date') ?? '');
    seconds = Math.ceil((at - (Number.isNaN(served) ? Date.now() : served)) / 1000);
  }
  const { value, clampedFrom } = clampServerValue('retryAfter', seconds);
  return clampedFrom === undefined
    ? { retryAfter: value }
    : { retryAfter: value, retryAfterClampedFrom: clampedFrom };
}

export async function send(
  fetch: Fetch,
  url: string,
  options: RequestOptions,
): Promise<{ ok: true; answer: RawAnswer } | { ok: false; error: WebexFailure }> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  }
  // One deadline for the whole exchange, headers and body: a server that sends its headers and
  // then stalls must not hold the caller (and the engine's queue behind it) forever.
  const deadline = startDeadline(options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  let response: Response;
  let text = '';
  try {
    try {
      response = await deadline.race(
        fetch(url, {
          method: options.method,
          headers,
          body,
          signal: deadline.signal,
          // Webex APIs authenticate with the bearer token only: no cookie of any site rides along.
          credentials: 'omit',
          // Never follow a redirect: it would carry the token or the client secret to a URL the
          // server chose (Webex APIs do not redirect).
          redirect: 'error',
        }),
      );
    } catch (error) {
      // Given up waiting: the server may have acted on the request without our hearing it.
      const timedOut = deadline.expired();
      return {
        ok: false,
        error: {
          kind: 'network',
          message: describeNetworkError(error, url),
          ...(timedOut ? { timedOut } : {}),
        },
      };
    }
    try {
      text = await deadline.race(response.text());
    } catch {
      // A stalled body is a request that did not answer in time; a body cut off for another
      // reason is treated as absent.
      if (deadline.expired()) {
        return {
          ok: false,
          error: {
            kind: 'network',
            message: `${safeHost(url)} did not answer in time`,
            timedOut: true,
          },
        };
      }
    }
  } finally {
    deadline.clear();
  }
  let parsed: unknown;
  if (text.trim() !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  const retryAfter = retryAfterOf(response.headers);
  return {
    ok: true,
    answer: {
      status: response.status,
      ok: response.ok,
      body: parsed,
      ...(retryAfter ?? {}),
      trackingId: response.headers.get('trackingid') ?? undefined,
    },
  };
}

function describeNetworkError(error: unknown, url: string): string {
  const host = safeHost(url);
  if (error instanceof DeadlinePassed || (error instanceof Error && error.name === 'AbortError'))
    return `${host} did not answer in time`;
  return `${host} could not be reached`;
}

class DeadlinePassed extends Error {}

interface Deadline {
  signal: AbortSignal;
  /** `work`, or a rejection with DeadlinePassed once the deadline passes (whichever is first). */
  race<T>(work: Promise<T>): Promise<T>;
  expired(): boolean;
  clear(): void;
}

/**
 * Aborts the fetch when time is up, and also rejects whatever is raced against it: a fetch
 * implementation that ignores the signal (or a body stream that does) cannot outlive it.
 */
function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  let passed = false;
  let fire: (error: DeadlinePassed) => void = () => {};
  const expiry = new Promise<never>((_, reject) => {
    fire = reject;
  });
  // Nobody may be racing when it fires (between the two awaits): never an unhandled rejection.
  expiry.catch(() => {});
  const timer = setTimeout(() => {
    passed = true;
    fire(new DeadlinePassed('deadline passed'));
    controller.abort();
  }, ms) as unknown as { unref?: () => void };
  // Never keep a Node test process alive for a request that was abandoned on purpose.
  timer.unref?.();
  return {
    signal: controller.signal,
    race: (work) => {
      // The loser of the race may still reject later (an aborted fetch or body): not unhandled.
      work.catch(() => {});
      return Promise.race([work, expiry]);
    },
    expired: () => passed,
    clear: () => clearTimeout(timer as unknown as ReturnType<typeof setTimeout>),
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/** Turn a non-2xx answer into an `http` failure with a readable message. */
export function httpFailure(answer: RawAnswer, what: string): WebexFailure {
  return {
    kind: 'http',
    status: answer.status,
    body: answer.body,
    retryAfter: answer.retryAfter,
    trackingId: answer.trackingId,
    message: `${what} failed with HTTP ${answer.status}${describeBody(answer.body)}${
      answer.retryAfterClampedFrom === undefined
        ? ''
        : ` (Retry-After ${answer.retryAfterClampedFrom} s clamped to ${answer.retryAfter} s)`
    }`,
  };
}

/** Pick a server-provided explanation out of the usual Webex/OAuth error bodies. */
function describeBody(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const record = body as Record<string, unknown>;
  for (const key of ['error_description', 'message', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return `: ${value}`;
  }
  return '';
}

/** Send, then validate a 2xx body. The usual path for every JSON API call. */
export async function requestJson<T>(
  fetch: Fetch,
  url: string,
  options: RequestOptions,
  validator: Validator<T>,
  what: string,
): Promise<Outcome<T>> {
  const sent = await send(fetch, url, options);
  if (!sent.ok) return sent;
  const { answer } = sent;
  if (!answer.ok) return { ok: false, error: httpFailure(answer, what) };
  const parsed = parseWith(validator, answer.body, what);
  if (!parsed.ok) {
    return {
      ok: false,
      error: {
        kind: 'malformed',
        status: answer.status,
        message: parsed.error,
        trackingId: answer.trackingId,
      },
    };
  }
  return { ok: true, value: parsed.value, status: answer.status, trackingId: answer.trackingId };
}

/** Send and accept any 2xx, ignoring the body. */
export async function requestNoContent(
  fetch: Fetch,
  url: string,
  options: RequestOptions,
  what: string,
): Promise<Outcome<RawAnswer>> {
  const sent = await send(fetch, url, options);
  if (!sent.ok) return sent;
  const { answer } = sent;
  if (!answer.ok) return { ok: false, error: httpFailure(answer, what) };
  return { ok: true, value: answer, status: answer.status, trackingId: answer.trackingId };
}
