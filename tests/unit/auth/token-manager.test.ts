import { describe, expect, it, vi } from 'vitest';
import { withAuthorization } from '../../../lib/auth/authorized';
import { REFRESH_RETRY_CAP_MS } from '../../../lib/auth/refresh-backoff';
import { REFRESH_TIMER, TokenManager } from '../../../lib/auth/token-manager';
import {
  loadTokens,
  type StoredTokens,
  TOKENS_KEY,
  tokensFromResponse,
} from '../../../lib/auth/tokens';
import { DEFAULT_TIMING } from '../../../lib/line/timing';
import { environmentKey } from '../../../lib/webex/environment';
import { FakeClock } from '../fakes/clock';
import { BASE, CLIENT_ID, FakeCloud } from '../fakes/cloud';
import { json, ScriptedFetch } from '../fakes/fetch';
import { testSettings } from '../fakes/harness';
import { must } from '../fakes/must';
import { FakeScheduler } from '../fakes/scheduler';
import { MemoryStore } from '../fakes/store';

const TOKEN_URL = `${BASE}/v1/access_token`;
const SESSION = { environment: { kind: 'custom' as const, baseUrl: BASE }, clientId: CLIENT_ID };
const ENV = environmentKey(SESSION.environment, CLIENT_ID);

function setup() {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const scheduler = new FakeScheduler();
  const cloud = new FakeCloud(clock);
  const http = new ScriptedFetch(cloud.handle);
  const refused = vi.fn(async () => {});
  const manager = new TokenManager({
    store,
    scheduler,
    clock,
    fetch: http.fetch,
    loadSettings: async () => testSettings(),
    timing: DEFAULT_TIMING,
    log: () => {},
    onRefreshRefused: refused,
  });
  /** Tokens the fake cloud knows, as sign-in would have stored them. */
  const seed = async (lifetimeSec = 3600) => {
    const now = clock.now();
    cloud.accessTokens.set('access0', now + lifetimeSec * 1000);
    cloud.refreshTokens.set('refresh0', now + 7_776_000_000);
    const tokens: StoredTokens = {
      accessToken: 'access0',
      tokenType: 'Bearer',
      refreshToken: 'refresh0',
      expiresAt: now + lifetimeSec * 1000,
      refreshExpiresAt: now + 7_776_000_000,
      obtainedAt: now,
      environment: ENV,
      session: SESSION,
    };
    await manager.save(tokens);
    return tokens;
  };
  return { clock, store, scheduler, cloud, http, manager, refused, seed };
}

describe('refresh timing', () => {
  it('refreshes when 10% of a long lifetime remains', async () => {
    const { manager, scheduler, seed } = setup();
    const tokens = await seed(1_209_600);
    expect(scheduler.at(REFRESH_TIMER)).toBe(tokens.expiresAt - 120_960_000);
    expect(manager.refreshAt(tokens)).toBe(tokens.expiresAt - 120_960_000);
  });

  it('refreshes at least a minute ahead, but never sooner than half the lifetime', async () => {
    const { manager, seed, clock } = setup();
    const hour = await seed(3600);
    expect(manager.refreshAt(hour)).toBe(hour.expiresAt - 360_000);
    const tenMinutes = { ...hour, expiresAt: clock.now() + 600_000 };
    expect(manager.refreshAt(tenMinutes)).toBe(tenMinutes.expiresAt - 60_000);
    const short = { ...hour, expiresAt: clock.now() + 60_000 };
    expect(manager.refreshAt(short)).toBe(short.expiresAt - 30_000);
  });

  it('refreshes on the timer and re-arms it from the new token', async () => {
    const { manager, scheduler, clock, store, seed } = setup();
    await seed(3600);
    clock.set(must(scheduler.at(REFRESH_TIMER)));
    await manager.onTimer();
    const stored = await store.get<StoredTokens>(TOKENS_KEY);
    expect(stored?.accessToken).not.toBe('access0');
    expect(stored?.expiresAt).toBe(clock.now() + 3_600_000);
    expect(scheduler.at(REFRESH_TIMER)).toBe(must(stored).expiresAt - 360_000);
  });
});

