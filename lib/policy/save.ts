/**
 * Saving the options page while a policy is in effect. The page shows the settings in effect
 * and the locked ones read-only, so the input is validated as those settings (a locked field
 * takes its value in effect, whatever the input says); what is stored is the user's own record,
 * where a locked field keeps the user's stored value, so nothing is lost when the policy goes.
 */
import { type Settings, sameIdentity, type ValidationResult, validateSettings } from '../settings';
import { type AppliedPolicy, applyPolicy, type UserSettings } from './apply';
import type { ManagedPolicy } from './parse';

/** The fields a save reads from the input, and the lock that covers each. */
const EDITABLE = ['environment', 'clientId', 'tokenBrokerUrl', 'keepRegistered', 'notifications'];
type Editable = 'environment' | 'clientId' | 'tokenBrokerUrl' | 'keepRegistered' | 'notifications';

/** The input with each locked field replaced by its value in effect. */
export function inputUnderPolicy(input: unknown, applied: AppliedPolicy): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const raw: Record<string, unknown> = { ...(input as Record<string, unknown>) };
  for (const field of EDITABLE as Editable[]) {
    if (applied.locked[field]) raw[field] = applied.settings[field];
  }
  // A locked secret field is not the user's to type in: the stored one is kept (or none used).
  if (applied.locked.clientSecret) delete raw.clientSecret;
  return raw;
}

export interface SaveUnderPolicy {
  /** What to store: the user's own settings. */
  user: UserSettings;
  /** The settings in effect once it is stored. */
  effective: Settings;
}

export function saveUnderPolicy(
  input: unknown,
  stored: UserSettings,
  policy: ManagedPolicy,
): ValidationResult<SaveUnderPolicy> {
  const applied = applyPolicy(stored, policy);
  const checked = validateSettings(inputUnderPolicy(input, applied), applied.settings);
  if (!checked.ok) return checked;
  const valid = checked.value;
  const keep = <K extends Editable>(field: K): UserSettings[K] =>
    applied.locked[field] ? stored[field] : valid[field];
  const own = {
    environment: keep('environment'),
    clientId: keep('clientId'),
    tokenBrokerUrl: keep('tokenBrokerUrl'),
    keepRegistered: keep('keepRegistered'),
    notifications: keep('notifications'),
    sites: stored.sites,
    calls: stored.calls,
  };
  const user: UserSettings = { ...own, ...secretToStore(valid, stored, applied, own) };
  return { ok: true, value: { user, effective: applyPolicy(user, policy).settings } };
}

/**
 * The secret part of the stored record. With a broker in effect none is kept (the broker holds
 * the organisation's secret; a browser keeps none). A locked secret field keeps what was stored.
 * Otherwise the secret in effect is stored with the integration it belongs to: the one in effect,
 * which differs from the user's own when a policy sets the environment or client id.
 */
function secretToStore(
  valid: Settings,
  stored: UserSettings,
  applied: AppliedPolicy,
  own: Pick<Settings, 'environment' | 'clientId'>,
): Pick<UserSettings, 'clientSecret' | 'secretFor'> {
  if (valid.tokenBrokerUrl !== '') return { clientSecret: '' };
  if (applied.locked.clientSecret) {
    return {
      clientSecret: stored.clientSecret,
      ...(stored.secretFor ? { secretFor: stored.secretFor } : {}),
    };
  }
  const owner = { environment: valid.environment, clientId: valid.clientId };
  return {
    clientSecret: valid.clientSecret,
    ...(sameIdentity(owner, own) ? {} : { secretFor: owner }),
  };
}
