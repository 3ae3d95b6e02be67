import { describe, expect, it } from 'vitest';
import { runSignIn } from '../../../lib/auth/sign-in';
import { FakeClock } from '../fakes/clock';
import { BASE, FakeCloud, REDIRECT_URL } from '../fakes/cloud';
import { bodyForm, json, ScriptedFetch } from '../fakes/fetch';
import { testSettings } from '../fakes/harness';
import { FakeIdentity } from '../fakes/identity';
import { must } from '../fakes/must';
import { FakeRandom } from '../fakes/random';

function setup() {
  const clock = new FakeClock();
  const cloud = new FakeCloud(clock);
  const http = new ScriptedFetch(cloud.handle);
  const identity = new FakeIdentity(cloud);
  const run = (settings = testSettings()) =>
    runSignIn({ identity, fetch: http.fetch, random: new FakeRandom(), clock, settings });
  return { clock, cloud, http, identity, run };
}

describe('runSignIn', () => {
  it('signs in with PKCE, state and the client secret', async () => {
    const { run, http, identity, clock } = setup();
    const outcome = await run();
    expect(outcome.kind).toBe('signedIn');
    if (outcome.kind !== 'signedIn') return;
    expect(outcome.tokens.expiresAt).toBe(clock.now() + 3_600_000);
    expect(outcome.tokens.refreshExpiresAt).toBe(clock.now() + 7_776_000_000);
    const authorize = new URL(must(identity.launched[0]));
    expect(authorize.origin + authorize.pathname).toBe(`${BASE}/v1/authorize`);
    expect(authorize.searchParams.get('redirect_uri')).toBe(REDIRECT_URL);
    const form = bodyForm(must(http.calls[0]));
    expect(form.get('client_secret')).toBe('secret-0123456789abcdef');
    expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9\-._~]{43,128}$/);
  });

  it('is calm when the user closes the window', async () => {
    const { run, identity, http } = setup();
    identity.behaviour = 'close';
    expect(await run()).toEqual({
      kind: 'cancelled',
      message: 'Sign-in was cancelled. You can sign in again at any time.',
    });
    expect(http.calls).toHaveLength(0);
  });

  it('is calm when the user declines', async () => {
    const { run, identity, http } = setup();
    identity.behaviour = 'decline';
    const outcome = await run();
    expect(outcome.kind).toBe('declined');
    expect(http.calls).toHaveLength(0);
  });

  it('ignores an answer whose state does not match', async () => {
    const { run, identity, http } = setup();
    identity.behaviour = 'wrongState';
    expect(await run()).toMatchObject({ kind: 'failed', reason: 'stateMismatch' });
    expect(http.calls).toHaveLength(0);
  });

  it('explains a refused client secret', async () => {
    const { run } = setup();
    const outcome = await run(testSettings({ clientSecret: 'wrong-secret' }));
    expect(outcome).toEqual({
      kind: 'failed',
      reason: 'exchange',
      message: 'Webex refused the integration client ID or secret. Check them in the settings.',
    });
  });

  it('explains a provider error and an unreachable token endpoint', async () => {
    const { run, identity, http } = setup();
    identity.behaviour = {
      redirect: (url) =>
        `${REDIRECT_URL}?error=invalid_scope&state=${new URL(url).searchParams.get('state')}`,
    };
    expect(await run()).toMatchObject({
      kind: 'failed',
      reason: 'provider',
      message: 'Webex did not complete the sign-in (invalid_scope).',
    });
    identity.behaviour = 'approve';
    http.on('POST', `${BASE}/v1/access_token`, 'network', 1);
    expect(await run()).toMatchObject({ kind: 'failed', reason: 'unreachable' });
    http.on('POST', `${BASE}/v1/access_token`, json(200, { nonsense: true }), 1);
    expect(await run()).toMatchObject({
      kind: 'failed',
      reason: 'exchange',
      message: expect.stringContaining('access_token'),
    });
  });

  it('one period between the server description and "Please try again", with or without its own', async () => {
    const { run, http } = setup();
    http.on(
      'POST',
      `${BASE}/v1/access_token`,
      json(400, { error: 'invalid_grant', error_description: 'The code_verifier does not match.' }),
      1,
    );
    const outcome = await run();
    expect(outcome).toMatchObject({ kind: 'failed', reason: 'exchange' });
    const message = outcome.kind === 'failed' ? outcome.message : '';
    expect(message).toMatch(/does not match\. Please try again\.$/);
    expect(message).not.toContain('..');
  });

  it('says what is missing when not configured, without opening a window', async () => {
    const { run, identity } = setup();
    expect(await run(testSettings({ clientSecret: '' }))).toMatchObject({
      kind: 'failed',
      reason: 'notConfigured',
    });
    expect(identity.launched).toHaveLength(0);
  });

  it('reports a sign-in page that could not load', async () => {
    const { run, identity } = setup();
    identity.behaviour = { reject: 'Authorization page could not be loaded.' };
    expect(await run()).toMatchObject({ kind: 'failed', reason: 'unreachable' });
  });
});
