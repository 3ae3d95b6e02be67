/**
 * Mercury, the Webex WebSocket that carries call events (reference/mobius-calls.md §1), as pure
 * parts: the URL check and query, the frames the client sends, the parse of what it receives,
 * the close-code policy and the reconnect back-off, all as data. The socket driver
 * (lib/call/mercury-client.ts) only wires these to a socket and a timer.
 */
import { type Environment, isLoopbackHost } from '../settings';
import type { Outcome } from './http';
import { hostOf, isTrustedUrl } from './trust';

/** Ping 15 s after each pong; no pong within 14 s closes the socket (`socket-base.js`). */
export const PING_INTERVAL_MS = 15_000;
export const PONG_TIMEOUT_MS = 14_000;

/**
 * Whether the bearer token may be sent to this `webSocketUrl`: wss to a host the session trusts,
 * or ws only to this computer for a custom (development) environment, as lib/webex/trust.ts rules
 * https and http. The check is made on the equivalent https/http URL.
 */
export function isTrustedSocketUrl(url: string, environment: Environment): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'ws:') {
    if (environment.kind === 'production' || !isLoopbackHost(parsed.hostname)) return false;
  } else if (parsed.protocol !== 'wss:') {
    return false;
  }
  const asHttp = `${parsed.protocol === 'wss:' ? 'https:' : 'http:'}${url.slice(parsed.protocol.length)}`;
  return isTrustedUrl(asHttp, environment);
}

/** The WDM device's `webSocketUrl` if a token may go to it, else why not (untrusted, absent). */
export function checkedSocketUrl(
  url: string | undefined,
  environment: Environment,
): Outcome<string> {
  if (!url) {
    const message = 'Webex gave this device no Mercury address';
    return { ok: false, error: { kind: 'malformed', status: 200, message } };
  }
  if (!isTrustedSocketUrl(url, environment)) {
    const message = `Webex named ${hostOf(url)} for calls, which is not a host of this environment`;
    return { ok: false, error: { kind: 'untrusted', message } };
  }
  return { ok: true, value: url, status: 200 };
}

/** `_prepareUrl` (3.12.0, no WDM features): text frames, buffer state, aliased HTTP status. */
export function mercuryUrl(webSocketUrl: string, now: number): string {
  const url = new URL(webSocketUrl);
  url.searchParams.set('outboundWireFormat', 'text');
  url.searchParams.set('bufferStates', 'true');
  url.searchParams.set('aliasHttpStatus', 'true');
  url.searchParams.set('clientTimestamp', String(now));
  return url.toString();
}

export const authFrame = (id: string, authorization: string, trackingId: string) => ({
  id,
  type: 'authorization',
  data: { token: authorization },
  trackingId,
});
export const pingFrame = (id: string) => ({ id, type: 'ping' });
export const ackFrame = (messageId: string) => ({ messageId, type: 'ack' });

/** What a received text frame means to the client. */
export type Inbound =
  | { kind: 'pong'; id: string | undefined }
  | { kind: 'shutdown' }
  /** A frame without `type` whose `data.eventType` is buffer_state / registration_status. */
  | { kind: 'ready'; id: string | undefined }
  | { kind: 'event'; id: string | undefined; eventType: string; data: Record<string, unknown> }
  | { kind: 'ignored'; id: string | undefined; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Envelope parse (§1.6): `headers` key paths are copied into `data` first (`_applyOverrides`). */
export function parseFrame(text: string): Inbound {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { kind: 'ignored', id: undefined, reason: 'not JSON' };
  }
  if (!isRecord(frame)) return { kind: 'ignored', id: undefined, reason: 'not an object' };
  const id = typeof frame.id === 'string' ? frame.id : undefined;
  if (frame.type === 'pong') return { kind: 'pong', id };
  if (frame.type === 'shutdown') return { kind: 'shutdown' };
  if (!isRecord(frame.data)) return { kind: 'ignored', id, reason: 'no data' };
  const data = applyOverrides({ ...frame.data }, frame.headers);
  const eventType = data.eventType;
  if (typeof eventType !== 'string') return { kind: 'ignored', id, reason: 'no eventType' };
  if (frame.type === undefined && READY_EVENTS.has(eventType)) return { kind: 'ready', id };
  return { kind: 'event', id, eventType, data };
}

