import { callPreferencesFrom, validateCallPreferences } from '../call-preferences';
import { applyPolicy, type UserSettings } from '../policy/apply';
import type { ParsedPolicy } from '../policy/parse';
import { saveUnderPolicy } from '../policy/save';
import { NO_POLICY, type PolicyView, policyView } from '../policy/view';
import type { Store } from '../ports';
import { serialQueue } from '../serial-queue';
import { isSafeTransport, type Settings, siteToAdd, type ValidationResult } from '../settings';

const SETTINGS_KEY = 'settings';

export interface SettingsStore {
  /** The settings in effect: the user's own with the managed policy applied. */
  load(): Promise<Settings>;
  /** What the policy decides, for the options page. */
  policy(): Promise<PolicyView>;
  /** Validates the input as a save would, stores nothing; the settings it would put in effect. */
  check(input: unknown): Promise<ValidationResult<Settings>>;
  /** Validates the whole input; stores all of it or nothing. Answers the settings in effect. */
  save(input: unknown): Promise<ValidationResult<Settings>>;
  /** Validates the call preferences as a whole; stores them or nothing. Never locked. */
  saveCalls(input: unknown): Promise<ValidationResult<Settings>>;
  addSite(origin: string): Promise<ValidationResult<Settings>>;
  removeSite(origin: string): Promise<Settings>;
}

/**
 * Settings persistence. The store holds the user's own settings only; the managed policy
 * (`policy`, the last one read) is applied on every read and never written into them, so a
 * policy that changes or goes away leaves the user's settings as they were. Writes are
 * serialised so a save and a site edit racing each other never lose one another's change; only
 * validated settings are ever written.
 */
export function createSettingsStore(
  store: Store,
  defaults: Settings,
  policy: () => Promise<ParsedPolicy> = async () => NO_POLICY,
): SettingsStore {
  const serialise = serialQueue();

  async function loadUser(): Promise<UserSettings> {
    const stored = await store.get<Partial<UserSettings>>(SETTINGS_KEY);
    const settings: UserSettings = { ...structuredClone(defaults), ...(stored ?? {}) };
    // A plain-http site an older build accepted is no longer served (a network attacker could
    // put a register control on it); the user may add its https origin. Settings stored before
    // the call preferences existed (or with some of them missing) take the defaults for those.
    return {
      ...settings,
      sites: settings.sites.filter(isSafeTransport),
      calls: callPreferencesFrom(stored?.calls ?? defaults.calls),
    };
  }

  async function current() {
    const [user, parsed] = await Promise.all([loadUser(), policy()]);
    return { user, parsed, applied: applyPolicy(user, parsed.policy) };
  }

  const effective = async (user: UserSettings) => applyPolicy(user, (await policy()).policy);

  async function checkSave(input: unknown) {
    const { user, parsed } = await current();
    return saveUnderPolicy(input, user, parsed.policy);
  }

  return {
    load: async () => (await current()).applied.settings,
    policy: async () => {
      const { applied, parsed } = await current();
      return policyView(applied, parsed);
    },
    check: async (input) => {
      const result = await checkSave(input);
      return result.ok ? { ok: true, value: result.value.effective } : result;
    },
    save: (input) =>
      serialise(async () => {
        const result = await checkSave(input);
        if (!result.ok) return result;
        await store.set(SETTINGS_KEY, result.value.user);
        return { ok: true, value: result.value.effective };
      }),
    saveCalls: (input) =>
      serialise(async () => {
        const checked = validateCallPreferences(input);
        if (!checked.ok) return checked;
        const next = { ...(await loadUser()), calls: checked.value };
        await store.set(SETTINGS_KEY, next);
        return { ok: true, value: (await effective(next)).settings };
      }),
    addSite: (origin) =>
      serialise(async () => {
        const site = siteToAdd(origin);
        if (!site.ok) return { ok: false, errors: { origin: site.code } };
        const normalized = site.origin;
        const { user, applied } = await current();
        if (applied.locked.sites) return { ok: false, errors: { origin: 'sitesLocked' } };
        const next = { ...user, sites: [...new Set([...user.sites, normalized])] };
        await store.set(SETTINGS_KEY, next);
        return { ok: true, value: (await effective(next)).settings };
      }),
    removeSite: (origin) =>
      serialise(async () => {
        const { user, applied } = await current();
        // The organisation's sites are not the user's to remove (nor any site, when locked).
        if (applied.locked.sites) return applied.settings;
        const next = { ...user, sites: user.sites.filter((site) => site !== origin) };
        await store.set(SETTINGS_KEY, next);
        return (await effective(next)).settings;
      }),
  };
}
