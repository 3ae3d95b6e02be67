import { createPublicKey, createVerify, type JsonWebKey } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEV_REDIRECT_URL } from '../../lib/dev-integration';
import { ALICE, type Emulator, ORG_UUID } from './index';
import {
  authorizeUrl,
  bearer,
  codeForm,
  consentRequestId,
  exchange,
  type FakeClock,
  get,
  pkce,
  postForm,
  signIn,
  signInTokens,
  startTest,
} from './test-support';

let emu: Emulator;
let clock: FakeClock;
beforeEach(async () => {
  ({ emu, clock } = await startTest());
});
afterEach(() => emu.close());

const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9]+_PF84_${ORG_UUID}$`);

describe('GET /v1/authorize', () => {
  it('renders a no-script consent page with one button per user and a Decline button', async () => {
    const res = await get(authorizeUrl(emu, { code_challenge: pkce().challenge }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/v1/authorize/decision">');
    expect(html).toMatch(
      /<button type="submit" name="user" value="alice@example.com">Sign in as Alice Example<\/button>/,
    );
    expect(html).toContain('Sign in as Bob Example');
    expect(html).toMatch(/<button[^>]*name="decision" value="decline">Decline<\/button>/);
    expect(html).not.toContain('<script');
  });

  it('redirects with a Webex-shaped code and the state after "Sign in as"', async () => {
    const { res, location, code } = await signIn(emu);
    expect(res.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(DEV_REDIRECT_URL);
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(code).toMatch(TOKEN_SHAPE);
  });

  it('redirects with access_denied and the state on Decline', async () => {
    const id = await consentRequestId(authorizeUrl(emu, { code_challenge: pkce().challenge }));
    const res = await postForm(`${emu.urls.base}/v1/authorize/decision`, {
      request: id,
      decision: 'decline',
    });
    const location = new URL(res.headers.get('location') ?? '');
    expect(res.status).toBe(302);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('answers each consent page once', async () => {
    const id = await consentRequestId(authorizeUrl(emu, { code_challenge: pkce().challenge }));
    const form = { request: id, user: 'alice@example.com' };
    expect((await postForm(`${emu.urls.base}/v1/authorize/decision`, form)).status).toBe(302);
    const again = await postForm(`${emu.urls.base}/v1/authorize/decision`, form);
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
  });

  it.each([
    ['unknown client_id', { client_id: 'Cunknown' }],
    ['wrong redirect_uri', { redirect_uri: 'https://evil.example/cb' }],
    ['redirect_uri differing by a trailing path', { redirect_uri: `${DEV_REDIRECT_URL}x` }],
  ])('shows an error page and never redirects for %s', async (_name, params) => {
    const res = await get(authorizeUrl(emu, { code_challenge: pkce().challenge, ...params }));
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('role="alert"');
  });

  it.each([
    ['an unregistered scope', { scope: 'spark:webrtc_calling spark:all' }, 'invalid_scope'],
    ['an empty scope', { scope: '' }, 'invalid_scope'],
    ['response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['no code_challenge', { code_challenge: null }, 'invalid_request'],
    ['code_challenge_method S512', { code_challenge_method: 'S512' }, 'invalid_request'],
    ['openid without nonce', { scope: 'openid spark:webrtc_calling' }, 'invalid_request'],
  ])('redirects with an error and the state for %s', async (_name, params, error) => {
    const res = await get(authorizeUrl(emu, { code_challenge: pkce().challenge, ...params }));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('error_description')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(emu.deviations().length).toBeGreaterThan(0);
  });

  it('accepts unregistered OIDC scopes', async () => {
    const { code } = await signIn(emu, 'alice@example.com', {
      scope: 'spark:webrtc_calling phone',
    });
    expect(code).toMatch(TOKEN_SHAPE);
  });

  it('redirects at once when autoConsentEmail is set, and answers prompt=none', async () => {
    const res = await get(authorizeUrl(emu, { code_challenge: pkce().challenge, prompt: 'none' }));
    expect(new URL(res.headers.get('location') ?? '').searchParams.get('error')).toBe(
      'login_required',
    );
    emu.setConfig({ autoConsentEmail: 'dave@example.com' });
    const { verifier, challenge } = pkce();
    const auto = await get(authorizeUrl(emu, { code_challenge: challenge }));
    expect(auto.status).toBe(302);
    const code = new URL(auto.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await (await exchange(emu, codeForm(code, verifier))).json();
    const me = await (
      await get(`${emu.urls.base}/v1/people/me`, bearer(tokens.access_token))
    ).json();
    expect(me.emails).toEqual(['dave@example.com']);
  });
});

describe('POST /v1/access_token (authorization_code)', () => {
  it('exchanges a code for the documented token response', async () => {
    const { code, verifier } = await signIn(emu);
    const res = await exchange(emu, codeForm(code, verifier));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await res.json();
    expect(body).toEqual({
      access_token: expect.stringMatching(TOKEN_SHAPE),
      expires_in: 1209599,
      refresh_token: expect.stringMatching(TOKEN_SHAPE),
      refresh_token_expires_in: 7775999,
      token_type: 'Bearer',
      scope: 'spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi spark:people_read',
    });
  });

  it('accepts client credentials through HTTP Basic', async () => {
    const { code, verifier } = await signIn(emu);
    const { client_id: _, client_secret: __, ...form } = codeForm(code, verifier);
    const basic = Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64');
    const res = await exchange(emu, form, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a wrong secret', { client_secret: 'nope' }],
    ['no secret', { client_secret: '' }],
    ['an unknown client', { client_id: 'Cother' }],
  ])('refuses %s with 401 invalid_client', async (_name, override) => {
    const { code, verifier } = await signIn(emu);
    const res = await exchange(emu, { ...codeForm(code, verifier), ...override });
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body).toEqual({
      error: 'invalid_client',
      error_description: expect.any(String),
      trackingId: expect.any(String),
    });
    expect(res.headers.get('trackingid')).toBe(body.trackingId);
  });

  it('accepts a missing secret when requireClientSecret is off', async () => {
    emu.setConfig({ requireClientSecret: false });
    const { code, verifier } = await signIn(emu);
    const { client_secret: _, ...form } = codeForm(code, verifier);
    expect((await exchange(emu, form)).status).toBe(200);
  });

  it('refuses a wrong PKCE verifier and the code is then used up', async () => {
    const { code, verifier } = await signIn(emu);
    const wrong = await exchange(emu, codeForm(code, pkce().verifier));
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toBe('invalid_grant');
    const retry = await exchange(emu, codeForm(code, verifier));
    expect((await retry.json()).error).toBe('invalid_grant');
  });

  it('refuses a reused code without revoking the first tokens', async () => {
    const { code, verifier } = await signIn(emu);
    const first = await (await exchange(emu, codeForm(code, verifier))).json();
    const again = await exchange(emu, codeForm(code, verifier));
    expect(again.status).toBe(400);
    expect((await again.json()).error).toBe('invalid_grant');
    const me = await get(`${emu.urls.base}/v1/people/me`, bearer(first.access_token));
    expect(me.status).toBe(200);
  });

  it('refuses an expired code', async () => {
    const { code, verifier } = await signIn(emu);
    clock.advance(60_001);
    const res = await exchange(emu, codeForm(code, verifier));
    expect((await res.json()).error).toBe('invalid_grant');
  });

  it('refuses a redirect_uri that differs from the authorize request', async () => {
    const { code, verifier } = await signIn(emu);
    const res = await exchange(emu, {
      ...codeForm(code, verifier),
      redirect_uri: 'https://other.example/',
    });
    expect((await res.json()).error).toBe('invalid_grant');
  });

  it.each([
    [
      'a JSON body',
      'application/json',
      JSON.stringify({ grant_type: 'authorization_code' }),
      'invalid_request',
    ],
    ['no grant_type', 'application/x-www-form-urlencoded', 'code=x', 'invalid_request'],
    [
      'grant_type=password',
      'application/x-www-form-urlencoded',
      'grant_type=password',
      'unsupported_grant_type',
    ],
  ])('answers %s with 400 %s', async (_name, type, body, error) => {
    const res = await fetch(`${emu.urls.base}/v1/access_token`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe(error);
  });

  it('adds a verifiable RS256 id_token when openid was granted', async () => {
    const { code, verifier } = await signIn(emu, 'alice@example.com', {
      scope: 'openid email spark:webrtc_calling',
      nonce: 'n-1',
    });
    const body = await (await exchange(emu, codeForm(code, verifier))).json();
    const [head, payload, signature] = (body.id_token as string).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    expect(claims).toMatchObject({
      sub: ALICE.id,
      aud: DEMO_CLIENT_ID,
      nonce: 'n-1',
      email: ALICE.email,
    });
    const jwks = await (await get(`${emu.urls.base}/v1/verification`)).json();
    const key = createPublicKey({ key: jwks.keys[0] as JsonWebKey, format: 'jwk' });
    const ok = createVerify('RSA-SHA256')
      .update(`${head}.${payload}`)
      .verify(key, signature ?? '', 'base64url');
    expect(ok).toBe(true);
  });
});

describe('POST /v1/access_token (refresh_token)', () => {
  const refreshForm = (refresh_token: string) => ({
    grant_type: 'refresh_token',
    client_id: DEMO_CLIENT_ID,
    client_secret: DEMO_CLIENT_SECRET,
    refresh_token,
  });

  it('rotates: a new refresh token, the old one stops working', async () => {
    const first = await signInTokens(emu);
    const res = await exchange(emu, refreshForm(first.refresh_token));
    expect(res.status).toBe(200);
    const second = await res.json();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await get(`${emu.urls.base}/v1/people/me`, bearer(second.access_token))).status).toBe(
      200,
    );
    const reuse = await exchange(emu, refreshForm(first.refresh_token));
    expect((await reuse.json()).error).toBe('invalid_grant');
    expect(emu.deviations().some((d) => d.reason.includes('refresh token'))).toBe(true);
  });

  it('without rotation returns the same refresh token with its remaining lifetime', async () => {
    emu.setConfig({ rotateRefreshTokens: false });
    const first = await signInTokens(emu);
    clock.advance(1000 * 1000);
    const second = await (await exchange(emu, refreshForm(first.refresh_token))).json();
    expect(second.refresh_token).toBe(first.refresh_token);
    expect(second.refresh_token_expires_in).toBe(7775999 - 1000);
    expect(second.expires_in).toBe(1209599);
    expect((await exchange(emu, refreshForm(first.refresh_token))).status).toBe(200);
  });

  it('narrows scope on request and refuses scopes beyond the grant', async () => {
    const first = await signInTokens(emu);
    const narrow = await (
      await exchange(emu, { ...refreshForm(first.refresh_token), scope: 'spark:webrtc_calling' })
    ).json();
    expect(narrow.scope).toBe('spark:webrtc_calling');
    const wide = await exchange(emu, {
      ...refreshForm(narrow.refresh_token),
      scope: 'spark:webrtc_calling spark:kms',
    });
    expect(wide.status).toBe(400);
    expect((await wide.json()).error).toBe('invalid_scope');
  });

  it('refuses an expired refresh token', async () => {
    emu.setConfig({ refreshTokenLifetimeSec: 100 });
    const first = await signInTokens(emu);
    clock.advance(100_000);
    expect((await (await exchange(emu, refreshForm(first.refresh_token))).json()).error).toBe(
      'invalid_grant',
    );
  });

  it('works for an integration added through the admin API', async () => {
    const res = await fetch(`${emu.urls.admin}/integrations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        clientId: 'Ctest',
        clientSecret: 's3cret',
        redirectUris: ['http://localhost/cb'],
        scopes: ['spark:webrtc_calling'],
      }),
    });
    expect(res.status).toBe(201);
    const { verifier, challenge } = pkce();
    const id = await consentRequestId(
      authorizeUrl(emu, {
        client_id: 'Ctest',
        redirect_uri: 'http://localhost/cb',
        scope: 'spark:webrtc_calling',
        code_challenge: challenge,
      }),
    );
    const decision = await postForm(`${emu.urls.base}/v1/authorize/decision`, {
      request: id,
      user: 'bob@example.com',
    });
    const code = new URL(decision.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await exchange(emu, {
      grant_type: 'authorization_code',
      client_id: 'Ctest',
      client_secret: 's3cret',
      code,
      redirect_uri: 'http://localhost/cb',
      code_verifier: verifier,
    });
    expect(token.status).toBe(200);
  });
});
