import { describe, expect, it } from 'vitest';
import { DEFAULT_CALL_PREFERENCES } from '../../../lib/call-preferences';
import {
  applyPolicy,
  credentialMode,
  LOCKABLE_FIELDS,
  type UserSettings,
} from '../../../lib/policy/apply';
import { parsePolicy } from '../../../lib/policy/parse';
import { PRODUCTION_DEFAULTS, sameIdentity } from '../../../lib/settings';

const USER: UserSettings = {
  environment: { kind: 'custom', baseUrl: 'http://127.0.0.1:8790' },
  clientId: 'Cuser0123456789',
  clientSecret: 'user-secret',
  tokenBrokerUrl: '',
  keepRegistered: false,
  notifications: true,
  sites: ['https://mine.example'],
  calls: DEFAULT_CALL_PREFERENCES,
};

const none = Object.fromEntries(LOCKABLE_FIELDS.map((f) => [f, false]));
const all = Object.fromEntries(LOCKABLE_FIELDS.map((f) => [f, true]));

describe('applyPolicy', () => {
  it('without a policy, is the user settings, nothing locked', () => {
    const applied = applyPolicy(USER, {});
    expect(applied).toEqual({
      settings: { ...USER, tokenBrokerUrl: '' },
      locked: none,
      setByPolicy: none,
      policySites: [],
      credentials: 'secret',
    });
  });

  it('lets each field the policy sets win, and locks it', () => {
    const applied = applyPolicy(USER, {
      environment: { kind: 'production' },
      notifications: false,
    });
    expect(applied.settings).toMatchObject({
      environment: { kind: 'production' },
      notifications: false,
      clientId: USER.clientId,
      keepRegistered: false,
    });
    expect(applied.locked).toEqual({ ...none, environment: true, notifications: true });
    expect(applied.setByPolicy).toEqual({ ...none, environment: true, notifications: true });
  });

  it('with a policy broker: no secret is used, and the secret field is decided', () => {
    const applied = applyPolicy(USER, {
      clientId: 'Corg0123456789',
      tokenBrokerUrl: 'https://broker.example.com/token',
    });
    expect(applied.settings).toMatchObject({
      clientId: 'Corg0123456789',
      clientSecret: '',
      tokenBrokerUrl: 'https://broker.example.com/token',
    });
    expect(applied.credentials).toBe('broker');
    expect(applied.locked).toMatchObject({
      clientId: true,
      clientSecret: true,
      tokenBrokerUrl: true,
    });
  });

  it("never uses the user's secret for another client id", () => {
    const applied = applyPolicy(USER, { clientId: 'Corg0123456789' });
    expect(applied.settings.clientSecret).toBe('');
    expect(applied.credentials).toBe('missing');
    // The user may enter the org integration's secret (secret mode chosen by nobody else).
    expect(applied.locked.clientSecret).toBe(false);
    expect(applyPolicy(USER, { clientId: USER.clientId }).settings.clientSecret).toBe(
      'user-secret',
    );
  });

  it("uses a broker the user entered, and then not the user's secret", () => {
    const applied = applyPolicy({ ...USER, tokenBrokerUrl: 'https://mine.example/token' }, {});
    expect(applied.settings).toMatchObject({
      tokenBrokerUrl: 'https://mine.example/token',
      clientSecret: '',
    });
    expect(applied.credentials).toBe('broker');
    expect(applied.locked).toEqual(none);
  });

  it('keepRegistered: the policy value locks, unless the user may turn it off', () => {
    const forced = applyPolicy(USER, { keepRegistered: true });
    expect(forced.settings.keepRegistered).toBe(true);
    expect(forced.locked.keepRegistered).toBe(true);

    const optional = applyPolicy(USER, {
      keepRegistered: true,
      userMayTurnOffKeepRegistered: true,
    });
    expect(optional.settings.keepRegistered).toBe(false);
    expect(optional.locked.keepRegistered).toBe(false);
    expect(optional.setByPolicy.keepRegistered).toBe(false);

    const forbidden = applyPolicy({ ...USER, keepRegistered: true }, { keepRegistered: false });
    expect(forbidden.settings.keepRegistered).toBe(false);
    expect(forbidden.locked.keepRegistered).toBe(true);
  });

  it('sites: the policy sites always apply, the user adds their own', () => {
    const applied = applyPolicy(USER, {
      clickToRegisterSites: ['https://crm.example', 'https://mine.example'],
    });
    expect(applied.settings.sites).toEqual(['https://crm.example', 'https://mine.example']);
    expect(applied.policySites).toEqual(['https://crm.example', 'https://mine.example']);
    expect(applied.locked.sites).toBe(false);
    expect(applied.setByPolicy.sites).toBe(true);
  });

  it('lockSettings locks everything; the policy site list becomes the whole list', () => {
    const applied = applyPolicy(USER, {
      lockSettings: true,
      clickToRegisterSites: ['https://crm.example'],
    });
    expect(applied.locked).toEqual(all);
    expect(applied.settings.sites).toEqual(['https://crm.example']);
    // The user's values stay where the policy sets nothing.
    expect(applied.settings).toMatchObject({
      clientId: USER.clientId,
      clientSecret: 'user-secret',
    });
    expect(applied.setByPolicy).toEqual({ ...none, sites: true });
  });

  it("lockSettings without policy sites keeps the user's list, read-only", () => {
    const applied = applyPolicy(USER, { lockSettings: true });
    expect(applied.settings.sites).toEqual(USER.sites);
    expect(applied.locked.sites).toBe(true);
  });

  it("never changes the user's settings (nothing is lost when the policy goes)", () => {
    const user = structuredClone(USER);
    applyPolicy(
      user,
      parsePolicy({
        clientId: 'Corg0123456789',
        lockSettings: true,
        clickToRegisterSites: ['https://a.example'],
      }).policy,
    );
    expect(user).toEqual(USER);
    expect(applyPolicy(user, {}).settings).toEqual({ ...USER, tokenBrokerUrl: '' });
  });

  it('configures a fresh install completely from policy', () => {
    const { policy } = parsePolicy({
      environment: 'webex',
      clientId: 'Corg0123456789',
      tokenBrokerUrl: 'https://broker.example.com/token',
    });
    const applied = applyPolicy(structuredClone(PRODUCTION_DEFAULTS), policy);
    expect(applied.credentials).toBe('broker');
    expect(applied.settings).toEqual({
      ...PRODUCTION_DEFAULTS,
      clientId: 'Corg0123456789',
      tokenBrokerUrl: 'https://broker.example.com/token',
    });
  });
});

