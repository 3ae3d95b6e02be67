import { describe, expect, it, vi } from 'vitest';
import { TOKENS_KEY } from '../../../lib/auth/tokens';
import { LINE_ID_KEY } from '../../../lib/line/record';
import { createCallingClient } from '../../../lib/service/calling-client';
import { DISCOVERY_KEYS } from '../../../lib/service/discovery-cache';
import { displayOf, LINE_SERVICE_TIMERS } from '../../../lib/service/line-service';
import { BASE, CLIENT_SECRET, LINK_SERVER, PRIMARY, WDM_BASE } from '../fakes/cloud';
import { json } from '../fakes/fetch';
import { Harness } from '../fakes/harness';
import { must } from '../fakes/must';

const requests = (h: Harness, from = 0) =>
  h.http.calls.slice(from).map((c) => `${c.method} ${c.url}`);

describe('snapshot', () => {
  it('derives the display status', () => {
    const error = { status: 'inactive' as const, type: 'tokenError' as const, msg: 'x' };
    expect(displayOf('active', null)).toBe('registered');
    expect(displayOf('connecting', error)).toBe('connecting');
    expect(displayOf('reconnecting', null)).toBe('reconnecting');
    expect(displayOf('inactive', error)).toBe('error');
    expect(displayOf('inactive', null)).toBe('inactive');
    expect(displayOf('idle', null)).toBe('inactive');
  });

  it('starts signed out with no line, and a stable line id', async () => {
    const h = new Harness();
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({
      state: 'idle',
      display: 'inactive',
      auth: 'signedOut',
      user: null,
      line: null,
      error: null,
      server: null,
      configured: true,
      keepRegistered: true,
    });
    const lineId = h.store.data.get(LINE_ID_KEY);
    h.restart();
    await h.signIn();
    expect((await h.service.snapshot()).line?.lineId).toBe(lineId);
  });

  it('names every timer with a prefix', () => {
    expect(LINE_SERVICE_TIMERS).toEqual([
      'line:keepalive',
      'line:retry',
      'line:failback',
      'line:watchdog',
      'line:reconcile',
      'auth:refresh',
    ]);
  });
});

