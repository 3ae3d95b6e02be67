import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { corsHeaders, preflightHeaders } from './cors';
import { restErrorBody } from './errors';
import { describeFault, type Fault } from './faults';
import type { Reply, RequestContext } from './http';
import { newTrackingId } from './ids';
import { malformed } from './malform';
import { redactedPath } from './request-log';
import { matchRoute, type Route } from './router';
import type { EmulatorState } from './state';
import type { ServerName } from './types';

const MAX_BODY_BYTES = 1024 * 1024;
const SANE_TRACKING_ID = /^[\x21-\x7e]{1,200}$/;

class BodyTooLarge extends Error {}

/** One request, whatever carried it (a socket, or an in-process fetch). */
export interface IncomingRequest {
  server: ServerName;
  method: string;
  /** Path and query, as on the request line. */
  target: string;
  headers: IncomingHttpHeaders;
  /** The body, or TOO_LARGE when it passed MAX_BODY_BYTES. */
  body: Buffer | typeof TOO_LARGE;
  remoteAddress: string;
  /** True once the client is gone (its connection closed): the answer is dropped. */
  gone(): boolean;
}

export const TOO_LARGE = Symbol('request body larger than 1 MiB');

/**
 * What to do with a request: answer it (`headers` are the reply's full headers), cut the
 * connection, answer the status line and headers and then stall the body after `afterBytes`
 * bytes, or nothing (the client left while an injected delay ran).
 */
export type Outcome =
  | { kind: 'answer'; reply: Reply; headers: Record<string, string> }
  | { kind: 'reset' }
  | { kind: 'stall'; reply: Reply; headers: Record<string, string>; afterBytes: number }
  | { kind: 'gone' };

/**
 * The transport-independent emulator: CORS, tracking id, routing, fault injection (delay,
 * reset, stall, malform), the request log with its deviations, and a 500 instead of a crash
 * when a handler throws. The HTTP listeners (`handle`) and the in-process fetch
 * (in-process.ts) both answer through `answer`.
 */
export class Dispatcher {
  private readonly waits = new Set<() => void>();

  constructor(
    private readonly state: EmulatorState,
    private readonly routes: readonly Route[],
    private readonly log: (line: string) => void,
  ) {}

  /** The HTTP side: reads the body, answers through `answer`, writes the outcome. */
  readonly handle = (req: IncomingMessage, res: ServerResponse, server: ServerName): void => {
    this.serve(req, res, server).catch((err: unknown) => {
      this.log(`emulator: internal error on ${req.method} ${req.url}: ${String(err)}`);
      if (!res.headersSent && !res.destroyed) {
        const reply = internalError();
        res.writeHead(reply.status, { 'Content-Type': reply.contentType ?? '' });
        res.end(reply.body);
      } else {
        res.destroy();
      }
    });
  };

  /** Ends pending fault delays and stalled responses (on close). */
  dispose(): void {
    for (const wake of this.waits) wake();
    this.waits.clear();
    this.state.stalls.releaseAll();
  }