describe('credentialMode', () => {
  const base = { ...USER, tokenBrokerUrl: '' };
  it('needs a client id, then a broker or a secret', () => {
    expect(credentialMode({ ...base, clientId: '' })).toBe('missing');
    expect(credentialMode({ ...base, clientSecret: '' })).toBe('missing');
    expect(credentialMode(base)).toBe('secret');
    expect(
      credentialMode({ ...base, clientSecret: '', tokenBrokerUrl: 'https://b.example/t' }),
    ).toBe('broker');
  });
});

describe('the sign-in belongs to the environment and client id, not to the broker', () => {
  const before = applyPolicy(USER, {}).settings;
  it('a policy moving the user to another cloud or integration names another identity', () => {
    expect(
      sameIdentity(before, applyPolicy(USER, { environment: { kind: 'production' } }).settings),
    ).toBe(false);
    expect(sameIdentity(before, applyPolicy(USER, { clientId: 'Corg0123456789' }).settings)).toBe(
      false,
    );
  });
  it('a broker change, or anything else, keeps it', () => {
    expect(
      sameIdentity(before, applyPolicy(USER, { tokenBrokerUrl: 'https://b.example/t' }).settings),
    ).toBe(true);
    expect(
      sameIdentity(
        before,
        applyPolicy(USER, { notifications: false, lockSettings: true }).settings,
      ),
    ).toBe(true);
  });
});