describe('discovery and its caches', () => {
  it('discovers once: catalog, WDM, region, serviceLinks.mobius first, then registers', async () => {
    const h = new Harness();
    await h.signIn();
    const from = h.http.calls.length;
    await h.service.register();
    await h.service.whenIdle();
    expect(requests(h, from)).toEqual([
      `GET ${BASE}/u2c/api/v1/catalog?format=hostmap`,
      `POST ${WDM_BASE}/devices`,
      `GET ${BASE}/v1/region`,
      'GET https://mobius-a.webex.test/api/v1/calling/web/?regionCode=US-EAST&countryCode=US',
      `POST ${PRIMARY}device`,
    ]);
  });

  it('re-registering with warm caches costs one request, also in a new worker', async () => {
    const h = new Harness();
    await h.registered();
    await h.service.deregister();
    h.http.calls.length = 0;
    await h.service.register();
    await h.service.whenIdle();
    expect(requests(h)).toEqual([`POST ${PRIMARY}device`]);
    await h.service.deregister();
    h.restart();
    h.http.calls.length = 0;
    await h.service.register();
    await h.service.whenIdle();
    expect(requests(h)).toEqual([`POST ${PRIMARY}device`]);
  });

  it('a shorter discovery lifetime applied at run time takes effect at once', async () => {
    const h = new Harness();
    await h.registered();
    await h.service.deregister();
    h.service.applyTiming({ discoveryTtlMs: 1_000 });
    h.clock.tick(2_000);
    h.http.calls.length = 0;
    await h.service.register();
    await h.service.whenIdle();
    expect(requests(h)).toContain(`GET ${BASE}/u2c/api/v1/catalog?format=hostmap`);
  });

  it('refreshes the catalog and servers after a day, keeping the WDM device', async () => {
    const h = new Harness();
    await h.registered();
    await h.service.deregister();
    h.clock.tick(24 * 60 * 60_000 + 1);
    h.http.calls.length = 0;
    await h.service.register();
    await h.service.whenIdle();
    const calls = requests(h).filter((c) => !c.includes('access_token'));
    expect(calls).toEqual([
      `GET ${BASE}/u2c/api/v1/catalog?format=hostmap`,
      `GET ${BASE}/v1/region`,
      'GET https://mobius-a.webex.test/api/v1/calling/web/?regionCode=US-EAST&countryCode=US',
      `POST ${PRIMARY}device`,
    ]);
  });

  it('asks the other catalog hosts when the link fails', async () => {
    const h = new Harness();
    h.cloud.catalog = {
      serviceLinks: { mobius: 'https://mobius-a.webex.test/api/v1', wdm: WDM_BASE },
      hostCatalog: {
        x: [
          { host: 'mobius-a.webex.test', id: 'a:mobius' },
          { host: 'mobius-c.webex.test', id: 'a:mobius' },
        ],
      },
    };
    h.cloud.fault('discovery', json(500), { prefix: 'https://mobius-a.webex.test' });
    await h.signIn();
    await h.service.register();
    await h.service.whenIdle();
    const asked = h.http.calls
      .filter((c) => c.url.includes('regionCode'))
      .map((c) => new URL(c.url).origin);
    expect(asked).toEqual(['https://mobius-a.webex.test', 'https://mobius-c.webex.test']);
    expect(await h.state()).toBe('active');
  });

  it('never sends the token over plain http: an http Mobius link from the catalog is refused', async () => {
    const h = new Harness();
    h.cloud.catalog = {
      serviceLinks: { mobius: 'http://mobius-a.webex.test/api/v1', wdm: WDM_BASE },
    };
    await h.signIn();
    await h.service.register();
    await h.service.whenIdle();
    expect(h.http.calls.filter((c) => c.url.startsWith('http:'))).toEqual([]);
    const snap = await h.service.snapshot();
    expect(snap.state).toBe('inactive');
    expect(snap.error?.msg).toMatch(/does not trust, so nothing was sent to it/);
    expect(h.diagnostics.some((d) => d.kind === 'security')).toBe(true);
  });

  it.each([
    ['the region is unknown', (h: Harness) => h.cloud.fault('region', json(500))],
    ['the region service cannot be reached', (h: Harness) => h.cloud.fault('region', 'network')],
    [
      'discovery refuses the token twice',
      (h: Harness) => h.cloud.fault('discovery', json(401), { times: 2 }),
    ],
    [
      'every discovery base fails',
      (h: Harness) => h.cloud.fault('discovery', json(500), { times: 2 }),
    ],
  ])('falls back to the first cluster when %s, and does not cache it', async (_name, inject) => {
    const h = new Harness();
    inject(h);
    await h.signIn();
    await h.service.register();
    await h.service.whenIdle();
    expect((await h.service.snapshot()).server).toEqual({ url: LINK_SERVER, role: 'primary' });
    expect(h.store.data.has(DISCOVERY_KEYS.servers)).toBe(false);
  });

  it('waits for the network when no discovery server answers at all', async () => {
    const h = new Harness();
    h.cloud.fault('discovery', 'network', { times: 2 });
    await h.signIn();
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('connecting');
    expect(h.errors()).toEqual([]);
    await h.service.onNetwork(true);
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
  });

  it('a catalog outage that heals (5xx) is retried with a back-off, no click needed', async () => {
    const h = new Harness();
    await h.signIn();
    h.cloud.fault('catalog', json(503), { times: 2 });
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('connecting');
    await h.advance(60_000);
    expect(await h.service.snapshot()).toMatchObject({ state: 'active', error: null });
    expect(h.errors()).toEqual([]);
    expect(h.http.count('GET', /catalog/)).toBe(3);
  });

  it('a 429 on discovery waits at least its Retry-After', async () => {
    const h = new Harness();
    await h.signIn();
    h.cloud.fault('catalog', json(429, {}, { 'retry-after': '30' }), { times: 1 });
    await h.service.register();
    await h.advance(29_000);
    expect(await h.state()).toBe('connecting');
    await h.advance(2_000);
    expect(await h.state()).toBe('active');
  });

  it('people/me failing for good is a clear registration error', async () => {
    const h = new Harness();
    h.cloud.fault('people', json(500), { times: 100 });
    await h.signIn();
    await h.service.register();
    await h.advance(10 * 60_000);
    expect((await h.service.snapshot()).error?.msg).toBe(
      'Reading your Webex profile (people/me) failed with HTTP 500. Wait a moment and try again.',
    );
  });

  it('a catalog failing for good ends in the discovery error after the back-off waits', async () => {
    const h = new Harness();
    await h.signIn();
    h.cloud.fault('catalog', json(500), { times: 100 });
    await h.service.register();
    await h.advance(10 * 60_000);
    const snapshot = await h.service.snapshot();
    expect(snapshot.state).toBe('inactive');
    expect(snapshot.error).toMatchObject({
      type: 'registrationError',
      detail: { httpStatus: 500 },
    });
    // The first try plus one per back-off wait (5, 10, 20, 40, 60 s).
    expect(h.http.count('GET', /catalog/)).toBe(6);
  });

  it('a client error from discovery (4xx) is final at once', async () => {
    const h = new Harness();
    await h.signIn();
    h.cloud.fault('catalog', json(403), { times: 1 });
    await h.service.register();
    await h.service.whenIdle();
    expect(await h.state()).toBe('inactive');
    expect((await h.service.snapshot()).error?.type).toBe('registrationError');
  });
});

