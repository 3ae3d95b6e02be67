/**
 * Reading the emulator's request log (`GET /_emulator/log`, or `requestLog()` in process): which
 * protocol endpoint each entry is, which entries fall in a time window, and a comparable
 * signature of a request sequence.
 */

/** The fields of the emulator's LogEntry the bench reads. */
export interface LoggedRequest {
  at: number;
  method: string;
  path: string;
  status: number;
  server: string;
}

export type Endpoint =
  | 'authorize'
  | 'token'
  | 'people'
  | 'catalog'
  | 'region'
  | 'wdm-register'
  | 'wdm-device'
  | 'discovery'
  | 'register'
  | 'keepalive'
  | 'deregister'
  | 'devices'
  | 'ping'
  | 'page'
  | 'other';

const ROUTES: readonly [method: string, pattern: RegExp, endpoint: Endpoint][] = [
  ['GET', /^\/v1\/authorize(\?|$)/, 'authorize'],
  ['POST', /^\/v1\/authorize\/decision$/, 'authorize'],
  ['POST', /^\/v1\/access_token$/, 'token'],
  ['GET', /^\/v1\/people\/me(\?|$)/, 'people'],
  ['GET', /^\/u2c\/api\/v1\/(limited\/)?catalog(\?|$)/, 'catalog'],
  ['GET', /^\/v1\/region(\/[^/?]+)?(\?|$)/, 'region'],
  ['POST', /^\/wdm\/api\/v1\/devices$/, 'wdm-register'],
  ['*', /^\/wdm\/api\/v1\/devices\/[^/?]+$/, 'wdm-device'],
  ['GET', /^\/api\/v1\/calling\/web\/(\?|$)/, 'discovery'],
  ['POST', /^\/api\/v1\/calling\/web\/device$/, 'register'],
  ['POST', /^\/api\/v1\/calling\/web\/devices\/[^/?]+\/status$/, 'keepalive'],
  ['DELETE', /^\/api\/v1\/calling\/web\/devices\/[^/?]+$/, 'deregister'],
  ['GET', /^\/api\/v1\/calling\/web\/devices(\?|$)/, 'devices'],
  ['GET', /^\/api\/v1\/ping$/, 'ping'],
  // The emulator's own pages (the click-to-register demo): a browser tab's load, not protocol.
  ['GET', /^\/demo\/?$/, 'page'],
];

export function endpointOf(entry: Pick<LoggedRequest, 'method' | 'path'>): Endpoint {
  for (const [method, pattern, endpoint] of ROUTES) {
    if ((method === '*' || method === entry.method) && pattern.test(entry.path)) return endpoint;
  }
  return 'other';
}

/** Entries logged in [from, to] (ms since the epoch; fractional bounds widen to whole ms). */
export function between<T extends LoggedRequest>(log: readonly T[], from: number, to: number): T[] {
  const low = Math.floor(from);
  const high = Math.ceil(to);
  return log.filter((entry) => entry.at >= low && entry.at <= high);
}

/** Everything but page loads: the requests a client of the protocol made. */
export function protocolRequests<T extends LoggedRequest>(entries: readonly T[]): T[] {
  return entries.filter((entry) => endpointOf(entry) !== 'page');
}

/** One comparable line per request: method, endpoint and listener (ids and queries dropped). */
export function signature(entries: readonly LoggedRequest[]): string[] {
  return entries.map((entry) => `${entry.method} ${endpointOf(entry)} @${entry.server}`);
}

export function countByEndpoint(
  entries: readonly LoggedRequest[],
): Partial<Record<Endpoint, number>> {
  const counts: Partial<Record<Endpoint, number>> = {};
  for (const entry of entries) {
    const endpoint = endpointOf(entry);
    counts[endpoint] = (counts[endpoint] ?? 0) + 1;
  }
  return counts;
}

/** The first position where two request sequences differ, or null when they are the same. */
export function firstDifference(a: readonly string[], b: readonly string[]): number | null {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i += 1) if (a[i] !== b[i]) return i;
  return null;
}

/** Keepalive gaps: for each keepalive after the first, its receive time minus the previous one's. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((at, i) => at - (times[i] as number));
}

/**
 * Where a timed window went, from the server's side: before its first request was answered,
 * from the first answer to the last, and from the last answer to the end. Null without requests.
 * (The log's times are whole ms when the answer is sent; handlers take well under a ms.)
 */
export function splitWindow(
  span: { from: number; to: number },
  requests: readonly LoggedRequest[],
): { beforeFirst: number; between: number; afterLast: number } | null {
  const first = requests[0];
  const last = requests.at(-1);
  if (!first || !last) return null;
  return {
    beforeFirst: first.at - span.from,
    between: last.at - first.at,
    afterLast: span.to - last.at,
  };
}
