import type { Store } from '../ports';
import {
  isSafeTransport,
  normalizeOrigin,
  type Settings,
  type ValidationResult,
  validateSettings,
} from '../settings';

const SETTINGS_KEY = 'settings';

export interface SettingsStore {
  load(): Promise<Settings>;
  /** Validates the input against the stored settings, stores nothing. */
  check(input: unknown): Promise<ValidationResult<Settings>>;
  /** Validates the whole input; stores all of it or nothing. */
  save(input: unknown): Promise<ValidationResult<Settings>>;
  addSite(origin: string): Promise<ValidationResult<Settings>>;
  removeSite(origin: string): Promise<Settings>;
}

/**
 * Settings persistence. Writes are serialised so a save and a site edit racing each other never
 * lose one another's change; only validated settings are ever written.
 */
export function createSettingsStore(store: Store, defaults: Settings): SettingsStore {
  let chain: Promise<unknown> = Promise.resolve();
  const serialise = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };

  async function load(): Promise<Settings> {
    const stored = await store.get<Partial<Settings>>(SETTINGS_KEY);
    const settings = { ...structuredClone(defaults), ...(stored ?? {}) };
    // A plain-http site an older build accepted is no longer served (a network attacker could
    // put a register control on it); the user may add its https origin.
    return { ...settings, sites: settings.sites.filter(isSafeTransport) };
  }

  return {
    load,
    check: async (input) => validateSettings(input, await load()),
    save: (input) =>
      serialise(async () => {
        const result = validateSettings(input, await load());
        if (result.ok) await store.set(SETTINGS_KEY, result.value);
        return result;
      }),
    addSite: (origin) =>
      serialise(async () => {
        const normalized = normalizeOrigin(origin);
        if (!normalized) {
          return { ok: false, errors: { origin: 'siteInvalid' } };
        }
        // A page control can register the line: http only on this computer (a network
        // attacker could inject one into any other plain-http page).
        if (!isSafeTransport(normalized)) return { ok: false, errors: { origin: 'siteInsecure' } };
        const current = await load();
        const next = { ...current, sites: [...new Set([...current.sites, normalized])] };
        await store.set(SETTINGS_KEY, next);
        return { ok: true, value: next };
      }),
    removeSite: (origin) =>
      serialise(async () => {
        const current = await load();
        const next = { ...current, sites: current.sites.filter((site) => site !== origin) };
        await store.set(SETTINGS_KEY, next);
        return next;
      }),
  };
}