describe('sign-in', () => {
  it('signs in: tokens stored with their expiry, profile read, line shown inactive', async () => {
    const h = new Harness();
    const result = await h.service.signInWithOutcome();
    expect(result.outcome).toBe('signedIn');
    expect(result.snapshot).toMatchObject({
      auth: 'signedIn',
      user: { displayName: 'Ada Lovelace', email: 'ada@example.test' },
      error: null,
      state: 'idle',
    });
    expect(result.snapshot.line?.status).toBe('inactive');
    const tokens = h.store.data.get(TOKENS_KEY) as { expiresAt: number; refreshExpiresAt: number };
    expect(tokens.expiresAt).toBe(h.clock.now() + 3_600_000);
    expect(tokens.refreshExpiresAt).toBe(h.clock.now() + 7_776_000_000);
    expect(h.scheduler.at('auth:refresh')).toBe(h.clock.now() + 3_240_000);
  });

  it('says signingIn while the window is open, and shares one window between callers', async () => {
    const h = new Harness();
    let finish!: (url: string) => void;
    h.identity.launchWebAuthFlow = async (url) => {
      h.identity.launched.push(url);
      const approved = await h.cloud.approve(url);
      return new Promise((resolve) => {
        finish = () => resolve(approved);
      });
    };
    const first = h.service.signIn();
    const second = h.service.signIn();
    await vi.waitFor(() => expect(finish).toBeTypeOf('function'));
    expect((await h.service.snapshot()).auth).toBe('signingIn');
    finish('');
    expect((await first).auth).toBe('signedIn');
    expect((await second).auth).toBe('signedIn');
    expect(h.identity.launched).toHaveLength(1);
  });

  it.each([
    ['closed window', 'close', 'cancelled'],
    ['declined consent', 'decline', 'declined'],
    ['state mismatch', 'wrongState', 'failed'],
  ] as const)(
    '%s: calm and signed out, nothing stored, no line error',
    async (_name, behaviour, outcome) => {
      const h = new Harness();
      h.identity.behaviour = behaviour;
      const result = await h.service.signInWithOutcome();
      expect(result.outcome).toBe(outcome);
      expect(result.message).toBeTruthy();
      expect(result.snapshot).toMatchObject({
        auth: 'signedOut',
        error: null,
        display: 'inactive',
      });
      expect(
        [...h.store.data.keys()].filter((k) => k.startsWith('auth:') || k.startsWith('webex:')),
      ).toEqual([]);
      expect(h.errors()).toEqual([]);
    },
  );

  it('another user signing in drops the previous user line first', async () => {
    const h = new Harness();
    await h.registered();
    const other = '11111111-2222-4333-8444-555555555555';
    h.cloud.person = { ...h.cloud.person, id: btoa(`ciscospark://us/PEOPLE/${other}`) };
    await h.signIn();
    expect(h.cloud.devices.size).toBe(0);
    expect(await h.state()).toBe('idle');
    expect(h.store.data.has(DISCOVERY_KEYS.wdmDevice)).toBe(false);
  });
});