describe('refresh', () => {
  it('serialises concurrent refreshes into one request', async () => {
    const { manager, http, seed } = setup();
    await seed();
    const [a, b, c] = await Promise.all([
      manager.refresh('timer'),
      manager.refresh('unauthorized'),
      manager.refresh('expired'),
    ]);
    expect(http.count('POST', TOKEN_URL)).toBe(1);
    expect(a).toEqual(b);
    expect(b).toEqual(c);
  });

  it('does not refresh again for a token that was already replaced', async () => {
    const { manager, http, seed } = setup();
    await seed();
    const first = await manager.refresh('unauthorized', 'access0');
    const second = await manager.refresh('unauthorized', 'access0');
    expect(http.count('POST', TOKEN_URL)).toBe(1);
    expect(second).toEqual(first);
  });

  it('a rotated refresh token without its lifetime does not inherit the old one', () => {
    const previous = tokensFromResponse(
      {
        accessToken: 'a1',
        expiresIn: 60,
        refreshToken: 'r1',
        refreshTokenExpiresIn: 600,
        tokenType: 'Bearer',
      },
      0,
      SESSION,
    );
    expect(previous.refreshExpiresAt).toBe(600_000);
    const rotated = tokensFromResponse(
      { accessToken: 'a2', expiresIn: 60, refreshToken: 'r2', tokenType: 'Bearer' },
      1000,
      SESSION,
      previous,
    );
    expect(rotated).toMatchObject({ refreshToken: 'r2', refreshExpiresAt: undefined });
  });

  it('keeps the old refresh token when the answer has none, takes a rotated one', async () => {
    const { manager, cloud, store, seed } = setup();
    const before = await seed();
    cloud.rotateRefreshToken = false;
    await manager.refresh('timer');
    const kept = await store.get<StoredTokens>(TOKENS_KEY);
    expect(kept?.refreshToken).toBe('refresh0');
    expect(kept?.refreshExpiresAt).toBe(before.refreshExpiresAt);
    cloud.rotateRefreshToken = true;
    await manager.refresh('timer');
    const rotated = await store.get<StoredTokens>(TOKENS_KEY);
    expect(rotated?.refreshToken).not.toBe('refresh0');
  });

  it('signs out and reports a refused refresh', async () => {
    const { manager, cloud, store, scheduler, refused, seed } = setup();
    await seed();
    cloud.revokeRefreshTokens();
    const outcome = await manager.refresh('timer');
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'auth', definitive: true, status: 400 },
    });
    expect(await store.get(TOKENS_KEY)).toBeUndefined();
    expect(scheduler.at(REFRESH_TIMER)).toBeUndefined();
    expect(refused).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['an HTML 403 from a firewall in front of Webex', 403, '<html>Forbidden</html>', 'text/html'],
    ['an HTML 404 from a proxy in front of the broker', 404, '<html>Not Found</html>', 'text/html'],
    ['a JSON 409 that is no OAuth error', 409, '{"message":"conflict"}', 'application/json'],
    [
      "the broker's own upstream_invalid",
      400,
      '{"error":"upstream_invalid","source":"broker"}',
      'application/json',
    ],
    ['a 400 with no OAuth error code', 400, '{"message":"bad"}', 'application/json'],
  ])('keeps the tokens on %s, and tries again later', async (_name, status, body, type) => {
    const { manager, http, store, scheduler, refused, seed, clock } = setup();
    await seed();
    http.on(
      'POST',
      TOKEN_URL,
      () => new Response(body, { status, headers: { 'content-type': type } }),
      1,
    );
    const outcome = await manager.refresh('timer');
    expect(outcome.ok).toBe(false);
    // The old rule took every 4xx as a refusal and deleted the tokens.
    expect(await store.get(TOKENS_KEY)).toBeDefined();
    expect(refused).not.toHaveBeenCalled();
    expect(scheduler.at(REFRESH_TIMER)).toBe(clock.now() + DEFAULT_TIMING.tokenRetryMs);
  });

  it.each([
    ['an HTML 403 from a firewall', () => new Response('<html>denied</html>', { status: 403 })],
    ['a JSON 401 without an OAuth error', () => json(401, { message: 'Unauthorized', errors: [] })],
    ["a broker's own refusal", () => json(403, { error: 'upstream_invalid', source: 'broker' })],
    ['a network failure', () => 'network' as const],
  ])('keeps the tokens on %s, backing off further each time', async (_name, reply) => {
    const { manager, http, store, scheduler, clock, refused, seed } = setup();
    await seed();
    http.on('POST', TOKEN_URL, reply);
    const delays: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      expect(await manager.refresh('timer')).toMatchObject({ ok: false });
      delays.push(must(scheduler.at(REFRESH_TIMER)) - clock.now());
    }
    expect(delays.slice(0, 3)).toEqual([
      DEFAULT_TIMING.tokenRetryMs,
      2 * DEFAULT_TIMING.tokenRetryMs,
      4 * DEFAULT_TIMING.tokenRetryMs,
    ]);
    expect(Math.max(...delays)).toBe(REFRESH_RETRY_CAP_MS);
    expect((await store.get<StoredTokens>(TOKENS_KEY))?.accessToken).toBe('access0');
    expect(refused).not.toHaveBeenCalled();
  });

  it('starts the back-off again after a refresh that worked', async () => {
    const { manager, http, scheduler, clock, seed } = setup();
    await seed();
    http.on('POST', TOKEN_URL, () => new Response('<html>denied</html>', { status: 403 }));
    await manager.refresh('timer');
    await manager.refresh('timer');
    http.clearOverrides(); // the fake cloud renews the sign-in
    expect(await manager.refresh('timer')).toMatchObject({ ok: true });
    http.on('POST', TOKEN_URL, () => new Response('<html>denied</html>', { status: 403 }));
    await manager.refresh('timer');
    expect(must(scheduler.at(REFRESH_TIMER)) - clock.now()).toBe(DEFAULT_TIMING.tokenRetryMs);
  });

  it('treats an expired refresh token as refused without asking the server', async () => {
    const { manager, clock, http, refused, seed } = setup();
    const tokens = await seed();
    clock.set(must(tokens.refreshExpiresAt) + 1);
    expect((await manager.authorization()).ok).toBe(false);
    expect(http.count('POST', TOKEN_URL)).toBe(0);
    expect(refused).toHaveBeenCalledTimes(1);
  });

  it('keeps the tokens and retries later when the refresh fails for a transient reason', async () => {
    const { manager, http, store, scheduler, clock, refused, seed } = setup();
    await seed();
    http.on('POST', TOKEN_URL, 'network', 1);
    const outcome = await manager.refresh('timer');
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'network' } });
    expect((await store.get<StoredTokens>(TOKENS_KEY))?.accessToken).toBe('access0');
    expect(scheduler.at(REFRESH_TIMER)).toBe(clock.now() + 60_000);
    http.on('POST', TOKEN_URL, json(503, {}), 1);
    expect((await manager.refresh('timer')).ok).toBe(false);
    expect(refused).not.toHaveBeenCalled();
    expect((await manager.refresh('timer')).ok).toBe(true);
  });

  it('refreshes an expired access token before handing it out', async () => {
    const { manager, clock, seed } = setup();
    const tokens = await seed(3600);
    clock.set(tokens.expiresAt - 5_000);
    const auth = await manager.authorization();
    expect(auth.ok && auth.value).toMatch(/^Bearer access\d+_PF84_/);
    expect(auth.ok && auth.value).not.toBe('Bearer access0');
  });

  it('hands out a short-lived token without refreshing it on every call', async () => {
    const { manager, http, seed } = setup();
    await seed(6);
    for (let i = 0; i < 3; i += 1) {
      expect(await manager.authorization()).toMatchObject({ ok: true, value: 'Bearer access0' });
    }
    expect(http.count('POST', TOKEN_URL)).toBe(0);
  });

  it('reports "not signed in" without tokens', async () => {
    const { manager } = setup();
    expect(await manager.authorization()).toEqual({
      ok: false,
      error: { kind: 'auth', definitive: true, message: 'Not signed in' },
    });
  });

  it('drops an answer that arrives after a sign-out', async () => {
    const { manager, http, store, seed } = setup();
    await seed();
    let release!: () => void;
    http.on(
      'POST',
      TOKEN_URL,
      () =>
        new Promise((resolve) => {
          release = () => resolve(json(200, { access_token: 'late', expires_in: 60 }));
        }),
      1,
    );
    const pending = manager.refresh('timer');
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    await manager.clear();
    release();
    expect((await pending).ok).toBe(false);
    expect(await store.get(TOKENS_KEY)).toBeUndefined();
  });
});

