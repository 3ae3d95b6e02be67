/**
 * Broker mode end to end over fakes: the line service signs in and refreshes through the real
 * token broker (lib/broker) in front of the fake cloud. The extension keeps PKCE and state, and
 * never sends or holds a client secret.
 */
import { describe, expect, it } from 'vitest';
import { REFRESH_TIMER } from '../../../lib/auth/token-manager';
import { loadTokens } from '../../../lib/auth/tokens';
import { BROKER_URL, mountBroker } from '../fakes/broker';
import { BASE, CLIENT_SECRET, REDIRECT_URL } from '../fakes/cloud';
import { bodyForm, json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';
import { must } from '../fakes/must';

const brokerMode = () =>
  new Harness({ settings: { clientSecret: '', tokenBrokerUrl: BROKER_URL } });

const formOf = (call: { body?: string }) =>
  Object.fromEntries(bodyForm(call as Parameters<typeof bodyForm>[0]));

describe('broker mode', () => {
  it('is configured with a client id and a broker, and no secret', async () => {
    const h = brokerMode();
    expect((await h.service.snapshot()).configured).toBe(true);
  });

  it('signs in through the broker: code, verifier and redirect URL only; PKCE and state stay here', async () => {
    const h = brokerMode();
    const broker = mountBroker(h);
    await h.signIn();
    const [exchange] = broker.sent();
    expect(Object.keys(formOf(must(exchange))).sort()).toEqual([
      'code',
      'code_verifier',
      'grant_type',
      'redirect_uri',
    ]);
    expect(formOf(must(exchange))).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT_URL,
    });
    // The authorize URL carried the challenge and state; the verifier went only with the code.
    const authorize = new URL(must(h.identity.launched[0]));
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(broker.logs).toEqual([
      expect.objectContaining({ grant: 'authorization_code', status: 200 }),
    ]);
    // Only the broker called Webex's token endpoint, and it added the secret there.
    const tokenCalls = h.http.calls.filter((c) => c.url === `${BASE}/v1/access_token`);
    expect(tokenCalls.map((c) => bodyForm(c).get('client_secret'))).toEqual([CLIENT_SECRET]);
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
  });

  it('refreshes through the broker with the refresh token alone, and uses the new token', async () => {
    const h = brokerMode();
    const broker = mountBroker(h);
    await h.registered();
    const before = (await h.service.snapshot()).state;
    h.clock.tick(14 * 24 * 60 * 60 * 1000);
    await h.service.onTimer(REFRESH_TIMER);
    await h.service.whenIdle();
    const refresh = must(broker.sent()[0]);
    expect(Object.keys(formOf(refresh)).sort()).toEqual(['grant_type', 'refresh_token']);
    expect(broker.logs[1]).toMatchObject({ grant: 'refresh_token', status: 200 });
    expect(before).toBe('active');
    // The next request carries the renewed token.
    const stored = must(await loadTokens(h.store));
    const first = must(broker.logs[0]);
    expect(first.grant).toBe('authorization_code');
    await h.advance(60_000);
    const keepalive = must(h.http.calls.filter((c) => c.url.endsWith('/status')).at(-1));
    expect(keepalive.headers.authorization).toBe(`Bearer ${stored.accessToken}`);
    expect(stored.obtainedAt).toBe(h.clock.now() - 60_000);
    expect((await h.service.snapshot()).auth).toBe('signedIn');
  });

  it('never sends a client secret from the extension, even one left in the settings', async () => {
    const h = new Harness({
      settings: { clientSecret: 'stale-secret', tokenBrokerUrl: BROKER_URL },
    });
    const broker = mountBroker(h);
    await h.registered();
    h.clock.tick(14 * 24 * 60 * 60 * 1000);
    await h.service.onTimer(REFRESH_TIMER);
    await h.service.whenIdle();
    expect(broker.sent()).toHaveLength(1);
    const fromExtension = h.http.calls.filter((c) => c.url !== `${BASE}/v1/access_token`);
    expect(JSON.stringify(fromExtension)).not.toContain('stale-secret');
    expect(JSON.stringify(fromExtension)).not.toContain(CLIENT_SECRET);
  });

  it('a broker refusing this extension is a deployment problem: the sign-in is kept and retried', async () => {
    const h = brokerMode();
    mountBroker(h);
    await h.registered();
    // Redeployed for another extension id: the broker refuses the origin from now on.
    h.http.clearOverrides();
    mountBroker(h, { allowedOrigin: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba' });
    h.clock.tick(14 * 24 * 60 * 60 * 1000);
    await h.service.onTimer(REFRESH_TIMER);
    await h.service.whenIdle();
    expect((await h.service.snapshot()).auth).toBe('signedIn');
    expect(h.scheduler.at(REFRESH_TIMER)).toBeGreaterThan(h.clock.now());
    expect(h.diagnostics.some((d) => d.message === 'Token refresh failed; will retry')).toBe(true);
  });

  it("Webex's own refusal through the broker signs out, as it would without one", async () => {
    const h = brokerMode();
    mountBroker(h);
    await h.registered();
    h.cloud.fault('token', json(400, { error: 'invalid_grant', error_description: 'revoked' }));
    h.clock.tick(14 * 24 * 60 * 60 * 1000);
    await h.service.onTimer(REFRESH_TIMER);
    await h.service.whenIdle();
    expect((await h.service.snapshot()).auth).toBe('signedOut');
  });

  it.each([
    ['an HTML 403 from a firewall in front of Webex, relayed as upstream_invalid', 'cloud'],
    ['an HTML 404 from a proxy in front of the broker', 'broker'],
  ])('%s keeps the sign-in, backs off and says why', async (_name, where) => {
    const h = brokerMode();
    mountBroker(h);
    await h.registered();
    const html = () =>
      new Response('<html><body>Access denied</body></html>', {
        status: where === 'cloud' ? 403 : 404,
        headers: { 'content-type': 'text/html' },
      });
    if (where === 'cloud') h.cloud.fault('token', html());
    else h.http.on('POST', BROKER_URL, () => html());
    h.clock.tick(14 * 24 * 60 * 60 * 1000);
    await h.service.onTimer(REFRESH_TIMER);
    await h.service.whenIdle();
    expect((await h.service.snapshot()).auth).toBe('signedIn');
    expect(await loadTokens(h.store)).toBeDefined();
    expect(h.scheduler.at(REFRESH_TIMER)).toBeGreaterThan(h.clock.now());
    const failed = h.diagnostics.find((d) => d.message === 'Token refresh failed; will retry');
    expect(JSON.stringify(failed?.data)).toContain(`HTTP ${where === 'cloud' ? 403 : 404}`);
  });

  it('a broker that cannot be reached fails the sign-in with a clear message', async () => {
    const h = brokerMode();
    h.http.on('POST', BROKER_URL, 'network');
    const result = await h.service.signInWithOutcome();
    expect(result).toMatchObject({
      outcome: 'failed',
      message: expect.stringMatching(/^The token broker could not be reached/),
    });
    expect((await h.service.snapshot()).auth).toBe('signedOut');
  });

  it('a broker refusing the redirect URL asks for the administrator', async () => {
    const h = brokerMode();
    mountBroker(h);
    h.http.on(
      'POST',
      BROKER_URL,
      json(400, { error: 'invalid_request', error_description: 'redirect_uri', source: 'broker' }),
      1,
    );
    const result = await h.service.signInWithOutcome();
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/token broker refused the request \(invalid_request/);
    expect(result.message).toMatch(/administrator/);
  });
});
