/** The node:http adapter over real HTTP, with a fake Webex token endpoint behind it. */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type BrokerLogEntry, createBroker } from '../../../lib/broker/handler';
import { type RunningBroker, serveBroker } from '../../../lib/broker/node';
import { FakeClock } from '../fakes/clock';
import { json, ScriptedFetch } from '../fakes/fetch';
import { FORM, ORIGIN, refreshFields, TOKEN_URL, testConfig, tokenBody } from './support';

let running: RunningBroker | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(trustProxy: string[] = []) {
  const upstream = new ScriptedFetch();
  upstream.on('POST', TOKEN_URL, json(200, tokenBody));
  const logs: BrokerLogEntry[] = [];
  const handler = createBroker(testConfig({ maxBodyBytes: 1024 }), {
    fetch: upstream.fetch,
    clock: new FakeClock(),
    log: (entry) => logs.push(entry),
  });
  running = await serveBroker(handler, { host: '127.0.0.1', port: 0, trustProxy });
  return { upstream, logs, url: `${running.url}/token`, port: running.port };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** A raw request that streams `size` bytes of body without a Content-Length. */
function streamedPost(
  port: number,
  size: number,
): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/token',
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': FORM, 'transfer-encoding': 'chunked' },
      },
      (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, connection: res.headers.connection });
      },
    );
    // The server may close while the rest is still being written.
    req.on('error', reject);
    req.write(`${form(refreshFields())}&pad=`);
    let sent = 0;
    const chunk = 'x'.repeat(1024);
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('the broker on node:http', () => {
  it('relays a token call over real HTTP', async () => {
    const { url, upstream } = await start();
    const response = await fetch(url, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': FORM },
      body: form(refreshFields()),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(tokenBody);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(upstream.calls).toHaveLength(1);
  });

  it('answers 413 to an oversized streamed body, closes that connection, and stays up', async () => {
    const { url, port, upstream } = await start();
    const answer = await streamedPost(port, 64 * 1024);
    expect(answer).toEqual({ status: 413, connection: 'close' });
    const next = await fetch(url, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': FORM },
      body: form(refreshFields()),
    });
    expect(next.status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
  });

  it('rate-limits by the socket address, or by the proxy-reported one when told to trust it', async () => {
    const direct = await start();
    await fetch(direct.url, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': FORM, 'x-forwarded-for': '203.0.113.5' },
      body: form(refreshFields()),
    });
    expect(direct.logs[0]?.address).toBe('127.0.0.1');
    await running?.close();

    const proxied = await start(['127.0.0.1']);
    await fetch(proxied.url, {
      method: 'POST',
      headers: {
        origin: ORIGIN,
        'content-type': FORM,
        'x-forwarded-for': '198.51.100.1, 203.0.113.5',
      },
      body: form(refreshFields()),
    });
    // The last hop is the one the trusted proxy added; earlier ones are the client's word.
    expect(proxied.logs[0]?.address).toBe('203.0.113.5');
  });

  it('routes on the path only, whatever Host the client claims', async () => {
    const { port, logs } = await start();
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/token',
          method: 'OPTIONS',
          headers: { host: 'evil.example', origin: ORIGIN },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(204);
    expect(logs[0]?.path).toBe('/token');
  });
});
