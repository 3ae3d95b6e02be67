/**
 * The managed policy in the background: the settings in effect (policy applied, the user's own
 * settings untouched), the last policy kept in the Store so start-up never waits for the
 * browser, and a live change applied without a restart (signing out against the old
 * environment when it names another one, and sending the new one nothing).
 */
import { describe, expect, it } from 'vitest';
import { createPolicyState, POLICY_KEY, type PolicyState } from '../../../lib/app/policy-state';
import { createPolicySync } from '../../../lib/app/policy-sync';
import { createSettingsStore } from '../../../lib/app/settings-store';
import { loadTokens } from '../../../lib/auth/tokens';
import { parsePolicy } from '../../../lib/policy/parse';
import type { Settings } from '../../../lib/settings';
import { BROKER_URL, mountBroker } from '../fakes/broker';
import { BASE, CLIENT_ID, CLIENT_SECRET } from '../fakes/cloud';
import { Harness, testSettings } from '../fakes/harness';
import { MemoryStore } from '../fakes/store';

const ORG = {
  environment: 'webex',
  clientId: 'Corg0123456789',
  tokenBrokerUrl: 'https://broker.example.com/token',
  clickToRegisterSites: ['https://crm.example.com'],
};

/** A read deadline that never passes (the deadline has its own test in fresh-policy.test.ts). */
const never = () => new Promise<void>(() => {});

/** A browser whose managed storage answers `managed` (change it to push a new policy). */
function browserPolicy(initial: unknown = {}) {
  const browser = { managed: initial, reads: 0, pending: false };
  const read = async () => {
    browser.reads += 1;
    if (browser.pending) return new Promise<never>(() => {});
    return structuredClone(browser.managed);
  };
  return { browser, read };
}

function setup(user: Settings = testSettings(), managed: unknown = {}) {
  const store = new MemoryStore();
  const { browser, read } = browserPolicy(managed);
  const policy = createPolicyState({ store, read, wait: never });
  const settings = createSettingsStore(store, user, policy.current);
  return { store, browser, read, policy, settings };
}

describe('the settings in effect', () => {
  it("apply the policy on every read and never write it into the user's settings", async () => {
    const { store, policy, settings } = setup(testSettings(), ORG);
    await policy.refresh();
    expect(await settings.load()).toMatchObject({
      environment: { kind: 'production' },
      clientId: 'Corg0123456789',
      tokenBrokerUrl: ORG.tokenBrokerUrl,
      clientSecret: '',
      sites: ['https://crm.example.com'],
    });
    expect(store.data.get('settings')).toBeUndefined();
    // A save of what the user may edit stores the user's own values, not the policy's.
    const saved = await settings.save({
      environment: { kind: 'production' },
      clientId: 'Corg0123456789',
      tokenBrokerUrl: ORG.tokenBrokerUrl,
      keepRegistered: false,
      notifications: false,
    });
    expect(saved).toMatchObject({ ok: true, value: { clientId: 'Corg0123456789' } });
    expect(store.data.get('settings')).toMatchObject({
      environment: { kind: 'custom', baseUrl: BASE },
      clientId: CLIENT_ID,
      tokenBrokerUrl: '',
      keepRegistered: false,
    });
  });

  it('tell the options page what is locked, the policy sites and the problems (no values)', async () => {
    const { policy, settings } = setup(testSettings(), {
      ...ORG,
      clickToRegisterSites: ['https://crm.example.com', 'http://crm.example.com'],
    });
    await policy.refresh();
    const view = await settings.policy();
    expect(view).toMatchObject({
      managed: true,
      locked: { environment: true, clientId: true, tokenBrokerUrl: true, sites: false },
      policySites: ['https://crm.example.com'],
      problems: [
        { field: 'clickToRegisterSites[1]', reason: 'invalidEntry', detail: 'siteInsecure' },
      ],
    });
    expect(JSON.stringify(view.problems)).not.toContain('crm.example.com');
  });

  it('keep the policy sites: not removable, and a locked list takes no additions', async () => {
    const { policy, settings } = setup(testSettings({ sites: ['https://mine.example'] }), ORG);
    await policy.refresh();
    expect((await settings.removeSite('https://crm.example.com')).sites).toContain(
      'https://crm.example.com',
    );
    expect((await settings.removeSite('https://mine.example')).sites).toEqual([
      'https://crm.example.com',
    ]);

    const locked = setup(testSettings(), { lockSettings: true });
    await locked.policy.refresh();
    expect(await locked.settings.addSite('https://new.example')).toEqual({
      ok: false,
      errors: { origin: 'sitesLocked' },
    });
  });

  it('come back to the user settings as they were when the policy goes', async () => {
    const { browser, policy, settings } = setup(testSettings(), ORG);
    await policy.refresh();
    browser.managed = {};
    await policy.refresh();
    expect(await settings.load()).toEqual(testSettings());
  });
});

