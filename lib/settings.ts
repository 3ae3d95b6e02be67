/**
 * User settings: which Webex environment, which integration, and preferences. Validated as a
 * whole: a save either stores a complete valid settings object or nothing.
 */
import { type CallPreferences, DEFAULT_CALL_PREFERENCES } from './call-preferences';

export type Environment = { kind: 'production' } | { kind: 'custom'; baseUrl: string };

export interface Settings {
  environment: Environment;
  clientId: string;
  /** Used only without a token broker, and only for the integration it was entered for. */
  clientSecret: string;
  /**
   * The token broker that does the code exchange and refresh with the secret it holds
   * (lib/broker); '' = none, the client secret does them. With a broker no secret is needed,
   * sent or kept.
   */
  tokenBrokerUrl: string;
  /** Register on browser start-up and keep the line registered while the browser runs. */
  keepRegistered: boolean;
  notifications: boolean;
  /** Origins (scheme://host[:port]) where click-to-register controls are active. */
  sites: string[];
  /** Ring, ring volume and audio devices (lib/call-preferences.ts); edited on their own. */
  calls: CallPreferences;
}

/**
 * What the options page sends: the secret may be left out to keep the stored one; no broker URL
 * means none.
 */
export type SettingsInput = Omit<
  Settings,
  'clientSecret' | 'sites' | 'tokenBrokerUrl' | 'calls'
> & {
  clientSecret?: string;
  tokenBrokerUrl?: string;
};

/**
 * Why a field was refused. Codes, not text: the options page shows each in the user's language
 * (lib/ui/settings-errors.ts), and this module stays free of UI.
 */
export const SETTINGS_ERROR_CODES = [
  'settingsNotAnObject',
  'environmentMissing',
  'baseUrlInvalid',
  'baseUrlInsecure',
  'clientIdMissing',
  'clientIdInvalid',
  'clientSecretMissing',
  'clientSecretReenter',
  'clientSecretInvalid',
  'brokerUrlInvalid',
  'brokerUrlInsecure',
  'flagInvalid',
  'siteInvalid',
  'siteInsecure',
  'sitesLocked',
  'ringVolumeInvalid',
  'deviceIdInvalid',
] as const;
export type SettingsErrorCode = (typeof SETTINGS_ERROR_CODES)[number];

export type ValidationResult<T> =
  | { ok: true; value: T }
  | { ok: false; errors: Record<string, SettingsErrorCode> };

export const PRODUCTION_DEFAULTS: Settings = {
  environment: { kind: 'production' },
  clientId: '',
  clientSecret: '',
  tokenBrokerUrl: '',
  keepRegistered: true,
  notifications: true,
  sites: [],
  calls: DEFAULT_CALL_PREFERENCES,
};

/** An http(s) URL with no credentials, query or fragment, or null. */
function parsePlainHttpUrl(input: string): URL | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.search || url.hash || url.username || url.password) return null;
  return url;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** This computer: plain http is acceptable only to it (the local emulator, a local site). */
export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname);

/** https anywhere; plain http only to this computer. */
export function isSafeTransport(url: string): boolean {
  const parsed = new URL(url);
  return parsed.protocol === 'https:' || isLoopbackHost(parsed.hostname);
}

/** Which cloud and which integration: tokens, devices and caches belong to exactly one. */
export const sameIdentity = (
  a: Pick<Settings, 'environment' | 'clientId'>,
  b: Pick<Settings, 'environment' | 'clientId'>,
) =>
  a.clientId === b.clientId &&
  a.environment.kind === b.environment.kind &&
  (a.environment.kind === 'production' ||
    (b.environment.kind === 'custom' && a.environment.baseUrl === b.environment.baseUrl));

/**
 * What is wrong with a token broker URL, or null. The code and refresh tokens travel to it:
 * https, or plain http to this computer only; no credentials or fragment in it.
 */
export function brokerUrlProblem(input: string): 'invalid' | 'credentials' | 'insecure' | null {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return 'invalid';
  }
  if (url.username || url.password || url.hash) return 'credentials';
  if (url.protocol === 'https:') return null;
  return url.protocol === 'http:' && isLoopbackHost(url.hostname) ? null : 'insecure';
}

/** A base URL for a custom environment; trailing slashes removed. */
export function normalizeBaseUrl(input: string): string | null {
  const url = parsePlainHttpUrl(input);
  return url ? `${url.origin}${url.pathname}`.replace(/\/+$/, '') : null;
}

