import type { IncomingMessage, ServerResponse } from 'node:http';
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

/**
 * Turns each HTTP request into a handler call: CORS, tracking id, bounded body, routing, fault
 * injection, the request log, and a 500 instead of a crash when a handler throws.
 */
export class Dispatcher {
  private readonly waits = new Set<() => void>();

  constructor(
    private readonly state: EmulatorState,
    private readonly routes: readonly Route[],
    private readonly log: (line: string) => void,
  ) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse, server: ServerName): void => {
    this.serve(req, res, server).catch((err: unknown) => {
      this.log(`emulator: internal error on ${req.method} ${req.url}: ${String(err)}`);
      if (!res.headersSent && !res.destroyed) {
        const body = JSON.stringify(
          restErrorBody(500, 'Internal emulator error.', newTrackingId()),
        );
        res.writeHead(500, { 'Content-Type': 'application/json;charset=UTF-8' });
        res.end(body);
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
    const receivedAt = this.state.now();
    const method = req.method ?? 'GET';
    const requested = single(req.headers.trackingid);
    const trackingId = requested && SANE_TRACKING_ID.test(requested) ? requested : newTrackingId();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const base = { ...corsHeaders(req.headers), trackingid: trackingId };

    if (method === 'OPTIONS') {
      res.writeHead(204, { ...preflightHeaders(req.headers), trackingid: trackingId });
      res.end();
      return;
    }

    const reasons: string[] = [];
    const ctx: RequestContext = {
      server,
      method,
      url,
      headers: req.headers,
      body: Buffer.alloc(0),
      trackingId,
      remoteAddress: req.socket.remoteAddress ?? '',
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
    const send = (reply: Reply) => write(res, reply, base);

    try {
      ctx.body = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) {
        req.socket.destroy();
        return;
      }
      reasons.push('request body larger than 1 MiB');
      const reply = jsonFrom(413, restErrorBody(413, 'Body too large.', trackingId));
      record(413);
      send({ ...reply, headers: { Connection: 'close' } });
      return;
    }

    const match = matchRoute(this.routes, server, method, url.pathname);
    if (!match.found) {
      if (url.pathname === '/favicon.ico') return send({ status: 204 });
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
      send(reply);
      return;
    }
    const { route } = match;
    ctx.params = match.params;
    if (route.kind === 'api' && !route.browserPage && req.headers.cookie !== undefined) {
      // Webex APIs authenticate with the bearer token alone; a cookie means the client leaks
      // the browser's cookies for that host to the API (credentials: 'omit' prevents it).
      reasons.push('Cookie header sent to an API endpoint');
    }
    if (route.kind !== 'api') {
      send(await route.handle(ctx));
      return;
    }

    const fault = route.endpoint ? this.state.faults.take(route.endpoint, server) : undefined;
    if (fault?.delayMs) await this.sleep(fault.delayMs);
    if (res.destroyed) return;
    if (fault?.reset) {
      record(0, fault);
      req.socket.destroy();
      return;
    }
    let reply: Reply;
    if (fault && fault.status !== undefined) {
      reply = faultReply(fault, trackingId);
      route.onFaultAnswer?.(ctx, fault.status);
    } else {
      reply = await route.handle(ctx);
      if (fault?.malform) reply = malformed(reply, fault.malform);
    }
    record(reply.status, fault);
    if (fault?.stall) {
      writeStalled(res, reply, base, fault.stallAfterBytes ?? 0);
      this.state.stalls.hold(res);
      return;
    }
    send(reply);
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

function write(res: ServerResponse, reply: Reply, base: Record<string, string>): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...base, ...(reply.headers ?? {}) };
  const noBody = reply.status === 204 || reply.status === 304;
  if (!noBody && reply.body !== undefined) {
    headers['Content-Type'] = reply.contentType ?? 'application/octet-stream';
    headers['Content-Length'] = String(Buffer.byteLength(reply.body));
    res.writeHead(reply.status, headers);
    res.end(reply.body);
  } else {
    if (!noBody) headers['Content-Length'] = '0';
    res.writeHead(reply.status, headers);
    res.end();
  }
}

/**
 * Status line, headers and the first `bytes` of the body, and then nothing: no Content-Length,
 * so the body is chunked and its end never comes (the same for a reply that has no body).
 */
function writeStalled(
  res: ServerResponse,
  reply: Reply,
  base: Record<string, string>,
  bytes: number,
): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...base, ...(reply.headers ?? {}) };
  if (reply.body !== undefined) {
    headers['Content-Type'] = reply.contentType ?? 'application/octet-stream';
  }
  res.writeHead(reply.status, headers);
  res.flushHeaders();
  const first = Buffer.from(reply.body ?? '').subarray(0, bytes);
  if (first.length > 0) res.write(first);
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
