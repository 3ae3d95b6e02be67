import { describe, expect, it, vi } from 'vitest';
import { createDiagnostics } from '../../../lib/app/diagnostics';
import { createPageCallHost } from '../../../lib/app/page-call-host';
import { PageCallRefusal } from '../../../lib/app/page-calls';
import { pageStatusFor } from '../../../lib/app/page-status';
import { MAX_PAYLOAD_CHARS, routeMessage } from '../../../lib/app/router';
import { createSettingsStore } from '../../../lib/app/settings-store';
import { defaultSettings } from '../../../lib/build-defaults';
import type { StatusSnapshot } from '../../../lib/messaging/protocol';
import { parsePolicy } from '../../../lib/policy/parse';
import { t } from '../../../lib/ui/i18n';
import { SEED_MESSAGES } from '../../../lib/webex/errors';
import { memoryStore } from '../platform/memory-store';
import { installI18n } from '../ui/helpers';

const EXT = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${EXT}`;
const extensionPage = { id: EXT, url: `${ORIGIN}/popup.html` };
const optedInTab = { id: EXT, url: 'https://crm.example.com/case/1', tabId: 4, frameId: 0 };

const snapshot: StatusSnapshot = {
  state: 'active',
  display: 'registered',
  auth: 'signedIn',
  user: { displayName: 'Alice', email: 'alice@example.com' },
  line: { lineId: 'l1', status: 'active', sipAddresses: ['sip:a@b'], mobiusDeviceId: 'd1' },
  error: null,
  server: { url: 'https://mobius/api/v1/calling/web/', role: 'primary' },
  nextAttemptAt: null,
  retryHoldUntil: null,
  confirmedAt: null,
  since: null,
  confirmBy: null,
  configured: true,
  keepRegistered: true,
  at: 1,
};

function context(managed: unknown = {}) {
  const store = memoryStore();
  const settings = createSettingsStore(
    store,
    { ...defaultSettings(false), sites: ['https://crm.example.com'] },
    async () => parsePolicy(managed),
  );
  const op = () => vi.fn(async () => snapshot);
  return {
    extensionId: EXT,
    extensionOrigin: ORIGIN,
    pageStatus: (snap: StatusSnapshot) =>
      pageStatusFor(snap, {
        tokenError: t('pageErrorToken'),
        registrationError: t('pageErrorRegistration'),
      }),
    redirectUrl: `https://${EXT}.chromiumapp.org/`,
    line: {
      snapshot: op(),
      signInWithOutcome: vi.fn(async () => ({ outcome: 'signedIn' as const, snapshot })),
      signOut: op(),
      register: op(),
      deregister: op(),
      listDevices: vi.fn(async () => ({ ok: true as const, devices: [] })),
      removeDevice: vi.fn(async () => ({ ok: true as const, devices: [] })),
    },
    settings,
    diagnostics: createDiagnostics(store, { now: () => 5 }),
    enableSite: vi.fn(async () => {}),
    disableSite: vi.fn(async () => {}),
    settingsChanged: vi.fn(async () => {}),
    callPreferencesChanged: vi.fn(async () => {}),
  };
}