/** An origin for click-to-register: `scheme://host[:port]` with nothing else. */
export function normalizeOrigin(input: string): string | null {
  const url = parsePlainHttpUrl(input);
  return url && url.pathname === '/' ? url.origin : null;
}

/**
 * A site the user asks to add, judged by the one rule the background applies too, so the options
 * page refuses it before asking the browser for host access (a prompt for a site that is then
 * refused would leave an unused permission). A page control can register the line: plain http
 * only on this computer (a network attacker could inject one into any other plain-http page).
 */
export function siteToAdd(
  input: string,
): { ok: true; origin: string } | { ok: false; code: 'siteInvalid' | 'siteInsecure' } {
  const origin = normalizeOrigin(input);
  if (!origin) return { ok: false, code: 'siteInvalid' };
  if (!isSafeTransport(origin)) return { ok: false, code: 'siteInsecure' };
  return { ok: true, origin };
}

/**
 * Validate a settings input against the stored settings (which supply the secret when the input
 * leaves it out, and the sites list and call preferences, which are edited separately).
 */
export function validateSettings(input: unknown, stored: Settings): ValidationResult<Settings> {
  const errors: Record<string, SettingsErrorCode> = {};
  if (typeof input !== 'object' || input === null) {
    return { ok: false, errors: { form: 'settingsNotAnObject' } };
  }
  const raw = input as Record<string, unknown>;

  let environment: Environment = { kind: 'production' };
  const env = raw.environment as Record<string, unknown> | undefined;
  if (env?.kind === 'custom') {
    const baseUrl = typeof env.baseUrl === 'string' ? normalizeBaseUrl(env.baseUrl) : null;
    if (!baseUrl) {
      errors.baseUrl = 'baseUrlInvalid';
    } else if (!isSafeTransport(baseUrl)) {
      // The client secret, the authorization code and tokens travel to this server.
      errors.baseUrl = 'baseUrlInsecure';
    } else environment = { kind: 'custom', baseUrl };
  } else if (env?.kind !== 'production') {
    errors.environment = 'environmentMissing';
  }

  const clientId = typeof raw.clientId === 'string' ? raw.clientId.trim() : '';
  if (!clientId) errors.clientId = 'clientIdMissing';
  else if (!/^[A-Za-z0-9_-]{8,200}$/.test(clientId)) errors.clientId = 'clientIdInvalid';

  let tokenBrokerUrl = '';
  if (typeof raw.tokenBrokerUrl === 'string') tokenBrokerUrl = raw.tokenBrokerUrl.trim();
  else if (raw.tokenBrokerUrl !== undefined) errors.tokenBrokerUrl = 'brokerUrlInvalid';
  const brokerProblem = tokenBrokerUrl === '' ? null : brokerUrlProblem(tokenBrokerUrl);
  if (brokerProblem)
    errors.tokenBrokerUrl = brokerProblem === 'insecure' ? 'brokerUrlInsecure' : 'brokerUrlInvalid';

  // With a broker no secret is needed or kept: one typed anyway is dropped, never stored.
  // Without one, a blank secret keeps the stored one, but only for the same environment and
  // integration: the previous integration's secret must never be posted to another host.
  const sameIntegration = sameIdentity({ environment, clientId }, stored);
  let clientSecret = sameIntegration ? stored.clientSecret : '';
  if (typeof raw.clientSecret === 'string' && raw.clientSecret.trim() !== '') {
    clientSecret = raw.clientSecret.trim();
  }
  if (tokenBrokerUrl !== '') clientSecret = '';
  else if (!clientSecret)
    errors.clientSecret =
      !sameIntegration && stored.clientSecret ? 'clientSecretReenter' : 'clientSecretMissing';
  else if (/\s/.test(clientSecret) || clientSecret.length > 400)
    errors.clientSecret = 'clientSecretInvalid';

  for (const flag of ['keepRegistered', 'notifications'] as const) {
    if (typeof raw[flag] !== 'boolean') errors[flag] = 'flagInvalid';
  }

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      environment,
      clientId,
      clientSecret,
      tokenBrokerUrl,
      keepRegistered: raw.keepRegistered as boolean,
      notifications: raw.notifications as boolean,
      sites: stored.sites,
      calls: stored.calls,
    },
  };
}

/** Whether the settings are enough to sign in: a client ID, and a secret or a token broker. */
export function isConfigured(settings: Settings): boolean {
  return (
    settings.clientId !== '' && (settings.clientSecret !== '' || settings.tokenBrokerUrl !== '')
  );
}
