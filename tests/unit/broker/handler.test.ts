import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBroker } from '../../../lib/broker/handler';
import { addressKey } from '../../../lib/broker/rate-limit';
import type { Fetch } from '../../../lib/ports';
import { FakeClock } from '../fakes/clock';
import { bodyForm, json } from '../fakes/fetch';
import { must } from '../fakes/must';
import {
  CLIENT_ID,
  CODE,
  chunked,
  codeFields,
  FORM,
  ORIGIN,
  OTHER_EXTENSION,
  OTHER_ORIGIN,
  post,
  preflight,
  REDIRECT,
  REFRESH,
  refreshFields,
  SECRET,
  setup,
  TOKEN_URL,
  testConfig,
  tokenBody,
  VERIFIER,
} from './support';

afterEach(() => {
  vi.useRealTimers();
});

async function brokerBody(response: Response) {
  expect(response.headers.get('content-type')).toContain('application/json');
  return (await response.json()) as { error: string; error_description: string; source: string };
}

describe('the two grants', () => {
  it('exchanges a code: forwards exactly the grant plus the client credentials', async () => {
    const { upstream, call } = setup();
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    const response = await call(post(codeFields()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(tokenBody);
    expect(upstream.calls).toHaveLength(1);
    const [sent] = upstream.calls;
    expect(sent?.headers['content-type']).toBe(FORM);
    expect(sent?.headers.accept).toBe('application/json');
    expect(Object.fromEntries(bodyForm(must(sent)))).toEqual({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      client_secret: SECRET,
      code: CODE,
      redirect_uri: REDIRECT,
      code_verifier: VERIFIER,
    });
  });

  it('refreshes: forwards exactly the refresh token plus the client credentials', async () => {
    const { upstream, call } = setup();
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    const response = await call(post(refreshFields()));
    expect(response.status).toBe(200);
    expect(Object.fromEntries(bodyForm(must(upstream.calls[0])))).toEqual({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      client_secret: SECRET,
      refresh_token: REFRESH,
    });
  });

  it('answers an allowed origin with CORS headers and never lets the answer be cached', async () => {
    const { upstream, call } = setup();
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    const response = await call(post(refreshFields()));
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After, Trackingid');
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it.each([
    [400, { error: 'invalid_grant', error_description: 'The authorization code expired.' }],
    [401, { error: 'invalid_client', error_description: 'Client secret is invalid.' }],
    [400, { message: 'Bad request', errors: [{ description: 'x' }], trackingId: 'ROUTER_1' }],
  ])('relays Webex error %i with its JSON body byte for byte', async (status, body) => {
    const { upstream, call } = setup();
    // Odd spacing proves the bytes are relayed, not re-serialised.
    const text = JSON.stringify(body, null, 1);
    upstream.on(
      'POST',
      TOKEN_URL,
      new Response(text, {
        status,
        headers: { 'content-type': 'application/json', trackingid: 'ROUTER_42' },
      }),
    );
    const response = await call(post(codeFields()));
    expect(response.status).toBe(status);
    expect(await response.text()).toBe(text);
    expect(response.headers.get('trackingid')).toBe('ROUTER_42');
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('relays a Webex 429 with its Retry-After', async () => {
    const { upstream, call } = setup();
    upstream.on('POST', TOKEN_URL, json(429, { error: 'slow_down' }, { 'retry-after': '17' }));
    const response = await call(post(refreshFields()));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('17');
    expect(await response.json()).toEqual({ error: 'slow_down' });
  });
});

describe('origins and CORS', () => {
  it.each([
    ['another extension', OTHER_ORIGIN],
    ['a web page', 'https://evil.example'],
    ['an opaque origin', 'null'],
    ['the allowed id with a trailing slash', `${ORIGIN}/`],
    ['no Origin header', null],
  ])('refuses %s with 403, no CORS headers, and nothing forwarded', async (_name, origin) => {
    const { upstream, call } = setup();
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    const response = await call(post(codeFields(), { origin }));
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
    expect(await brokerBody(response)).toMatchObject({
      error: 'origin_not_allowed',
      source: 'broker',
    });
    expect(upstream.calls).toHaveLength(0);
  });

  it('answers the preflight of an allowed origin', async () => {
    const { call, upstream } = setup();
    const response = await call(preflight(ORIGIN));
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': ORIGIN,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Content-Type, Accept',
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    expect(response.headers.get('access-control-allow-private-network')).toBeNull();
    expect(upstream.calls).toHaveLength(0);
  });

  it("answers Chrome's Private Network Access preflight", async () => {
    const { call } = setup();
    const response = await call(
      preflight(ORIGIN, { 'access-control-request-private-network': 'true' }),
    );
    expect(response.headers.get('access-control-allow-private-network')).toBe('true');
  });

  it('refuses the preflight of any other origin without CORS headers', async () => {
    const { call } = setup();
    for (const origin of [OTHER_ORIGIN, 'https://evil.example', null]) {
      const response = await call(preflight(origin));
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(response.headers.get('access-control-allow-methods')).toBeNull();
    }
  });
});

describe('paths and methods', () => {
  it('answers 404 on any other path and 405 with Allow on another method', async () => {
    const { call, upstream } = setup();
    const other = await call(post(codeFields(), { path: '/v1/access_token' }));
    expect(other.status).toBe(404);
    expect((await brokerBody(other)).error).toBe('not_found');
    const get = await call(
      new Request('https://broker.test/token', { headers: { origin: ORIGIN } }),
    );
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    expect(upstream.calls).toHaveLength(0);
  });
});

describe('input validation', () => {
  it.each([
    ['no grant_type', { code: CODE }, 'invalid_request', 'grant_type is missing.'],
    [
      'a grant the broker does not do',
      { grant_type: 'client_credentials' },
      'unsupported_grant_type',
      'grant_type must be authorization_code or refresh_token.',
    ],
    [
      'a client_id',
      codeFields({ client_id: 'Cattacker123' }),
      'invalid_request',
      'client_id must not be sent: the broker adds the client credentials itself.',
    ],
    [
      'a client_secret',
      refreshFields({ client_secret: 'mine' }),
      'invalid_request',
      'client_secret must not be sent: the broker adds the client credentials itself.',
    ],
    [
      'an extra field',
      refreshFields({ scope: 'spark:all' }),
      'invalid_request',
      '"scope" is not accepted; send only grant_type, refresh_token.',
    ],
    [
      'a code field on a refresh',
      refreshFields({ code: CODE }),
      'invalid_request',
      '"code" is not accepted; send only grant_type, refresh_token.',
    ],
    [
      'no code',
      { grant_type: 'authorization_code', code_verifier: VERIFIER, redirect_uri: REDIRECT },
      'invalid_request',
      'code is missing.',
    ],
    ['an empty code', codeFields({ code: '' }), 'invalid_request', 'code is missing.'],
    [
      'a code with a space',
      codeFields({ code: 'two words' }),
      'invalid_request',
      'code is not an authorization code.',
    ],
    [
      'no code_verifier',
      { grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT },
      'invalid_request',
      'code_verifier is missing.',
    ],
    [
      'a short code_verifier',
      codeFields({ code_verifier: 'short' }),
      'invalid_request',
      'code_verifier must be 43-128 characters from A-Z a-z 0-9 - . _ ~.',
    ],
    [
      'a code_verifier with a bad character',
      codeFields({ code_verifier: `${'a'.repeat(43)}+` }),
      'invalid_request',
      'code_verifier must be 43-128 characters from A-Z a-z 0-9 - . _ ~.',
    ],
    [
      'no redirect_uri',
      { grant_type: 'authorization_code', code: CODE, code_verifier: VERIFIER },
      'invalid_request',
      'redirect_uri is missing.',
    ],
    [
      "another extension's redirect_uri",
      codeFields({ redirect_uri: `https://${OTHER_EXTENSION}.chromiumapp.org/` }),
      'invalid_request',
      'redirect_uri is not one this broker accepts.',
    ],
    [
      'a redirect_uri with an extra path',
      codeFields({ redirect_uri: `${REDIRECT}cb` }),
      'invalid_request',
      'redirect_uri is not one this broker accepts.',
    ],
    [
      'no refresh_token',
      { grant_type: 'refresh_token' },
      'invalid_request',
      'refresh_token is missing.',
    ],
    [
      'a refresh_token with a newline',
      refreshFields({ refresh_token: 'a\nb' }),
      'invalid_request',
      'refresh_token is not a token.',
    ],
  ])('refuses %s with a clear 400', async (_name, fields, error, description) => {
    const { call, upstream } = setup();
    const response = await call(post(fields));
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await brokerBody(response)).toEqual({
      error,
      error_description: description,
      source: 'broker',
    });
    expect(upstream.calls).toHaveLength(0);
  });

  it('refuses a field given twice', async () => {
    const { call } = setup();
    const text = `${new URLSearchParams(refreshFields())}&refresh_token=other`;
    const response = await call(post(text));
    expect(response.status).toBe(400);
    expect((await brokerBody(response)).error_description).toBe(
      '"refresh_token" is given more than once.',
    );
  });

  it('keeps an attacker-chosen field name short in the message', async () => {
    const { call } = setup();
    const response = await call(
      post(`${new URLSearchParams(refreshFields())}&${'x'.repeat(500)}=1`),
    );
    const { error_description } = await brokerBody(response);
    expect(error_description.length).toBeLessThan(100);
  });

  it('refuses a JSON body with 415', async () => {
    const { call, upstream } = setup();
    const response = await call(
      post(JSON.stringify(refreshFields()), { contentType: 'application/json' }),
    );
    expect(response.status).toBe(415);
    expect((await brokerBody(response)).error).toBe('unsupported_media_type');
    expect(upstream.calls).toHaveLength(0);
  });

  it('accepts a form content type with a charset parameter', async () => {
    const { call, upstream } = setup();
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    const response = await call(post(refreshFields(), { contentType: `${FORM}; charset=UTF-8` }));
    expect(response.status).toBe(200);
  });

  it('refuses a body that is not UTF-8', async () => {
    const { call } = setup();
    const bytes = new Uint8Array([0x67, 0x72, 0xff, 0xfe]);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    const response = await call(post(stream));
    expect(response.status).toBe(400);
    expect((await brokerBody(response)).error_description).toBe('The request body is not UTF-8.');
  });
});

describe('size limits', () => {
  it('refuses a declared Content-Length over the limit before reading', async () => {
    const { call, upstream } = setup({ maxBodyBytes: 200 });
    const response = await call(post(refreshFields(), { headers: { 'content-length': '201' } }));
    expect(response.status).toBe(413);
    expect(await brokerBody(response)).toMatchObject({
      error: 'request_too_large',
      error_description: 'The request body may be at most 200 bytes.',
    });
    expect(upstream.calls).toHaveLength(0);
  });

  it('refuses a streamed body that grows past the limit', async () => {
    const { call } = setup({ maxBodyBytes: 200 });
    const response = await call(post(chunked('grant_type=refresh_token&', 'x'.repeat(300))));
    expect(response.status).toBe(413);
  });

  it('accepts a body exactly at the limit, and not one byte more', async () => {
    const text = new URLSearchParams(refreshFields()).toString();
    const exact = setup({ maxBodyBytes: text.length });
    exact.upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    expect((await exact.call(post(text))).status).toBe(200);
    const smaller = setup({ maxBodyBytes: text.length - 1 });
    expect((await smaller.call(post(text))).status).toBe(413);
  });
});

describe('rate limits', () => {
  it('limits one address, tells it when to come back, and forgets after the window', async () => {
    const { call, clock, upstream } = setup({ perAddress: 3, windowMs: 60_000 });
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    for (let i = 0; i < 3; i++) expect((await call(post(refreshFields()))).status).toBe(200);
    clock.tick(20_000);
    const limited = await call(post(refreshFields()));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('40');
    expect(limited.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await brokerBody(limited)).toMatchObject({ error: 'rate_limited', source: 'broker' });
    // Another address is not affected.
    expect((await call(post(refreshFields()), '203.0.113.9')).status).toBe(200);
    clock.tick(40_000);
    expect((await call(post(refreshFields()))).status).toBe(200);
    expect(upstream.calls).toHaveLength(5);
  });

  it('does not count refused origins: a web page cannot lock the extension out of its address', async () => {
    const { call, upstream } = setup({ perAddress: 2 });
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    for (let i = 0; i < 20; i += 1) {
      expect((await call(post(refreshFields(), { origin: OTHER_ORIGIN }))).status).toBe(403);
    }
    // The old broker counted the 20 refusals first: the extension's own refresh got 429.
    expect((await call(post(refreshFields()))).status).toBe(200);
    expect(upstream.calls).toHaveLength(1);
  });

  it("does not count junk it refuses itself against the extension's shared budget", async () => {
    const { call, upstream } = setup({ perOrigin: 2, perAddress: 100 });
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    for (let i = 0; i < 10; i += 1) {
      const junk = post('x', { contentType: 'text/plain' });
      expect((await call(junk, `192.0.2.${i}`)).status).toBe(415);
    }
    expect((await call(post(refreshFields()), '198.51.100.1')).status).toBe(200);
  });

  it('counts IPv6 addresses per /64 (and IPv4-mapped ones as IPv4)', async () => {
    const { call, upstream } = setup({ perAddress: 2, perOrigin: 100 });
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    expect((await call(post(refreshFields()), '2001:db8:1:2::1')).status).toBe(200);
    expect((await call(post(refreshFields()), '2001:db8:1:2:ffff::9')).status).toBe(200);
    expect((await call(post(refreshFields()), '2001:db8:1:2:aaaa:bbbb:cccc:dddd')).status).toBe(
      429,
    );
    expect((await call(post(refreshFields()), '2001:db8:1:3::1')).status).toBe(200);
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('limits one extension origin across addresses', async () => {
    const { call, upstream } = setup({ perOrigin: 2, perAddress: 100 });
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    expect((await call(post(refreshFields()), '192.0.2.1')).status).toBe(200);
    expect((await call(post(refreshFields()), '192.0.2.2')).status).toBe(200);
    const limited = await call(post(refreshFields()), '192.0.2.3');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect((await brokerBody(limited)).error_description).toBe(
      'Too many requests from this extension.',
    );
  });

  it('does not count preflights', async () => {
    const { call, upstream } = setup({ perAddress: 1 });
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    for (let i = 0; i < 5; i++) expect((await call(preflight(ORIGIN))).status).toBe(204);
    expect((await call(post(refreshFields()))).status).toBe(200);
  });
});

describe('when Webex does not answer properly', () => {
  it('answers 502 when the token endpoint cannot be reached', async () => {
    const { call, upstream } = setup();
    upstream.on('POST', TOKEN_URL, 'network');
    const response = await call(post(refreshFields()));
    expect(response.status).toBe(502);
    expect(await brokerBody(response)).toMatchObject({ error: 'upstream_unavailable' });
  });

  it('answers 504 when the token endpoint does not answer in time', async () => {
    vi.useFakeTimers();
    // Like a real fetch: it waits until the abort signal ends it.
    const hangingFetch: Fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        );
      });
    const handle = createBroker(testConfig({ upstreamTimeoutMs: 5000 }), {
      fetch: hangingFetch,
      clock: new FakeClock(),
    });
    const answer = handle(post(refreshFields()), { address: '192.0.2.1' });
    await vi.advanceTimersByTimeAsync(4999);
    let settled = false;
    void answer.then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const response = await answer;
    expect(response.status).toBe(504);
    expect(await brokerBody(response)).toMatchObject({ error: 'upstream_timeout' });
  });

  it('keeps the status and Retry-After of an answer that is not JSON', async () => {
    const { call, upstream } = setup();
    upstream.on(
      'POST',
      TOKEN_URL,
      new Response('<html>busy</html>', {
        status: 503,
        headers: { 'content-type': 'text/html', 'retry-after': '30' },
      }),
    );
    const response = await call(post(refreshFields()));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('30');
    expect(await brokerBody(response)).toEqual({
      error: 'upstream_invalid',
      error_description: 'The Webex token endpoint answered HTTP 503 without a JSON body.',
      source: 'broker',
    });
  });

  it('never follows a redirect (the secret would go with it)', async () => {
    const { call, upstream } = setup();
    upstream.on('POST', TOKEN_URL, (request) => {
      expect(request).toBeDefined();
      return new Response(null, { status: 307, headers: { location: 'https://elsewhere.test/' } });
    });
    const response = await call(post(refreshFields()));
    expect(response.status).toBe(502);
    expect(upstream.calls).toHaveLength(1);
  });

  it('refuses to relay an answer past the size limit', async () => {
    const { call, upstream } = setup({ maxUpstreamBodyBytes: 100 });
    upstream.on('POST', TOKEN_URL, json(200, { ...tokenBody, padding: 'x'.repeat(200) }));
    const response = await call(post(refreshFields()));
    expect(response.status).toBe(502);
    expect((await brokerBody(response)).error).toBe('upstream_invalid');
  });

  it('answers 500 (and stays up) when something unexpected breaks', async () => {
    const { call, upstream } = setup();
    // Not a Response at all: reading its headers throws inside the handler.
    upstream.on('POST', TOKEN_URL, () => ({ status: 200, body: null }) as unknown as Response);
    const response = await call(post(refreshFields()));
    expect(response.status).toBe(500);
    expect(await brokerBody(response)).toMatchObject({ error: 'internal_error' });
    upstream.clearOverrides();
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    expect((await call(post(refreshFields()))).status).toBe(200);
  });
});