const READY_EVENTS = new Set(['mercury.buffer_state', 'mercury.registration_status']);

/** `headers: {"data.callId": "x"}` sets `data.callId` (only paths under `data.`, no prototype keys). */
function applyOverrides(data: Record<string, unknown>, headers: unknown): Record<string, unknown> {
  if (!isRecord(headers)) return data;
  for (const [path, value] of Object.entries(headers)) {
    const keys = path.split('.');
    if (keys[0] !== 'data' || keys.length < 2) continue;
    if (keys.some((key) => key === '__proto__' || key === 'constructor' || key === 'prototype')) {
      continue;
    }
    let target = data;
    for (const key of keys.slice(1, -1)) {
      const next = target[key];
      if (!isRecord(next)) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    target[keys.at(-1) as string] = value;
  }
  return data;
}

/** What a close does (§1.3 before open, §1.5 after). */
export type CloseAction =
  | 'reconnect'
  /** 4401: refresh the token, then reconnect. */
  | 'reauthorize'
  /** 1005 before open: the SDK refreshes the WDM device, then reconnects. */
  | 'refreshDevice'
  /** Permanent: stop and report (another client replaced us, bad request, forbidden). */
  | 'stop';

const RECONNECT_REASONS = new Set(['idle', 'done (forced)', 'pong not received', 'pong mismatch']);

interface CloseRow {
  codes: readonly number[];
  when: 'beforeOpen' | 'afterOpen' | 'any';
  action: CloseAction | ((reason: string) => CloseAction);
}

/** First matching row wins; no row -> stop (`offline.permanent`). */
export const CLOSE_POLICY: readonly CloseRow[] = [
  { codes: [4400, 4403], when: 'beforeOpen', action: 'stop' },
  { codes: [4401], when: 'beforeOpen', action: 'reauthorize' },
  { codes: [1005], when: 'beforeOpen', action: 'refreshDevice' },
  { codes: [], when: 'beforeOpen', action: 'reconnect' },
  { codes: [1005], when: 'afterOpen', action: (r) => (r === 'replaced' ? 'stop' : 'reconnect') },
  { codes: [1001, 1006, 1011], when: 'afterOpen', action: 'reconnect' },
  {
    codes: [1000, 3050],
    when: 'afterOpen',
    action: (r) => (RECONNECT_REASONS.has(r) ? 'reconnect' : 'stop'),
  },
  // 4000 = replaced by another connection; 4001 on the active socket = permanent.
  { codes: [4000, 4001], when: 'afterOpen', action: 'stop' },
];

export function closeAction(code: number, reason: string, opened: boolean): CloseAction {
  const phase = opened ? 'afterOpen' : 'beforeOpen';
  const lower = reason.toLowerCase();
  for (const row of CLOSE_POLICY) {
    if (row.when !== 'any' && row.when !== phase) continue;
    // An empty code list in the before-open phase is the "anything else" row.
    if (row.codes.length > 0 && !row.codes.includes(code)) continue;
    return typeof row.action === 'function' ? row.action(lower) : row.action;
  }
  return 'stop';
}

/** `backoff` 2.5.0 ExponentialStrategy(1 s, 32 s): first retry at once, then 1, 2, 4 … 32 s. */
export const BACKOFF = { initialMs: 1_000, maxMs: 32_000, factor: 2 } as const;

export function backoffDelay(attempt: number): number {
  if (attempt <= 0) return 0;
  return Math.min(BACKOFF.initialMs * BACKOFF.factor ** (attempt - 1), BACKOFF.maxMs);
}
