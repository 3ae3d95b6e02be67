import type { IncomingHttpHeaders } from 'node:http';
import type { ServerName } from './types';

/** What a handler returns; the dispatcher adds CORS and tracking headers and writes it. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
}

/** One request as handlers see it. The body is read up front (bounded). */
export interface RequestContext {
  server: ServerName;
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  trackingId: string;
  remoteAddress: string;
  /** Emulator time when the request arrived (before any injected delay). */
  receivedAt: number;
  /** Captures of the matched route pattern. */
  params: string[];
  now(): number;
  /** Records that this request strays from the references. */
  deviate(reason: string): void;
  /** An injected stall: the client never gets the whole answer, so it is not told anything. */
  answerStalls?: boolean;
}

export function jsonReply(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return {
    status,
    body: JSON.stringify(value),
    contentType: 'application/json;charset=UTF-8',
    ...(headers ? { headers } : {}),
  };
}

export function htmlReply(status: number, markup: string): Reply {
  return { status, body: markup, contentType: 'text/html;charset=UTF-8' };
}

export function emptyReply(status: number, headers?: Record<string, string>): Reply {
  return { status, ...(headers ? { headers } : {}) };
}

export function redirectReply(location: string): Reply {
  return { status: 302, headers: { Location: location, 'Cache-Control': 'no-store' } };
}

/** First value of a request header (Node lower-cases names). */
export function header(ctx: Pick<RequestContext, 'headers'>, name: string): string | undefined {
  const value = ctx.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Media type without parameters, lower-cased ('' when absent). */
export function mediaType(ctx: Pick<RequestContext, 'headers'>): string {
  return (header(ctx, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parseJsonBody(ctx: RequestContext): Parsed<unknown> {
  if (mediaType(ctx) !== 'application/json') {
    return { ok: false, problem: `Content-Type must be application/json, got "${mediaType(ctx)}"` };
  }
  try {
    return { ok: true, value: JSON.parse(ctx.body.toString('utf8')) };
  } catch {
    return { ok: false, problem: 'body is not valid JSON' };
  }
}

/** Form bodies; a parameter given twice is an error (RFC 6749 §3.1). */
export function parseFormBody(ctx: RequestContext): Parsed<Map<string, string>> {
  if (mediaType(ctx) !== 'application/x-www-form-urlencoded') {
    return {
      ok: false,
      problem: `Content-Type must be application/x-www-form-urlencoded, got "${mediaType(ctx)}"`,
    };
  }
  const params = new URLSearchParams(ctx.body.toString('utf8'));
  const map = new Map<string, string>();
  for (const [key, value] of params) {
    if (map.has(key)) return { ok: false, problem: `parameter ${key} given more than once` };
    map.set(key, value);
  }
  return { ok: true, value: map };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