describe('sign-out', () => {
  it('deregisters, deletes the WDM device, clears tokens and caches', async () => {
    const h = new Harness();
    await h.registered();
    const mark = h.mark();
    const [device] = [...h.cloud.devices.keys()];
    const snap = await h.service.signOut();
    expect(requests(h)).toEqual([
      `DELETE ${PRIMARY}devices/${device}`,
      expect.stringMatching(new RegExp(`^DELETE ${WDM_BASE}/devices/wdm-`)),
    ]);
    expect(h.cloud.devices.size).toBe(0);
    expect(h.cloud.wdmDevices.size).toBe(0);
    expect(snap).toMatchObject({
      auth: 'signedOut',
      state: 'idle',
      line: null,
      user: null,
      error: null,
    });
    expect(h.events(mark)).toEqual(['unregistered']);
    expect(
      [...h.store.data.keys()].filter((k) => k.startsWith('auth:') || k.startsWith('webex:')),
    ).toEqual([]);
    expect([...h.scheduler.deadlines.keys()]).toEqual([]);
  });
});

describe('token lifetime', () => {
  it('refreshes on the timer; keepalives then use the new token', async () => {
    const h = new Harness();
    await h.registered();
    await h.advance(3_240_000 + 30_000);
    expect(h.http.count('POST', `${BASE}/v1/access_token`)).toBe(1);
    const keepalives = h.http.calls.filter((c) => c.url.endsWith('/status'));
    expect(keepalives.at(-1)?.headers.authorization).not.toBe(keepalives[0]?.headers.authorization);
    expect(await h.state()).toBe('active');
  });

  it('a refused refresh: the seed token error, signed out, and the UI can offer sign-in', async () => {
    const h = new Harness();
    await h.registered();
    const mark = h.mark();
    h.cloud.revokeRefreshTokens();
    await h.advance(3_240_000);
    const snap = await h.service.snapshot();
    expect(snap).toMatchObject({ auth: 'signedOut', state: 'inactive', display: 'error' });
    expect(snap.error).toEqual({
      status: 'inactive',
      type: 'tokenError',
      msg: 'Token expired. Authentication/Authorization error.',
      detail: { sdkType: 'token_error', action: 'signIn' },
    });
    expect(h.events(mark)).toEqual(['error', 'unregistered']);
    expect(h.scheduler.deadlines.has('line:keepalive')).toBe(false);
    // Signing in again brings the line back (keepRegistered), deleting the old device first.
    await h.signIn();
    await h.service.whenIdle();
    expect(await h.state()).toBe('active');
    expect(h.cloud.devices.size).toBe(1);
  });

  it('a 401 with a refresh that is refused ends in the token error', async () => {
    const h = new Harness();
    await h.registered();
    h.cloud.expireAccessTokens();
    h.cloud.revokeRefreshTokens();
    await h.advance(30_000);
    const snap = await h.service.snapshot();
    expect(snap.error?.type).toBe('tokenError');
    expect(snap.auth).toBe('signedOut');
    expect(h.errors()).toHaveLength(1);
  });
});

