/**
 * `applyPolicy`: the user's settings and the organisation's policy -> the settings in effect,
 * and which of them the user may not change. Pure: the user's stored settings are never
 * rewritten, so nothing they had is lost when a policy changes or goes away.
 *
 * Precedence, one rule per field:
 * - a field the policy sets wins and is locked ("Set by your organisation");
 * - keepRegistered set to true with userMayTurnOffKeepRegistered: the user's own choice applies;
 * - lockSettings also locks every field the policy does not set (the user's value stays);
 * - sites: the policy's sites are always active and cannot be removed; the user's own sites are
 *   added to them, unless lockSettings makes the policy's list the whole list;
 * - the client secret is never in a policy (chrome://policy shows policies to the user). With a
 *   token broker in effect none is needed and none is used; the user's secret is used only for
 *   the client id it was entered with.
 */
import type { Settings } from '../settings';
import { environmentKey } from '../webex/environment';
import type { ManagedPolicy } from './parse';

/** Today's Settings plus the broker URL a user may enter (a later Settings field). */
export type UserSettings = Settings & { tokenBrokerUrl?: string };

export interface EffectiveSettings extends Settings {
  /** '' = no broker: the client secret does the token calls. */
  tokenBrokerUrl: string;
}

export const LOCKABLE_FIELDS = [
  'environment',
  'clientId',
  'clientSecret',
  'tokenBrokerUrl',
  'keepRegistered',
  'notifications',
  'sites',
] as const;
export type LockableField = (typeof LOCKABLE_FIELDS)[number];

/** How the extension will get tokens: through a broker, with a secret, or not at all yet. */
export type CredentialMode = 'broker' | 'secret' | 'missing';

export interface AppliedPolicy {
  settings: EffectiveSettings;
  /** Fields the options page shows read-only. */
  locked: Record<LockableField, boolean>;
  /** Fields whose value comes from the policy ("Set by your organisation"). */
  setByPolicy: Record<LockableField, boolean>;
  /** Sites the policy requires: shown, never removable. */
  policySites: string[];
  credentials: CredentialMode;
}

const fieldMap = (value: (field: LockableField) => boolean) =>
  Object.fromEntries(LOCKABLE_FIELDS.map((field) => [field, value(field)])) as Record<
    LockableField,
    boolean
  >;

/** "client id + (secret or broker)": what a policy-aware `isConfigured` asks. */
export function credentialMode(settings: EffectiveSettings): CredentialMode {
  if (settings.clientId === '') return 'missing';
  if (settings.tokenBrokerUrl !== '') return 'broker';
  return settings.clientSecret !== '' ? 'secret' : 'missing';
}

export function applyPolicy(user: UserSettings, policy: ManagedPolicy): AppliedPolicy {
  const lockAll = policy.lockSettings === true;
  const keepRegisteredByPolicy =
    policy.keepRegistered !== undefined &&
    !(policy.keepRegistered && policy.userMayTurnOffKeepRegistered === true);

  const environment = policy.environment ?? user.environment;
  const clientId = policy.clientId ?? user.clientId;
  const tokenBrokerUrl = policy.tokenBrokerUrl ?? user.tokenBrokerUrl ?? '';
  // A secret belongs to the client id it was entered for, and is not used beside a broker.
  const clientSecret = tokenBrokerUrl === '' && clientId === user.clientId ? user.clientSecret : '';
  const policySites = policy.clickToRegisterSites ?? [];
  const sites =
    policy.clickToRegisterSites === undefined
      ? [...user.sites]
      : lockAll
        ? [...policySites]
        : [...new Set([...policySites, ...user.sites])];

  const setByPolicy = {
    environment: policy.environment !== undefined,
    clientId: policy.clientId !== undefined,
    // Decided by the policy's broker: the options page hides or disables the secret field.
    clientSecret: policy.tokenBrokerUrl !== undefined,
    tokenBrokerUrl: policy.tokenBrokerUrl !== undefined,
    keepRegistered: keepRegisteredByPolicy,
    notifications: policy.notifications !== undefined,
    sites: policy.clickToRegisterSites !== undefined,
  } satisfies Record<LockableField, boolean>;
  // The site list stays editable (the user adds their own) unless everything is locked.
  const locked = fieldMap((field) => lockAll || (field !== 'sites' && setByPolicy[field]));

  const settings: EffectiveSettings = {
    ...user,
    environment,
    clientId,
    clientSecret,
    tokenBrokerUrl,
    keepRegistered: keepRegisteredByPolicy
      ? (policy.keepRegistered as boolean)
      : user.keepRegistered,
    notifications: policy.notifications ?? user.notifications,
    sites,
  };
  return {
    settings,
    locked,
    setByPolicy,
    policySites: [...policySites],
    credentials: credentialMode(settings),
  };
}

/**
 * Whether a change of effective settings invalidates the sign-in: another cloud or another
 * integration. A new broker URL, or moving between broker and secret, keeps it (the tokens
 * belong to the integration, not to whoever renews them).
 */
export function signInInvalidated(before: EffectiveSettings, after: EffectiveSettings): boolean {
  return (
    environmentKey(before.environment, before.clientId) !==
    environmentKey(after.environment, after.clientId)
  );
}