  private async serve(req: IncomingMessage, res: ServerResponse, server: ServerName) {
    let body: Buffer | typeof TOO_LARGE;
    try {
      body = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) {
        req.socket.destroy();
        return;
      }
      body = TOO_LARGE;
    }
    const outcome = await this.answer({
      server,
      method: req.method ?? 'GET',
      target: req.url ?? '/',
      headers: req.headers,
      body,
      remoteAddress: req.socket.remoteAddress ?? '',
      gone: () => res.destroyed,
    });
    switch (outcome.kind) {
      case 'answer':
        return write(res, outcome.reply, outcome.headers);
      case 'reset':
        req.socket.destroy();
        return;
      case 'stall':
        writeStalled(res, outcome.reply, outcome.headers, outcome.afterBytes);
        res.on('close', this.state.stalls.hold(res));
        return;
      case 'gone':
        return;
    }
  }

  /** Answers one request (a handler that throws: a logged 500). */
  async answer(request: IncomingRequest): Promise<Outcome> {
    try {
      return await this.route(request);
    } catch (err) {
      this.log(`emulator: internal error on ${request.method} ${request.target}: ${String(err)}`);
      return { kind: 'answer', reply: internalError(), headers: {} };
    }
  }

  private async route(request: IncomingRequest): Promise<Outcome> {
    const { server, method } = request;
    const receivedAt = this.state.now();
    const requested = single(request.headers.trackingid);
    const trackingId = requested && SANE_TRACKING_ID.test(requested) ? requested : newTrackingId();
    const url = new URL(request.target, 'http://emulator.invalid');
    const base = { ...corsHeaders(request.headers), trackingid: trackingId };
    const answer = (reply: Reply): Outcome => ({
      kind: 'answer',
      reply,
      headers: { ...base, ...(reply.headers ?? {}) },
    });

    if (method === 'OPTIONS') {
      return answer({ status: 204, headers: preflightHeaders(request.headers) });
    }

    const reasons: string[] = [];
    const ctx: RequestContext = {
      server,
      method,
      url,
      headers: request.headers,
      body: Buffer.alloc(0),
      trackingId,
      remoteAddress: request.remoteAddress,
      receivedAt,
      params: [],
      now: () => this.state.now(),
      deviate: (reason) => reasons.push(reason),
    };
    const record = (status: number, fault?: Fault) => {
      const entry = this.state.log.record(
        {
          at: this.state.now(),
          receivedAt,
          method,
          path: redactedPath(url),
          status,
          server,
          trackingId,
          ...(fault ? { fault: describeFault(fault) } : {}),
        },
        reasons,
      );
      const notes = [
        entry.deviation && `deviation: ${entry.deviation}`,
        entry.fault && `fault ${entry.fault}`,
      ];
      const suffix = notes
        .filter(Boolean)
        .map((n) => ` [${n}]`)
        .join('');
      this.log(`${server} ${method} ${entry.path} -> ${status || 'reset'}${suffix}`);
    };

    if (request.body === TOO_LARGE) {
      reasons.push('request body larger than 1 MiB');
      const reply = jsonFrom(413, restErrorBody(413, 'Body too large.', trackingId));
      record(413);
      return answer({ ...reply, headers: { Connection: 'close' } });
    }
    ctx.body = request.body;

    const match = matchRoute(this.routes, server, method, url.pathname);
    if (!match.found) {
      if (url.pathname === '/favicon.ico') return answer({ status: 204 });
      let reply: Reply;
      if (match.allowedMethods.length) {
        reasons.push(`method ${method} not allowed (allowed: ${match.allowedMethods.join(', ')})`);
        reply = jsonFrom(
          405,
          restErrorBody(405, `Use ${match.allowedMethods.join(' or ')}.`, trackingId),
        );
        reply.headers = { Allow: match.allowedMethods.join(', ') };
      } else {
        reasons.push(`unknown path on the ${server} listener`);
        reply = jsonFrom(404, restErrorBody(404, 'No such resource.', trackingId));
      }
      record(reply.status);
      return answer(reply);
    }
    const { route } = match;
    ctx.params = match.params;
    if (route.kind === 'api' && !route.browserPage && request.headers.cookie !== undefined) {
      // Webex APIs authenticate with the bearer token alone; a cookie means the client leaks
      // the browser's cookies for that host to the API (credentials: 'omit' prevents it).
      reasons.push('Cookie header sent to an API endpoint');
    }
    if (route.kind !== 'api') return answer(await route.handle(ctx));

    const fault = route.endpoint ? this.state.faults.take(route.endpoint, server) : undefined;
    if (fault?.delayMs) await this.sleep(fault.delayMs);
    if (request.gone()) return { kind: 'gone' };
    if (fault?.reset) {
      record(0, fault);
      return { kind: 'reset' };
    }
    let reply: Reply;
    if (fault && fault.status !== undefined) {
      reply = faultReply(fault, trackingId);
      route.onFaultAnswer?.(ctx, fault.status);
    } else {
      if (fault?.stall) ctx.answerStalls = true;
      reply = await route.handle(ctx);
      if (fault?.malform) reply = malformed(reply, fault.malform);
    }
    record(reply.status, fault);
    if (fault?.stall) {
      const headers = { ...base, ...(reply.headers ?? {}) };
      return { kind: 'stall', reply, headers, afterBytes: fault.stallAfterBytes ?? 0 };
    }
    return answer(reply);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waits.add(wake);
    });
  }
}

function internalError(): Reply {
  return jsonFrom(500, restErrorBody(500, 'Internal emulator error.', newTrackingId()));
}

function faultReply(fault: Fault, trackingId: string): Reply {
  const status = fault.status ?? 500;
  const headers: Record<string, string> = { ...(fault.headers ?? {}) };
  if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
  let reply: Reply;
  if (typeof fault.body === 'string') {
    reply = { status, body: fault.body, contentType: 'text/plain;charset=UTF-8' };
  } else if (fault.body !== undefined) {
    reply = jsonFrom(status, fault.body);
  } else if (status >= 400) {
    reply = jsonFrom(status, restErrorBody(status, 'Injected fault.', trackingId));
  } else {
    reply = { status };
  }
  return { ...reply, headers };
}

function jsonFrom(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value), contentType: 'application/json;charset=UTF-8' };
}

/** No body for these statuses, whatever the reply carries. */
export const isBodyless = (status: number) => status === 204 || status === 304;

/** The reply's headers with its body's Content-Type and Content-Length. */
export function bodyHeaders(reply: Reply, headers: Record<string, string>): Record<string, string> {
  const all = { ...headers };
  if (isBodyless(reply.status)) return all;
  if (reply.body !== undefined) {
    all['Content-Type'] = reply.contentType ?? 'application/octet-stream';
    all['Content-Length'] = String(Buffer.byteLength(reply.body));
  } else all['Content-Length'] = '0';
  return all;
}

function write(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(reply.status, bodyHeaders(reply, headers));
  if (!isBodyless(reply.status) && reply.body !== undefined) res.end(reply.body);
  else res.end();
}

/**
 * Status line, headers and the first `bytes` of the body, and then nothing: no Content-Length,
 * so the body is chunked and its end never comes (the same for a reply that has no body).
 */
function writeStalled(
  res: ServerResponse,
  reply: Reply,
  headers: Record<string, string>,
  bytes: number,
): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(reply.status, stalledHeaders(reply, headers));
  res.flushHeaders();
  const first = stalledPrefix(reply, bytes);
  if (first.length > 0) res.write(first);
}

/** A stalled reply's headers: its Content-Type, no Content-Length (the end never comes). */
export function stalledHeaders(reply: Reply, headers: Record<string, string>) {
  return reply.body === undefined
    ? { ...headers }
    : { ...headers, 'Content-Type': reply.contentType ?? 'application/octet-stream' };
}

/** The part of a stalled reply's body that is sent. */
export function stalledPrefix(reply: Reply, bytes: number): Buffer {
  return Buffer.from(reply.body ?? '').subarray(0, bytes);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
  });
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