describe('the policy state', () => {
  it('applies the last policy read at once on a new worker, without waiting for the browser', async () => {
    const { store, policy } = setup(testSettings(), ORG);
    await policy.refresh();
    // A new worker; the browser's first read takes seconds (here: forever).
    const { browser, read } = browserPolicy(ORG);
    browser.pending = true;
    const restarted = createPolicyState({ store, read, wait: never });
    const settings = createSettingsStore(store, testSettings(), restarted.current);
    expect((await settings.load()).clientId).toBe('Corg0123456789');
    expect(browser.reads).toBe(0);
  });

  it('keeps only the parsed policy: a value the schema does not know is never stored', async () => {
    const { store, policy } = setup(testSettings(), {
      clientId: 'Corg0123456789',
      clientSecret: 'x-secret',
    });
    const { changed, next } = await policy.refresh();
    expect(changed).toBe(true);
    expect(next.problems).toEqual([expect.objectContaining({ reason: 'unknownField' })]);
    expect(store.dump()).not.toContain('x-secret');
    expect(store.data.get(POLICY_KEY)).toEqual(next);
  });

  it('an unchanged policy is not written again; a failed read keeps the last one', async () => {
    const store = new MemoryStore();
    let fail = false;
    const policy: PolicyState = createPolicyState({
      store,
      wait: never,
      read: async () => {
        if (fail) throw new Error('Managed storage manifest not found');
        return ORG;
      },
    });
    await policy.refresh();
    const writes = store.writes;
    expect((await policy.refresh()).changed).toBe(false);
    expect(store.writes).toBe(writes);
    fail = true;
    await expect(policy.refresh()).rejects.toThrow('Managed storage');
    expect(await policy.current()).toEqual(parsePolicy(ORG));
  });
});

describe('a live policy change', () => {
  /** The line service over a settings store with a policy, and the background's sync. */
  function live(user: Settings = testSettings(), managed: unknown = {}) {
    const parts = setup(user, managed);
    const h = new Harness({ loadSettings: () => parts.settings.load() });
    const log: string[] = [];
    const sync = createPolicySync({
      policy: parts.policy,
      settings: () => parts.settings.load(),
      applied: () => h.service.onSettingsChanged(),
      log: (_kind, message) => {
        log.push(message);
      },
    });
    return { ...parts, h, sync, log };
  }

  it('to another environment signs out against the old one, and sends the new one nothing', async () => {
    const { h, browser, sync, log } = live();
    await h.registered();
    const device = [...h.cloud.devices.keys()];
    expect(device).toHaveLength(1);

    browser.managed = { environment: 'custom', customBaseUrl: 'https://other.example.com' };
    expect(await sync.sync()).toBe(true);
    await h.service.whenIdle();

    const snapshot = await h.service.snapshot();
    expect(snapshot).toMatchObject({ auth: 'signedOut', state: 'idle' });
    // The line's devices went, with the old token, to the old environment's hosts.
    expect(h.cloud.devices.size).toBe(0);
    expect(h.http.calls.filter((c) => c.method === 'DELETE').length).toBeGreaterThanOrEqual(2);
    for (const call of h.http.calls) expect(call.url).not.toContain('other.example.com');
    expect(
      h.http.calls.filter((c) => c.headers.authorization).map((c) => new URL(c.url).host),
    ).not.toContain('other.example.com');
    expect(log).toContain('Managed policy applied');
    // No error reached the user: a sign-out, not a failure.
    expect(h.errors()).toEqual([]);
  });

  it('to another client id signs out too; a new broker URL keeps the sign-in', async () => {
    const broker = live();
    await broker.h.registered();
    mountBroker(broker.h);
    broker.browser.managed = { tokenBrokerUrl: BROKER_URL };
    await broker.sync.sync();
    await broker.h.service.whenIdle();
    expect(await broker.h.service.snapshot()).toMatchObject({ auth: 'signedIn', state: 'active' });

    const other = live();
    await other.h.registered();
    other.browser.managed = { clientId: 'Corg0123456789' };
    await other.sync.sync();
    await other.h.service.whenIdle();
    expect((await other.h.service.snapshot()).auth).toBe('signedOut');
  });

  it('arriving while the sign-in window is open: the old integration keeps no tokens', async () => {
    const { h, browser, sync } = live();
    let synced: Promise<boolean> | undefined;
    h.identity.behaviour = {
      redirect: async (url) => {
        // The user is still on the consent page when the policy moves the environment.
        browser.managed = { environment: 'custom', customBaseUrl: 'https://other.example.com' };
        synced = sync.sync();
        await synced;
        return h.cloud.approve(url);
      },
    };
    const result = await h.service.signInWithOutcome();
    await synced;
    await h.service.whenIdle();
    expect(result).toMatchObject({
      outcome: 'failed',
      message: 'The settings changed while you were signing in. Please sign in again.',
    });
    expect((await h.service.snapshot()).auth).toBe('signedOut');
    expect(await loadTokens(h.store)).toBeUndefined();
    for (const call of h.http.calls) expect(call.url).not.toContain('other.example.com');
  });

  it('a policy that is read but unchanged does nothing', async () => {
    const { h, sync, store } = live(testSettings(), ORG);
    await sync.sync();
    const writes = store.writes;
    const calls = h.http.calls.length;
    expect(await sync.sync()).toBe(false);
    expect(store.writes).toBe(writes);
    expect(h.http.calls.length).toBe(calls);
  });

  it('after the switch to a broker the refresh goes there, without the secret', async () => {
    const { h, browser, sync } = live();
    await h.registered();
    const broker = mountBroker(h);
    browser.managed = { tokenBrokerUrl: BROKER_URL };
    await sync.sync();
    h.clock.tick(14 * 24 * 60 * 60 * 1000);
    await h.service.onTimer('auth:refresh');
    await h.service.whenIdle();
    expect(broker.sent()).toHaveLength(1);
    expect(broker.sent()[0]?.body).not.toContain(CLIENT_SECRET);
    expect((await h.service.snapshot()).auth).toBe('signedIn');
  });
});
