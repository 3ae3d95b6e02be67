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
 *   token broker in effect none is needed and none is used; without one, the user's secret is
 *   used only for the environment and client id it was entered for.
 */
import { type Environment, type Settings, sameIdentity } from '../settings';
import type { ManagedPolicy } from './parse';

/** Which cloud and which integration a secret was entered for. */
export interface SecretOwner {
  environment: Environment;
  clientId: string;
}

/**
 * The user's own settings as stored. `secretFor` names the integration the secret belongs to
 * when it is not the user's own (a secret typed for the client id a policy sets); absent, the
 * secret belongs to the user's own environment and client id.
 */
export type UserSettings = Settings & { secretFor?: SecretOwner };

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
  settings: Settings;
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

/** "client id + (secret or broker)", the rule `isConfigured` applies. */
export function credentialMode(settings: Settings): CredentialMode {
  if (settings.clientId === '') return 'missing';
  if (settings.tokenBrokerUrl !== '') return 'broker';
  return settings.clientSecret !== '' ? 'secret' : 'missing';
}

/** The integration the user's stored secret belongs to. */
export const secretOwner = (user: UserSettings): SecretOwner =>
  user.secretFor ?? { environment: user.environment, clientId: user.clientId };

export function applyPolicy(user: UserSettings, policy: ManagedPolicy): AppliedPolicy {
  const lockAll = policy.lockSettings === true;
  const keepRegisteredByPolicy =
    policy.keepRegistered !== undefined &&
    !(policy.keepRegistered && policy.userMayTurnOffKeepRegistered === true);

  const environment = policy.environment ?? user.environment;
  const clientId = policy.clientId ?? user.clientId;
  const tokenBrokerUrl = policy.tokenBrokerUrl ?? user.tokenBrokerUrl ?? '';
  // A secret goes only to the cloud and integration it was entered for, never beside a broker.
  const clientSecret =
    tokenBrokerUrl === '' && sameIdentity({ environment, clientId }, secretOwner(user))
      ? user.clientSecret
      : '';
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
    // Decided by the policy's broker: the options page hides the secret field.
    clientSecret: policy.tokenBrokerUrl !== undefined,
    tokenBrokerUrl: policy.tokenBrokerUrl !== undefined,
    keepRegistered: keepRegisteredByPolicy,
    notifications: policy.notifications !== undefined,
    sites: policy.clickToRegisterSites !== undefined,
  } satisfies Record<LockableField, boolean>;
  // The site list stays editable (the user adds their own) unless everything is locked.
  const locked = fieldMap((field) => lockAll || (field !== 'sites' && setByPolicy[field]));

  const { secretFor: _owner, ...own } = user;
  const settings: Settings = {
    ...own,
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
