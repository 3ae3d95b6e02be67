/**
 * The broker on Node's http server: each IncomingMessage becomes a web Request (its body
 * streamed, so the handler's size limit applies before anything is buffered) and the Response
 * is written back. Serverless platforms skip this file and call the handler directly.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { clientAddressOf } from './forwarded';
import type { BrokerHandler } from './handler';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Behind reverse proxies, their addresses: rate-limit by the client address they report in
   * X-Forwarded-For (the right-most hop no trusted proxy added) instead of the proxy's own.
   */
  trustProxy?: readonly string[];
}

export interface RunningBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

function clientAddress(req: IncomingMessage, trustedProxies: readonly string[]): string {
  const forwarded = req.headers['x-forwarded-for'];
  return clientAddressOf(
    req.socket.remoteAddress ?? 'unknown',
    Array.isArray(forwarded) ? forwarded.join(',') : forwarded,
    trustedProxies,
  );
}

function toRequest(req: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  // A fixed host: the handler routes on the path only, and a Host header is the client's word.
  return new Request(`http://broker.invalid${req.url ?? '/'}`, {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    // Node's fetch needs this for a streamed body.
    duplex: 'half',
  } as RequestInit);
}

async function write(res: ServerResponse, response: Response, req: IncomingMessage) {
  const body = Buffer.from(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers['content-length'] = String(body.byteLength);
  // The handler stopped reading an oversized body: close instead of draining it.
  if (!req.complete) headers.connection = 'close';
  res.writeHead(response.status, headers);
  res.end(body);
}

export async function serveBroker(
  handler: BrokerHandler,
  options: ServeOptions,
): Promise<RunningBroker> {
  const server: Server = createServer((req, res) => {
    const respond = async () => {
      let response: Response;
      try {
        response = await handler(toRequest(req), {
          address: clientAddress(req, options.trustProxy ?? []),
        });
      } catch {
        response = new Response('{"error":"internal_error"}', { status: 500 });
      }
      await write(res, response, req);
    };
    respond().catch(() => res.destroy());
  });
  // Slow clients may not hold connections open for long (token calls are small and quick).
  server.headersTimeout = 10_000;
  server.requestTimeout = 20_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