describe('message router', () => {
  it('answers extension pages with the full snapshot', async () => {
    const ctx = context();
    expect(await routeMessage({ type: 'status/get', payload: {} }, extensionPage, ctx)).toEqual({
      ok: true,
      value: snapshot,
    });
    await routeMessage({ type: 'line/deregister', payload: {} }, extensionPage, ctx);
    expect(ctx.line.deregister).toHaveBeenCalledOnce();
  });

  it('gives content scripts on opted-in sites only the page status, and only for allowed requests', async () => {
    const ctx = context();
    const answer = await routeMessage({ type: 'line/register', payload: {} }, optedInTab, ctx);
    expect(answer).toEqual({
      ok: true,
      value: { status: 'registered', error: null, signedIn: true },
    });
    expect(JSON.stringify(answer)).not.toContain('d1');
    // A page's register may never replace another of the user's devices.
    expect(ctx.line.register).toHaveBeenCalledWith({ fromPage: true });
    expect(
      await routeMessage({ type: 'auth/signOut', payload: {} }, optedInTab, ctx),
    ).toMatchObject({ ok: false });
    expect(
      await routeMessage({ type: 'settings/get', payload: {} }, optedInTab, ctx),
    ).toMatchObject({ ok: false });
    expect(ctx.line.signOut).not.toHaveBeenCalled();
  });

  it('does not answer other extensions, sites not opted in, or malformed messages', async () => {
    const ctx = context();
    expect(
      await routeMessage(
        { type: 'status/get', payload: {} },
        { ...extensionPage, id: 'other' },
        ctx,
      ),
    ).toBeUndefined();
    expect(
      await routeMessage(
        { type: 'line/register', payload: {} },
        { ...optedInTab, url: 'https://evil.example/' },
        ctx,
      ),
    ).toBeUndefined();
    expect(await routeMessage({ type: 'nope', payload: {} }, extensionPage, ctx)).toBeUndefined();
    expect(await routeMessage('status/get', extensionPage, ctx)).toBeUndefined();
    expect(
      await routeMessage({ type: 'status/get', payload: 'x' }, extensionPage, ctx),
    ).toBeUndefined();
    expect(ctx.line.register).not.toHaveBeenCalled();
  });

  it('never sends the client secret back and reports validation errors without saving', async () => {
    const ctx = context();
    const bad = await routeMessage(
      {
        type: 'settings/save',
        payload: { settings: { environment: { kind: 'custom', baseUrl: 'nope' } } },
      },
      extensionPage,
      ctx,
    );
    expect(bad).toMatchObject({
      ok: true,
      value: { errors: { baseUrl: expect.any(String), clientId: expect.any(String) } },
    });
    expect(ctx.settingsChanged).not.toHaveBeenCalled();

    const good = await routeMessage(
      {
        type: 'settings/save',
        payload: {
          settings: {
            environment: { kind: 'production' },
            clientId: 'Cabcdef123456',
            clientSecret: 's3cret',
            keepRegistered: false,
            notifications: true,
          },
        },
      },
      extensionPage,
      ctx,
    );
    expect(JSON.stringify(good)).not.toContain('s3cret');
    expect(good).toMatchObject({
      ok: true,
      value: { settings: { clientSecretSet: true, keepRegistered: false } },
    });
    expect(ctx.settingsChanged).toHaveBeenCalledOnce();
  });

  it('saves the call preferences on their own, tells the calls document, and refuses web pages', async () => {
    const ctx = context();
    const calls = {
      ring: false,
      ringVolume: 0.4,
      devices: { microphone: 'm1', speaker: '', ringer: 's2' },
    };
    const send = (payload: unknown, sender = extensionPage) =>
      routeMessage({ type: 'settings/calls', payload }, sender, ctx);
    expect(await send({ calls })).toMatchObject({ ok: true, value: { settings: { calls } } });
    expect(ctx.callPreferencesChanged).toHaveBeenCalledOnce();
    // A bad value: field errors in the answer, nothing stored, nobody told.
    expect(await send({ calls: { ...calls, ringVolume: 3 } })).toMatchObject({
      ok: true,
      value: { settings: { calls }, errors: { ringVolume: 'ringVolumeInvalid' } },
    });
    expect(ctx.callPreferencesChanged).toHaveBeenCalledOnce();
    expect(await send({ calls: { ...calls, ring: true } }, optedInTab)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect((await ctx.settings.load()).calls).toEqual(calls);
  });

  it('a new environment or client ID signs out first, against the old settings, then saves', async () => {
    const ctx = context();
    const save = (settings: Record<string, unknown>) =>
      routeMessage({ type: 'settings/save', payload: { settings } }, extensionPage, ctx);
    const base = {
      environment: { kind: 'production' },
      clientId: 'Cabcdef123456',
      clientSecret: 's3cret',
      keepRegistered: true,
      notifications: true,
    };
    await save(base);
    ctx.line.signOut.mockClear();
    // Same environment and integration: a preference change does not sign out.
    await save({ ...base, clientSecret: undefined, notifications: false });
    expect(ctx.line.signOut).not.toHaveBeenCalled();
    // Another environment: the sign-out runs while the stored settings are still the old ones.
    const seenAtSignOut: string[] = [];
    ctx.line.signOut.mockImplementation(async () => {
      const stored = await ctx.settings.load();
      seenAtSignOut.push(stored.environment.kind);
      return snapshot;
    });
    const moved = await save({
      ...base,
      environment: { kind: 'custom', baseUrl: 'https://webex.example.org' },
      clientSecret: 'other-secret',
    });
    expect(seenAtSignOut).toEqual(['production']);
    expect(moved).toMatchObject({
      ok: true,
      value: { settings: { environment: { kind: 'custom' } } },
    });
    expect((await ctx.settings.load()).environment.kind).toBe('custom');
    // A refused save signs nobody out.
    ctx.line.signOut.mockClear();
    await save({ ...base, clientId: 'Cother12345678', clientSecret: undefined });
    expect(ctx.line.signOut).not.toHaveBeenCalled();
  });

  it('lists and removes devices for extension pages only, with a checked device id', async () => {
    const ctx = context();
    expect(await routeMessage({ type: 'devices/list', payload: {} }, extensionPage, ctx)).toEqual({
      ok: true,
      value: { devices: [] },
    });
    expect(
      await routeMessage({ type: 'devices/list', payload: {} }, optedInTab, ctx),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await routeMessage({ type: 'devices/remove', payload: { deviceId: 42 } }, extensionPage, ctx),
    ).toMatchObject({ ok: false, error: { code: 'invalid' } });
    await routeMessage({ type: 'devices/remove', payload: { deviceId: 'd7' } }, extensionPage, ctx);
    expect(ctx.line.removeDevice).toHaveBeenCalledWith('d7');
    ctx.line.listDevices.mockResolvedValueOnce({
      ok: false,
      error: { message: 'Mobius could not be reached' },
    } as never);
    expect(await routeMessage({ type: 'devices/list', payload: {} }, extensionPage, ctx)).toEqual({
      ok: false,
      error: { code: 'failed', message: 'Mobius could not be reached' },
    });
  });

  it('with a managed policy: the settings in effect, what is locked, and the policy sites served', async () => {
    const ctx = context({
      environment: 'webex',
      clientId: 'Corg0123456789',
      tokenBrokerUrl: 'https://broker.example.com/token',
      clickToRegisterSites: ['https://helpdesk.example.com'],
    });
    const view = await routeMessage({ type: 'settings/get', payload: {} }, extensionPage, ctx);
    expect(view).toMatchObject({
      ok: true,
      value: {
        settings: {
          clientId: 'Corg0123456789',
          tokenBrokerUrl: 'https://broker.example.com/token',
          clientSecretSet: false,
          sites: ['https://helpdesk.example.com', 'https://crm.example.com'],
        },
        policy: {
          managed: true,
          locked: { clientId: true, environment: true, tokenBrokerUrl: true },
          policySites: ['https://helpdesk.example.com'],
        },
      },
    });
    // A forged save for the locked client id changes nothing and signs nobody out.
    const saved = await routeMessage(
      {
        type: 'settings/save',
        payload: {
          settings: {
            environment: { kind: 'production' },
            clientId: 'Cforged0123456',
            keepRegistered: false,
            notifications: true,
          },
        },
      },
      extensionPage,
      ctx,
    );
    expect(saved).toMatchObject({
      ok: true,
      value: { settings: { clientId: 'Corg0123456789', keepRegistered: false } },
    });
    expect(ctx.line.signOut).not.toHaveBeenCalled();
    // The policy's site is opted in: its content script is served.
    const page = { ...optedInTab, url: 'https://helpdesk.example.com/ticket/7' };
    expect(await routeMessage({ type: 'status/get', payload: {} }, page, ctx)).toMatchObject({
      ok: true,
      value: { status: 'registered' },
    });
  });

  it('click-to-register sites: https, or plain http only on this computer', async () => {
    const ctx = context();
    const add = (origin: string) =>
      routeMessage({ type: 'sites/add', payload: { origin } }, extensionPage, ctx);
    expect(await add('http://crm.example.com')).toMatchObject({
      ok: false,
      error: { code: 'invalid', message: 'siteInsecure' },
    });
    expect(await add('http://localhost:3000')).toMatchObject({ ok: true });
    expect(await add('https://helpdesk.example.com')).toMatchObject({ ok: true });
    expect(ctx.enableSite).not.toHaveBeenCalledWith('http://crm.example.com');
  });

  it('adds and removes sites through the permission hooks', async () => {
    const ctx = context();
    const added = await routeMessage(
      { type: 'sites/add', payload: { origin: 'http://127.0.0.1:8790/' } },
      extensionPage,
      ctx,
    );
    expect(added).toEqual({
      ok: true,
      value: { sites: ['https://crm.example.com', 'http://127.0.0.1:8790'] },
    });
    expect(ctx.enableSite).toHaveBeenCalledWith('http://127.0.0.1:8790');
    expect(
      await routeMessage(
        { type: 'sites/add', payload: { origin: 'javascript:1' } },
        extensionPage,
        ctx,
      ),
    ).toMatchObject({ ok: false });
    const removed = await routeMessage(
      { type: 'sites/remove', payload: { origin: 'https://crm.example.com' } },
      extensionPage,
      ctx,
    );
    expect(removed).toEqual({ ok: true, value: { sites: ['http://127.0.0.1:8790'] } });
    expect(ctx.disableSite).toHaveBeenCalledWith('https://crm.example.com');
  });

  it('turns a failing operation into an error response', async () => {
    const ctx = context();
    ctx.line.register.mockRejectedValueOnce(new Error('boom'));
    expect(await routeMessage({ type: 'line/register', payload: {} }, extensionPage, ctx)).toEqual({
      ok: false,
      error: { code: 'failed', message: 'boom' },
    });
  });

  it('answers a cancelled or declined sign-in with its own calm code', async () => {
    const ctx = context();
    expect(await routeMessage({ type: 'auth/signIn', payload: {} }, extensionPage, ctx)).toEqual({
      ok: true,
      value: snapshot,
    });
    ctx.line.signInWithOutcome.mockResolvedValueOnce({
      outcome: 'cancelled',
      message: 'Sign-in was cancelled.',
      snapshot,
    } as never);
    expect(await routeMessage({ type: 'auth/signIn', payload: {} }, extensionPage, ctx)).toEqual({
      ok: false,
      error: { code: 'cancelled', message: 'Sign-in was cancelled.' },
    });
    ctx.line.signInWithOutcome.mockResolvedValueOnce({
      outcome: 'failed',
      message: 'State mismatch.',
      snapshot,
    } as never);
    expect(
      await routeMessage({ type: 'auth/signIn', payload: {} }, extensionPage, ctx),
    ).toMatchObject({ ok: false, error: { code: 'signInFailed' } });
  });
});

describe('message router: what a page can reach', () => {
  it('does not serve a content script in a sub-frame, even on an opted-in site', async () => {
    const ctx = context();
    // An opted-in site framed by another page could be used to trick the user into clicking.
    for (const type of ['status/get', 'line/register'])
      expect(
        await routeMessage({ type, payload: {} }, { ...optedInTab, frameId: 3 }, ctx),
      ).toBeUndefined();
    expect(ctx.line.register).not.toHaveBeenCalled();
  });

  it('never gives a page an error text that names a server or a setting', async () => {
    installI18n();
    const ctx = context();
    const leaky = {
      status: 'inactive' as const,
      type: 'registrationError' as const,
      msg: '127.0.0.1:8790 could not be reached. Wait a moment and try again.',
    };
    ctx.line.snapshot.mockResolvedValueOnce({
      ...snapshot,
      state: 'inactive',
      display: 'error',
      error: leaky,
    });
    const answer = await routeMessage({ type: 'status/get', payload: {} }, optedInTab, ctx);
    expect(JSON.stringify(answer)).not.toContain('127.0.0.1');
    expect(answer).toMatchObject({
      ok: true,
      value: { status: 'error', error: { type: 'registrationError', msg: expect.any(String) } },
    });
    // The seed's fixed messages reach the page as they are.
    ctx.line.register.mockResolvedValueOnce({
      ...snapshot,
      state: 'inactive',
      display: 'error',
      error: { ...leaky, msg: SEED_MESSAGES.deviceNotFound },
    });
    expect(
      await routeMessage({ type: 'line/register', payload: {} }, optedInTab, ctx),
    ).toMatchObject({ value: { error: { msg: 'Device not found.' } } });
    // Extension pages still get the full message.
    ctx.line.snapshot.mockResolvedValueOnce({ ...snapshot, error: leaky });
    expect(
      await routeMessage({ type: 'status/get', payload: {} }, extensionPage, ctx),
    ).toMatchObject({ value: { error: { msg: leaky.msg } } });
  });

  it('refuses oversized payloads and normalises a removed site before touching permissions', async () => {
    const ctx = context();
    const huge = await routeMessage(
      { type: 'sites/add', payload: { origin: `https://${'a'.repeat(MAX_PAYLOAD_CHARS)}.com` } },
      extensionPage,
      ctx,
    );
    expect(huge).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(ctx.enableSite).not.toHaveBeenCalled();

    expect(
      await routeMessage(
        { type: 'sites/remove', payload: { origin: '<all_urls>' } },
        extensionPage,
        ctx,
      ),
    ).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(ctx.disableSite).not.toHaveBeenCalled();

    expect(
      await routeMessage(
        { type: 'sites/remove', payload: { origin: 'https://CRM.example.com/' } },
        extensionPage,
        ctx,
      ),
    ).toEqual({ ok: true, value: { sites: [] } });
    expect(ctx.disableSite).toHaveBeenCalledWith('https://crm.example.com');
  });
});

describe('development timing overrides', () => {
  const request = (timing: unknown) => ({ type: 'dev/timing', payload: { timing } });

  it('are refused by production builds (no devTiming hook) and never served to web pages', async () => {
    const ctx = context();
    expect(await routeMessage(request({ minuteMs: 1000 }), extensionPage, ctx)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const devTiming = vi.fn(async (t: Record<string, number>) => t);
    expect(
      await routeMessage(request({ minuteMs: 1000 }), optedInTab, { ...ctx, devTiming }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(devTiming).not.toHaveBeenCalled();
  });

  it('accept known Timing fields and call timers with non-negative numbers only', async () => {
    const devTiming = vi.fn(async (t: Record<string, number>) => t);
    const ctx = { ...context(), devTiming };
    const good = { minuteMs: 1000, watchdogSlackMs: 5000, callRingMs: 3000 };
    expect(await routeMessage(request(good), extensionPage, ctx)).toEqual({
      ok: true,
      value: { timing: good },
    });
    const bads = [{ nope: 1 }, { minuteMs: -1 }, { minuteMs: '5' }, { ringMs: 5 }, [1], null];
    for (const bad of bads) {
      expect(await routeMessage(request(bad), extensionPage, ctx)).toMatchObject({
        ok: false,
        error: { code: 'invalid' },
      });
    }
    expect(devTiming).toHaveBeenCalledTimes(1);
  });
});

describe('diagnostics', () => {
  it('keeps the newest entries and redacts secrets', async () => {
    const diagnostics = createDiagnostics(memoryStore(), { now: () => 7 }, 2);
    await diagnostics.add('a', 'one');
    await diagnostics.add('b', 'two', { accessToken: 'xyz', server: 's' });
    await diagnostics.add('c', 'three');
    const entries = await diagnostics.list();
    expect(entries.map((e) => e.kind)).toEqual(['b', 'c']);
    expect(entries[0]?.data).toEqual({ accessToken: '[redacted]', server: 's' });
    await diagnostics.clear();
    expect(await diagnostics.list()).toEqual([]);
  });

  it('stamps each entry when it is logged, not when its write gets its turn', async () => {
    let now = 100;
    const store = memoryStore();
    let releaseFirst: () => void = () => {};
    const slowFirst: typeof store = {
      ...store,
      set: async (key, value) => {
        if (now === 100) await new Promise<void>((resolve) => (releaseFirst = resolve));
        await store.set(key, value);
      },
    };
    const diagnostics = createDiagnostics(slowFirst, { now: () => now });
    const first = diagnostics.add('a', 'first');
    await Promise.resolve();
    now = 150;
    const second = diagnostics.add('b', 'second');
    now = 400;
    releaseFirst();
    await Promise.all([first, second]);
    expect((await diagnostics.list()).map((e) => e.at)).toEqual([100, 150]);
  });

  it('redacts token values but keeps timing names that mention tokens', async () => {
    const diagnostics = createDiagnostics(memoryStore(), { now: () => 8 });
    await diagnostics.add('dev', 'Timing overrides applied', {
      tokenRetryMs: 1000,
      tokenRefreshFraction: 0.1,
      accessToken: 'a-secret',
      refresh_token: 'r-secret',
      tokens: { any: 'thing' },
      token_type: 'Bearer',
    });
    const [entry] = await diagnostics.list();
    expect(entry?.data).toEqual({
      tokenRetryMs: 1000,
      tokenRefreshFraction: 0.1,
      accessToken: '[redacted]',
      refresh_token: '[redacted]',
      tokens: '[redacted]',
      token_type: '[redacted]',
    });
  });

  it('redacts secrets at any depth and inside text, and keeps Mobius error codes', async () => {
    const diagnostics = createDiagnostics(memoryStore(), { now: () => 7 });
    await diagnostics.add('line', 'Line error', {
      detail: { errorCode: 101, httpStatus: 403, auth: { refresh_token: 'rt-secret' } },
      attempts: [{ headers: { Authorization: 'Bearer at-secret' } }],
      reason: 'Request failed: Authorization: Bearer at-secret2, retrying',
      redirect: 'https://x.chromiumapp.org/?code=oauth-code-secret&state=s1',
    });
    await diagnostics.add('auth', 'Exchange sent code=oauth-code-2&code_verifier=pkce-secret');
    const entries = await diagnostics.list();
    const text = JSON.stringify(entries);
    for (const secret of ['rt-secret', 'at-secret', 'oauth-code', 'pkce-secret'])
      expect(text).not.toContain(secret);
    expect(entries[0]?.data).toMatchObject({
      detail: { errorCode: 101, httpStatus: 403, auth: { refresh_token: '[redacted]' } },
      redirect: 'https://x.chromiumapp.org/?code=[redacted]&state=s1',
    });
  });
});

describe('message router: click to call', () => {
  const page = { tabId: 4, origin: 'https://crm.example.com' };
  const confirmWindow = {
    id: EXT,
    url: `${ORIGIN}/confirm-call.html#request-1`,
    tabId: 170,
    frameId: 0,
  };

  function withPageCalls() {
    const ctx = context();
    const pageCalls = {
      ask: vi.fn(async () => {}),
      details: vi.fn(async () => ({
        number: '5550100',
        origin: page.origin,
        state: 'confirming' as const,
      })),
      confirm: vi.fn(async () => ({
        number: '5550100',
        origin: page.origin,
        state: 'ringing' as const,
      })),
    };
    const pageStatus = vi.fn((snap: StatusSnapshot, of?: { tabId: number; origin: string }) => ({
      ...ctx.pageStatus(snap),
      ...(of?.tabId === 4 ? { call: 'confirming' as const } : {}),
    }));
    return { ...ctx, pageCalls, pageStatus };
  }

  it('a content script in the top frame of an opted-in site may ask; it gets its own page status', async () => {
    const ctx = withPageCalls();
    const answer = await routeMessage(
      { type: 'page/call', payload: { number: '5550100' } },
      optedInTab,
      ctx,
    );
    expect(ctx.pageCalls.ask).toHaveBeenCalledWith(page, { number: '5550100' }, snapshot);
    expect(answer).toEqual({
      ok: true,
      value: { status: 'registered', error: null, signedIn: true, call: 'confirming' },
    });
    // Its status requests carry its tab too.
    await routeMessage({ type: 'status/get', payload: {} }, optedInTab, ctx);
    expect(ctx.pageStatus).toHaveBeenLastCalledWith(snapshot, page);
  });

  it('a sub-frame, another extension or a site not opted in is not answered', async () => {
    const ctx = withPageCalls();
    const message = { type: 'page/call', payload: { number: '5550100' } };
    for (const sender of [
      { ...optedInTab, frameId: 2 },
      { ...optedInTab, id: 'another-extension' },
      { ...optedInTab, url: 'https://evil.example/' },
      { ...optedInTab, tabId: undefined },
    ])
      expect(await routeMessage(message, sender, ctx)).toBeUndefined();
    expect(ctx.pageCalls.ask).not.toHaveBeenCalled();
  });

  it('a request while one is pending is refused with its reason', async () => {
    const ctx = withPageCalls();
    ctx.pageCalls.ask.mockRejectedValueOnce(
      new PageCallRefusal('busy', 'A call from this page is already waiting or in progress.'),
    );
    expect(
      await routeMessage({ type: 'page/call', payload: { number: '1' } }, optedInTab, ctx),
    ).toEqual({
      ok: false,
      error: { code: 'busy', message: 'A call from this page is already waiting or in progress.' },
    });
  });

  it('content scripts may not confirm, read the request, or command calls', async () => {
    const ctx = withPageCalls();
    for (const [type, payload] of [
      ['pageCall/confirm', { requestId: 'request-1', accept: true }],
      ['pageCall/get', { requestId: 'request-1' }],
      ['calls/command', { command: { kind: 'dial', number: '1' } }],
    ] as const)
      expect(await routeMessage({ type, payload }, optedInTab, ctx)).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    expect(ctx.pageCalls.confirm).not.toHaveBeenCalled();
    expect(ctx.pageCalls.details).not.toHaveBeenCalled();
  });

  it('confirmation requests come from extension pages, with their tab; page/call does not', async () => {
    const ctx = withPageCalls();
    const payload = { requestId: 'request-1', accept: true };
    expect(
      await routeMessage({ type: 'pageCall/confirm', payload }, confirmWindow, ctx),
    ).toMatchObject({ ok: true, value: { state: 'ringing' } });
    expect(ctx.pageCalls.confirm).toHaveBeenCalledWith(payload, 170);
    await routeMessage(
      { type: 'pageCall/get', payload: { requestId: 'request-1' } },
      confirmWindow,
      ctx,
    );
    expect(ctx.pageCalls.details).toHaveBeenCalledWith({ requestId: 'request-1' }, 170);
    expect(
      await routeMessage({ type: 'page/call', payload: { number: '1' } }, extensionPage, ctx),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ctx.pageCalls.ask).not.toHaveBeenCalled();
  });

  it('with the real host: only the window opened for the request dials, under the worker key', async () => {
    const ctx = context();
    const saved: { value: unknown } = { value: undefined };
    const dial = vi.fn(async () => {
      throw new Error('Placing calls is not supported yet.');
    });
    const pageCalls = createPageCallHost({
      storage: {
        load: async () => saved.value,
        save: async (state) => {
          saved.value = state;
        },
      },
      windows: {
        open: async () => ({ windowId: 70, tabId: 170 }),
        close: async () => {},
        exists: async () => true,
      },
      tabs: { originOf: async () => page.origin, follow: () => {} },
      dial,
      newCallKey: () => 'worker-key',
      newRequestId: () => 'request-1',
      clock: { now: () => 1 },
      changed: () => {},
      log: () => {},
    });
    const full = {
      ...ctx,
      pageCalls,
      pageStatus: (snap: StatusSnapshot, of?: { tabId: number; origin: string }) => {
        const call = of && pageCalls.forPage(of, snap.calling);
        return call ? { ...ctx.pageStatus(snap), call } : ctx.pageStatus(snap);
      },
    };
    expect(
      await routeMessage(
        { type: 'page/call', payload: { number: '555 0100', key: 'chosen-by-page' } },
        optedInTab,
        full,
      ),
    ).toMatchObject({ ok: true, value: { call: 'confirming' } });
    // Another extension page (the popup, in no tab or another tab) cannot answer for the user.
    expect(
      await routeMessage(
        { type: 'pageCall/confirm', payload: { requestId: 'request-1', accept: true } },
        { ...extensionPage, tabId: 12, frameId: 0 },
        full,
      ),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(dial).not.toHaveBeenCalled();
    expect(
      await routeMessage(
        { type: 'pageCall/confirm', payload: { requestId: 'request-1', accept: true } },
        confirmWindow,
        full,
      ),
    ).toMatchObject({ ok: true, value: { state: 'failed' } });
    expect(dial).toHaveBeenCalledWith({ kind: 'dial', key: 'worker-key', number: '5550100' });
    // The page learns only that its call failed: no key, no error text of the calls document.
    const status = await routeMessage({ type: 'status/get', payload: {} }, optedInTab, full);
    expect(status).toEqual({
      ok: true,
      value: { status: 'registered', error: null, signedIn: true, call: 'failed' },
    });
    expect(JSON.stringify(status)).not.toMatch(/worker-key|request-1|supported/);
    // Another tab of the same site sees nothing of it.
    expect(
      await routeMessage({ type: 'status/get', payload: {} }, { ...optedInTab, tabId: 5 }, full),
    ).toEqual({ ok: true, value: { status: 'registered', error: null, signedIn: true } });
  });
});
