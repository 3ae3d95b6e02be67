import type { Fetch } from '../../../lib/ports';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Fake-clock time of the call, when the fetch was given a clock. */
  at?: number;
  /** The caller's abort signal, for a route that passes the request on. */
  signal?: AbortSignal;
}

/** What a route answers: a Response, a network failure, or nothing ever (a killed request). */
export type Reply = Response | 'network' | 'hang';
export type Route = (request: RecordedRequest) => Reply | Promise<Reply>;

export const json = (status: number, body?: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

export const bodyJson = (request: RecordedRequest): unknown =>
  request.body ? JSON.parse(request.body) : undefined;

export const bodyForm = (request: RecordedRequest) => new URLSearchParams(request.body ?? '');

interface Override {
  method: string;
  match: string | RegExp;
  route: Route;
  times: number;
}

/**
 * A scripted `fetch`: overrides added with `on()` answer first (newest first, each a limited
 * number of times), then the fallback (usually the fake Webex cloud). Every call is recorded.
 */
export class ScriptedFetch {
  readonly calls: RecordedRequest[] = [];
  private overrides: Override[] = [];

  constructor(
    private fallback: Route = () => json(404, { message: 'no route' }),
    private readonly now?: () => number,
  ) {}

  /** Times (from the start) of the calls matching method + URL. */
  times(method: string, match: string | RegExp, start = 0): number[] {
    return this.calls
      .filter((call) => call.method === method && matches(match, call.url))
      .map((call) => (call.at ?? 0) - start);
  }

  setFallback(route: Route): void {
    this.fallback = route;
  }

  /** Answer `method` + URL (exact string, prefix with '*' at the end, or RegExp) `times` times. */
  on(
    method: string,
    match: string | RegExp,
    route: Route | Reply,
    times = Number.POSITIVE_INFINITY,
  ): void {
    const asRoute: Route =
      typeof route === 'function'
        ? route
        : () => (route instanceof Response ? route.clone() : route);
    this.overrides.unshift({ method, match, route: asRoute, times });
  }

  clearOverrides(): void {
    this.overrides = [];
  }

  count(method: string, match: string | RegExp): number {
    return this.calls.filter((call) => call.method === method && matches(match, call.url)).length;
  }

  readonly fetch: Fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const request: RecordedRequest = {
      method: (init?.method ?? 'GET').toUpperCase(),
      url,
      headers,
      body: typeof init?.body === 'string' ? init.body : undefined,
      at: this.now?.(),
      ...(init?.signal ? { signal: init.signal } : {}),
    };
    this.calls.push(request);
    const override = this.overrides.find(
      (o) => o.method === request.method && matches(o.match, url),
    );
    let reply: Reply;
    if (override) {
      override.times -= 1;
      if (override.times <= 0) this.overrides = this.overrides.filter((o) => o !== override);
      reply = await override.route(request);
    } else {
      reply = await this.fallback(request);
    }
    if (reply === 'network') throw new TypeError('fetch failed');
    // A request that never ends: its caller is as good as killed.
    if (reply === 'hang') return new Promise<Response>(() => {});
    return reply;
  };
}

function matches(match: string | RegExp, url: string): boolean {
  if (match instanceof RegExp) return match.test(url);
  if (match.endsWith('*')) return url.startsWith(match.slice(0, -1));
  return url === match;
}