describe('settings, timers, subscriptions', () => {
  it('signs out when the environment or integration changes', async () => {
    const h = new Harness();
    await h.registered();
    h.settings.clientId = 'Cother0123456789';
    await h.service.onSettingsChanged();
    const snap = await h.service.snapshot();
    expect(snap.auth).toBe('signedOut');
    expect(h.cloud.devices.size).toBe(0);
  });

  it('broadcasts a preference change without signing out', async () => {
    const h = new Harness();
    await h.signIn();
    const mark = h.raw.length;
    h.settings.keepRegistered = false;
    await h.service.onSettingsChanged();
    expect(h.raw.slice(mark)).toEqual([
      { snapshot: expect.objectContaining({ keepRegistered: false, auth: 'signedIn' }) },
    ]);
  });

  it('ignores unknown timers', async () => {
    const h = new Harness();
    await h.registered();
    await h.service.onTimer('other:thing');
    expect(h.http.calls).toEqual([]);
  });

  it('broadcasts snapshot changes that have no line event, and stops after unsubscribe', async () => {
    const h = new Harness();
    // A 429 emits no line event (SDK), yet the snapshot changes: the next attempt's time.
    h.cloud.fault('register', json(429, {}, { 'Retry-After': '50' }), { prefix: PRIMARY });
    await h.signIn();
    const seen: number[] = [];
    const unsubscribe = h.service.subscribe((b) => {
      if (!b.event && b.snapshot.nextAttemptAt) seen.push(b.snapshot.nextAttemptAt);
    });
    await h.service.register();
    await h.service.whenIdle();
    expect(seen).toEqual([h.clock.now() + 50_000]);
    unsubscribe();
    await h.advance(50_000);
    expect(seen).toHaveLength(1);
  });

  it('never lets a token, the client secret or the verifier out', async () => {
    const h = new Harness();
    await h.registered();
    h.cloud.expireAccessTokens();
    await h.advance(3_600_000);
    await h.service.signOut();
    const tokens = [...h.cloud.accessTokens.keys(), ...h.cloud.refreshTokens.keys()];
    const out = JSON.stringify([h.raw, h.diagnostics]);
    for (const secret of [...tokens, CLIENT_SECRET, 'code_verifier', 'access0'])
      expect(out).not.toContain(secret);
    expect(out).not.toMatch(/access\d+_PF84|refresh\d+_PF84/);
  });
});

describe('CallingClient and Line', () => {
  it('getLines has one line with the seed properties; events reach line listeners', async () => {
    const h = new Harness();
    await h.signIn();
    const client = await createCallingClient(h.service);
    const lines = client.getLines();
    const [lineId] = Object.keys(lines);
    const line = must(lines[must(lineId)]);
    expect(line.lineId).toBe(lineId);
    expect(line.status).toBe('inactive');
    const seen: string[] = [];
    line.on('connecting', () => seen.push('connecting'));
    line.on('registered', (l) => seen.push(`registered ${l.mobiusDeviceId}`));
    expect(line.register()).toBeUndefined();
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    expect(seen).toEqual(['connecting', `registered ${[...h.cloud.devices.keys()][0]}`]);
    expect(line.toJSON()).toMatchObject({
      status: 'active',
      keepaliveInterval: 30,
      sipAddresses: [expect.stringMatching(/^sip:/)],
    });
    const unregistered = vi.fn();
    line.on('unregistered', unregistered);
    expect(line.deregister()).toBeUndefined();
    await vi.waitFor(() => expect(unregistered).toHaveBeenCalledWith(undefined));
    expect(line.status).toBe('IDLE');
  });

  it('error events carry the seed payload', async () => {
    const h = new Harness();
    await h.signIn();
    h.cloud.fault('register', json(404), { times: 3 });
    const line = must(Object.values((await createCallingClient(h.service)).getLines())[0]);
    const errors: unknown[] = [];
    line.on('error', (e) => errors.push(e));
    line.register();
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatchObject({
      status: 'inactive',
      type: 'registrationError',
      msg: 'Device not found.',
    });
  });
});
