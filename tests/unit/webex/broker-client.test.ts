import { describe, expect, it } from 'vitest';
import { createBroker } from '../../../lib/broker/handler';
import type { Fetch } from '../../../lib/ports';
import {
  checkBrokerUrl,
  exchangeCodeViaBroker,
  refreshViaBroker,
} from '../../../lib/webex/broker-client';
import { oauthErrorCode } from '../../../lib/webex/oauth';
import {
  CLIENT_ID,
  CODE,
  ORIGIN,
  OTHER_ORIGIN,
  REDIRECT,
  REFRESH,
  SECRET,
  TOKEN_URL,
  testConfig,
  tokenBody,
  VERIFIER,
} from '../broker/support';
import { FakeClock } from '../fakes/clock';
import { bodyForm, json, ScriptedFetch } from '../fakes/fetch';
import { must } from '../fakes/must';

const BROKER_URL = 'https://broker.example.com/token';

const brokerError = (status: number, error: string, description: string, headers = {}) =>
  json(status, { error, error_description: description, source: 'broker' }, headers);

describe('exchangeCodeViaBroker', () => {
  it('sends the code, verifier and redirect URI, and no client credentials', async () => {
    const http = new ScriptedFetch();
    http.on('POST', BROKER_URL, json(200, tokenBody));
    const outcome = await exchangeCodeViaBroker(http.fetch, BROKER_URL, {
      code: CODE,
      codeVerifier: VERIFIER,
      redirectUri: REDIRECT,
    });
    expect(outcome).toMatchObject({
      ok: true,
      status: 200,
      value: {
        accessToken: tokenBody.access_token,
        expiresIn: 1209599,
        refreshToken: REFRESH,
        refreshTokenExpiresIn: 7775999,
        tokenType: 'Bearer',
      },
    });
    const call = must(http.calls[0]);
    expect(call.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call.headers.accept).toBe('application/json');
    expect(Object.fromEntries(bodyForm(call))).toEqual({
      grant_type: 'authorization_code',
      code: CODE,
      code_verifier: VERIFIER,
      redirect_uri: REDIRECT,
    });
  });

  it('keeps a Webex refusal relayed by the broker an http failure the caller reads as Webex', async () => {
    const http = new ScriptedFetch();
    http.on(
      'POST',
      BROKER_URL,
      json(400, { error: 'invalid_grant', error_description: 'The authorization code expired.' }),
    );
    const outcome = await exchangeCodeViaBroker(http.fetch, BROKER_URL, {
      code: CODE,
      codeVerifier: VERIFIER,
      redirectUri: REDIRECT,
    });
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error).toMatchObject({
      kind: 'http',
      status: 400,
      message:
        'Token exchange through the token broker failed with HTTP 400: The authorization code expired.',
    });
    expect(outcome.error.kind === 'http' && oauthErrorCode(outcome.error.body)).toBe(
      'invalid_grant',
    );
  });
});

