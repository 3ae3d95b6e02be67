import { describe, expect, it } from 'vitest';
import {
  buildAuthorizeUrl,
  CALLING_SCOPES,
  createPkce,
  createState,
  exchangeCode,
  parseRedirect,
  refreshAccessToken,
  s256Challenge,
} from '../../../lib/webex/oauth';
import { bodyForm, json, ScriptedFetch } from '../fakes/fetch';
import { must } from '../fakes/must';
import { FakeRandom } from '../fakes/random';

const TOKEN_URL = 'https://webex.test/v1/access_token';

describe('PKCE and state', () => {
  it('computes the RFC 7636 S256 example challenge', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes a 43-128 character verifier of unreserved characters and its challenge', async () => {
    const pkce = await createPkce(new FakeRandom());
    expect(pkce.verifier).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
    expect(pkce.challenge).toBe(await s256Challenge(pkce.verifier));
    expect(pkce.challenge).not.toContain('=');
  });

  it('makes a different state each time', () => {
    const random = new FakeRandom();
    expect(createState(random)).not.toBe(createState(random));
  });
});

describe('authorize URL', () => {
  it('carries every parameter of the code flow with S256', () => {
    const url = new URL(
      buildAuthorizeUrl({
        authorizeUrl: 'https://webexapis.com/v1/authorize',
        clientId: 'C123',
        redirectUri: 'https://id.chromiumapp.org/',
        state: 'st',
        codeChallenge: 'ch',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://webexapis.com/v1/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'C123',
      redirect_uri: 'https://id.chromiumapp.org/',
      scope: 'spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi spark:people_read',
      state: 'st',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(CALLING_SCOPES).not.toContain('spark:kms');
  });
});

describe('parseRedirect', () => {
  const base = 'https://id.chromiumapp.org/';
  it('returns the code when the state matches', () => {
    expect(parseRedirect(`${base}?code=abc&state=s1`, 's1')).toEqual({ kind: 'code', code: 'abc' });
  });
  it('reports an OAuth error with its description', () => {
    expect(
      parseRedirect(`${base}?error=access_denied&error_description=no%20thanks&state=s1`, 's1'),
    ).toEqual({ kind: 'error', error: 'access_denied', description: 'no thanks' });
  });
  it('refuses a different or missing state, even for an error answer', () => {
    expect(parseRedirect(`${base}?code=abc&state=other`, 's1').kind).toBe('stateMismatch');
    expect(parseRedirect(`${base}?code=abc`, 's1').kind).toBe('stateMismatch');
    expect(parseRedirect(`${base}?error=access_denied&state=x`, 's1').kind).toBe('stateMismatch');
  });
  it('reads the fragment when the query has no state', () => {
    expect(parseRedirect(`${base}#code=abc&state=s1`, 's1')).toEqual({ kind: 'code', code: 'abc' });
  });
  it('rejects a URL without a code, and a non-URL', () => {
    expect(parseRedirect(`${base}?state=s1`, 's1').kind).toBe('invalid');
    expect(parseRedirect('not a url', 's1').kind).toBe('invalid');
  });
});

describe('token endpoint', () => {
  const creds = { clientId: 'C123', clientSecret: 'sec' };

  it('exchanges a code with a form body carrying client id, secret and verifier', async () => {
    const http = new ScriptedFetch();
    http.on(
      'POST',
      TOKEN_URL,
      json(200, {
        access_token: 'a1',
        expires_in: 60,
        refresh_token: 'r1',
        refresh_token_expires_in: 600,
        token_type: 'Bearer',
      }),
    );
    const outcome = await exchangeCode(http.fetch, TOKEN_URL, {
      ...creds,
      code: 'c1',
      redirectUri: 'https://r/',
      codeVerifier: 'v'.repeat(43),
    });
    expect(outcome).toMatchObject({
      ok: true,
      value: { accessToken: 'a1', expiresIn: 60, refreshToken: 'r1', refreshTokenExpiresIn: 600 },
    });
    const [call] = http.calls;
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(bodyForm(must(call)))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'C123',
      client_secret: 'sec',
      code: 'c1',
      redirect_uri: 'https://r/',
      code_verifier: 'v'.repeat(43),
    });
  });

  it('refreshes with the refresh grant and accepts an answer without a refresh token', async () => {
    const http = new ScriptedFetch();
    http.on('POST', TOKEN_URL, json(200, { access_token: 'a2', expires_in: 60 }));
    const outcome = await refreshAccessToken(http.fetch, TOKEN_URL, {
      ...creds,
      refreshToken: 'r1',
    });
    expect(outcome).toMatchObject({
      ok: true,
      value: { accessToken: 'a2', refreshToken: undefined, tokenType: 'Bearer' },
    });
    expect(Object.fromEntries(bodyForm(must(http.calls[0])))).toEqual({
      grant_type: 'refresh_token',
      client_id: 'C123',
      client_secret: 'sec',
      refresh_token: 'r1',
    });
  });

  it('turns a body without access_token into a clear malformed error', async () => {
    const http = new ScriptedFetch();
    http.on('POST', TOKEN_URL, json(200, { expires_in: 60 }));
    const outcome = await refreshAccessToken(http.fetch, TOKEN_URL, {
      ...creds,
      refreshToken: 'r1',
    });
    expect(outcome).toEqual({
      ok: false,
      error: {
        kind: 'malformed',
        status: 200,
        message: 'Token refresh: access_token: expected a non-empty string',
        trackingId: undefined,
      },
    });
  });

  it('reports an OAuth error answer with its description', async () => {
    const http = new ScriptedFetch();
    http.on(
      'POST',
      TOKEN_URL,
      json(400, { error: 'invalid_grant', error_description: 'code expired' }),
    );
    const outcome = await exchangeCode(http.fetch, TOKEN_URL, {
      ...creds,
      code: 'c',
      redirectUri: 'r',
      codeVerifier: 'v',
    });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error).toMatchObject({
        kind: 'http',
        status: 400,
        message: 'Token exchange failed with HTTP 400: code expired',
      });
    }
  });
});
