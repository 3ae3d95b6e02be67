import { describe, expect, it } from 'vitest';
import { DEFAULT_CALL_PREFERENCES } from '../../../lib/call-preferences';
import { applyPolicy, type UserSettings } from '../../../lib/policy/apply';
import type { ManagedPolicy } from '../../../lib/policy/parse';
import { saveUnderPolicy } from '../../../lib/policy/save';
import { PRODUCTION_DEFAULTS } from '../../../lib/settings';

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

const ORG: ManagedPolicy = {
  environment: { kind: 'production' },
  clientId: 'Corg0123456789',
  tokenBrokerUrl: 'https://broker.example.com/token',
};

/** The form as the options page sends it for settings in effect, with `patch` typed in. */
function formOf(user: UserSettings, policy: ManagedPolicy, patch: Record<string, unknown> = {}) {
  const { environment, clientId, tokenBrokerUrl, keepRegistered, notifications } = applyPolicy(
    user,
    policy,
  ).settings;
  return { environment, clientId, tokenBrokerUrl, keepRegistered, notifications, ...patch };
}

function saved(input: unknown, user: UserSettings, policy: ManagedPolicy) {
  const result = saveUnderPolicy(input, user, policy);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.errors)}`);
  return result.value;
}

describe('saveUnderPolicy', () => {
  it('without a policy, stores what validateSettings accepts', () => {
    const { user, effective } = saved(formOf(USER, {}, { notifications: false }), USER, {});
    expect(user).toEqual({ ...USER, notifications: false });
    expect(effective).toEqual({ ...USER, notifications: false });
  });

  it("keeps locked fields at the user's stored values, whatever the input says", () => {
    const input = {
      ...formOf(USER, ORG),
      // A forged input for locked fields (the page shows them read-only).
      environment: { kind: 'custom', baseUrl: 'https://elsewhere.example' },
      clientId: 'Cforged0123456789',
      tokenBrokerUrl: '',
      clientSecret: 'forged-secret',
      notifications: false,
    };
    const { user, effective } = saved(input, USER, ORG);
    expect(user).toMatchObject({
      environment: USER.environment,
      clientId: USER.clientId,
      tokenBrokerUrl: '',
      notifications: false,
    });
    expect(effective).toMatchObject({
      environment: { kind: 'production' },
      clientId: 'Corg0123456789',
      tokenBrokerUrl: ORG.tokenBrokerUrl,
      clientSecret: '',
      notifications: false,
    });
    expect(JSON.stringify(user)).not.toContain('forged');
  });

  it('a fresh install configured by policy saves its preferences without any secret', () => {
    const fresh: UserSettings = structuredClone(PRODUCTION_DEFAULTS);
    const { user, effective } = saved(formOf(fresh, ORG, { keepRegistered: false }), fresh, ORG);
    expect(user).toEqual({ ...PRODUCTION_DEFAULTS, keepRegistered: false });
    expect(effective.clientId).toBe('Corg0123456789');
  });

  it('with a broker in effect no secret is kept: neither a typed one nor the stored one', () => {
    const byPolicy = saved(formOf(USER, ORG, { clientSecret: 'typed' }), USER, ORG);
    expect(byPolicy.user.clientSecret).toBe('');
    const own = saved(
      formOf(USER, {}, { tokenBrokerUrl: 'https://mine.example/token', clientSecret: 'typed' }),
      USER,
      {},
    );
    expect(own.user).toMatchObject({
      tokenBrokerUrl: 'https://mine.example/token',
      clientSecret: '',
    });
    expect(own.user.secretFor).toBeUndefined();
  });

  it("a secret typed for the policy's client id is kept for that integration only", () => {
    const policy: ManagedPolicy = { clientId: 'Corg0123456789' };
    const { user, effective } = saved(
      formOf(USER, policy, { clientSecret: 'org-secret' }),
      USER,
      policy,
    );
    expect(user).toMatchObject({
      clientId: USER.clientId,
      clientSecret: 'org-secret',
      secretFor: { environment: USER.environment, clientId: 'Corg0123456789' },
    });
    expect(effective.clientSecret).toBe('org-secret');
    // While the policy stands, a later save keeps it without typing it again.
    const again = saved(formOf(user, policy, { notifications: false }), user, policy);
    expect(applyPolicy(again.user, policy).settings.clientSecret).toBe('org-secret');
    // When the policy goes, the user's own client id is back, and that secret is not used for it.
    expect(applyPolicy(user, {}).settings).toMatchObject({
      clientId: USER.clientId,
      clientSecret: '',
    });
  });

  it('asks for the secret again when the policy names an integration the user has none for', () => {
    const policy: ManagedPolicy = { clientId: 'Corg0123456789' };
    const result = saveUnderPolicy(formOf(USER, policy), USER, policy);
    expect(result).toEqual({ ok: false, errors: { clientSecret: 'clientSecretMissing' } });
  });

  it('lockSettings: a save changes nothing the user had', () => {
    const policy: ManagedPolicy = { lockSettings: true };
    const input = formOf(USER, policy, {
      clientId: 'Cother0123456789',
      keepRegistered: true,
      clientSecret: 'typed',
    });
    const { user } = saved(input, USER, policy);
    expect(user).toEqual(USER);
  });

  it('reports invalid input for the fields the user may edit', () => {
    const result = saveUnderPolicy(
      formOf(USER, ORG, { keepRegistered: 'yes', notifications: 1 }),
      USER,
      ORG,
    );
    expect(result).toEqual({
      ok: false,
      errors: { keepRegistered: 'flagInvalid', notifications: 'flagInvalid' },
    });
  });
});

describe('applyPolicy and the secret', () => {
  it("never uses the user's secret for another environment with the same client id", () => {
    const moved = applyPolicy(USER, {
      environment: { kind: 'custom', baseUrl: 'https://x.example' },
    });
    expect(moved.settings).toMatchObject({ clientId: USER.clientId, clientSecret: '' });
    expect(moved.credentials).toBe('missing');
  });
});