describe('withAuthorization', () => {
  it('refreshes once on a 401 and replays the call', async () => {
    const { manager, cloud, http, seed } = setup();
    await seed();
    cloud.expireAccessTokens();
    const seen: string[] = [];
    const outcome = await withAuthorization(manager, async (auth) => {
      seen.push(auth);
      const response = await http.fetch(`${BASE}/v1/people/me`, {
        headers: { authorization: auth },
      });
      return response.ok
        ? { ok: true, value: 'me', status: 200 }
        : {
            ok: false,
            error: { kind: 'http', status: response.status, body: undefined, message: 'x' },
          };
    });
    expect(outcome).toMatchObject({ ok: true, value: 'me' });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toBe('Bearer access0');
  });

  it('gives up with an auth failure on a second 401', async () => {
    const { manager, seed } = setup();
    await seed();
    const call = vi.fn(async () => ({
      ok: false as const,
      error: { kind: 'http' as const, status: 401, body: undefined, message: 'no' },
    }));
    const outcome = await withAuthorization(manager, call);
    expect(call).toHaveBeenCalledTimes(2);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'auth', status: 401, definitive: false },
    });
  });

  it('shares one refresh between concurrent 401s', async () => {
    const { manager, cloud, http, seed } = setup();
    await seed();
    cloud.expireAccessTokens();
    const call = async (auth: string) => {
      const response = await http.fetch(`${BASE}/v1/people/me`, {
        headers: { authorization: auth },
      });
      return response.ok
        ? { ok: true as const, value: 1, status: 200 }
        : {
            ok: false as const,
            error: {
              kind: 'http' as const,
              status: response.status,
              body: undefined,
              message: 'x',
            },
          };
    };
    const results = await Promise.all([
      withAuthorization(manager, call),
      withAuthorization(manager, call),
      withAuthorization(manager, call),
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(http.count('POST', TOKEN_URL)).toBe(1);
  });
});

describe('tokensFromResponse', () => {
  it('tokens stored by an older build get their session from the environment key', async () => {
    const store = new MemoryStore();
    await store.set(TOKENS_KEY, {
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresAt: 5,
      obtainedAt: 1,
      environment: `${BASE}|${CLIENT_ID}`,
    });
    expect((await loadTokens(store))?.session).toEqual(SESSION);
    await store.set(TOKENS_KEY, {
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresAt: 5,
      obtainedAt: 1,
      environment: 'production|C1',
    });
    expect((await loadTokens(store))?.session).toEqual({
      environment: { kind: 'production' },
      clientId: 'C1',
    });
  });

  it('computes expiry times from now', () => {
    expect(
      tokensFromResponse(
        {
          accessToken: 'a',
          expiresIn: 10,
          refreshToken: 'r',
          refreshTokenExpiresIn: 20,
          tokenType: 'Bearer',
        },
        1000,
        SESSION,
      ),
    ).toEqual({
      accessToken: 'a',
      tokenType: 'Bearer',
      refreshToken: 'r',
      expiresAt: 11_000,
      refreshExpiresAt: 21_000,
      obtainedAt: 1000,
      scope: undefined,
      environment: ENV,
      session: SESSION,
    });
  });
});