describe('refreshViaBroker', () => {
  it('sends only the refresh token and accepts an answer without a new one', async () => {
    const http = new ScriptedFetch();
    http.on('POST', BROKER_URL, json(200, { access_token: 'a2', expires_in: 60 }));
    const outcome = await refreshViaBroker(http.fetch, BROKER_URL, { refreshToken: REFRESH });
    expect(outcome).toMatchObject({
      ok: true,
      value: { accessToken: 'a2', expiresIn: 60, refreshToken: undefined, tokenType: 'Bearer' },
    });
    expect(Object.fromEntries(bodyForm(must(http.calls[0])))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: REFRESH,
    });
  });

  it.each([
    ['origin_not_allowed', 403, 'This origin may not use the broker.'],
    ['invalid_request', 400, 'refresh_token is not a token.'],
    ['request_too_large', 413, 'The request body may be at most 4096 bytes.'],
    ['not_found', 404, 'The broker answers only POST /token.'],
  ])(
    'turns the broker refusing %s into a config failure (the sign-in is kept)',
    async (error, status, description) => {
      const http = new ScriptedFetch();
      http.on('POST', BROKER_URL, brokerError(status, error, description));
      const outcome = await refreshViaBroker(http.fetch, BROKER_URL, { refreshToken: REFRESH });
      expect(outcome).toEqual({
        ok: false,
        error: {
          kind: 'config',
          message: `The token broker refused the request (${error}, HTTP ${status}): ${description}`,
        },
      });
    },
  );

  it.each([
    ['rate_limited', 429, { 'retry-after': '12' }, 12],
    ['upstream_unavailable', 502, {}, undefined],
    ['upstream_timeout', 504, {}, undefined],
    ['internal_error', 500, {}, undefined],
  ])(
    'keeps the broker answering %s a retryable http failure',
    async (error, status, headers, retryAfter) => {
      const http = new ScriptedFetch();
      http.on('POST', BROKER_URL, brokerError(status, error, 'try later', headers));
      const outcome = await refreshViaBroker(http.fetch, BROKER_URL, { refreshToken: REFRESH });
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'http', status, retryAfter } });
    },
  );

  it('reports an unreachable broker as a network failure and a garbled answer as malformed', async () => {
    const http = new ScriptedFetch();
    http.on('POST', BROKER_URL, 'network', 1);
    const down = await refreshViaBroker(http.fetch, BROKER_URL, { refreshToken: REFRESH });
    expect(down).toEqual({
      ok: false,
      error: { kind: 'network', message: 'broker.example.com could not be reached' },
    });
    http.on('POST', BROKER_URL, json(200, { token: 'x' }));
    const garbled = await refreshViaBroker(http.fetch, BROKER_URL, { refreshToken: REFRESH });
    expect(garbled).toMatchObject({
      ok: false,
      error: {
        kind: 'malformed',
        message:
          'Token refresh through the token broker: access_token: expected a non-empty string',
      },
    });
  });
});

describe('broker URL', () => {
  it.each([
    ['https://broker.example.com/token', null],
    ['http://127.0.0.1:8793/token', null],
    ['http://localhost:8793/token', null],
    [
      'http://broker.example.com/token',
      'must use https:// (plain http:// only to localhost or 127.0.0.1)',
    ],
    [
      'ftp://broker.example.com/token',
      'must use https:// (plain http:// only to localhost or 127.0.0.1)',
    ],
    ['broker.example.com/token', 'is not a valid URL'],
    ['https://user:pw@broker.example.com/token', 'must not carry credentials or a fragment'],
  ])('%s -> %s', (url, problem) => {
    expect(checkBrokerUrl(url)).toBe(problem);
  });

  it('sends nothing to a URL it refuses', async () => {
    const http = new ScriptedFetch();
    const outcome = await refreshViaBroker(http.fetch, 'http://broker.example.com/token', {
      refreshToken: REFRESH,
    });
    expect(outcome).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message:
          'The token broker URL must use https:// (plain http:// only to localhost or 127.0.0.1).',
      },
    });
    expect(http.calls).toHaveLength(0);
  });
});

describe('the client and the real broker handler agree on the wire', () => {
  /** The extension's fetch as the browser sends it: with the extension's Origin. */
  function throughBroker(origin: string) {
    const upstream = new ScriptedFetch();
    const handle = createBroker(testConfig(), { fetch: upstream.fetch, clock: new FakeClock() });
    const fetch: Fetch = async (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('origin', origin);
      return handle(new Request(String(input), { ...init, headers }), { address: '192.0.2.1' });
    };
    return { upstream, fetch };
  }

  it('exchanges and refreshes, the broker adding the credentials', async () => {
    const { upstream, fetch } = throughBroker(ORIGIN);
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    const exchanged = await exchangeCodeViaBroker(fetch, BROKER_URL, {
      code: CODE,
      codeVerifier: VERIFIER,
      redirectUri: REDIRECT,
    });
    const refreshed = await refreshViaBroker(fetch, BROKER_URL, { refreshToken: REFRESH });
    expect(exchanged.ok && refreshed.ok).toBe(true);
    expect(upstream.calls.map((call) => bodyForm(call).get('client_secret'))).toEqual([
      SECRET,
      SECRET,
    ]);
    expect(bodyForm(must(upstream.calls[0])).get('client_id')).toBe(CLIENT_ID);
  });

  it('reads the refusal of another extension as a config failure', async () => {
    const { upstream, fetch } = throughBroker(OTHER_ORIGIN);
    const outcome = await refreshViaBroker(fetch, BROKER_URL, { refreshToken: REFRESH });
    expect(outcome).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message:
          'The token broker refused the request (origin_not_allowed, HTTP 403): This origin may not use the broker.',
      },
    });
    expect(upstream.calls).toHaveLength(0);
  });
});
