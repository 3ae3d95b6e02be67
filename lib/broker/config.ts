/**
 * What the token broker is told: the integration it acts for, where Webex's token endpoint is,
 * which extensions may use it, and its limits. Validated once at start-up so a bad deployment
 * fails loudly instead of answering every request with an error.
 */

export interface BrokerLimits {
  /** Largest request body accepted (a code exchange is well under 1 kB). */
  maxBodyBytes: number;
  /** Length of one rate-limit window. */
  windowMs: number;
  /** Requests one client address may make per window. */
  perAddress: number;
  /** Requests all users of one extension origin may make together per window. */
  perOrigin: number;
  /** Most rate-limit keys remembered at once (memory stays bounded under a flood). */
  maxTrackedKeys: number;
  /** A token endpoint that does not answer in this long is reported as 504. */
  upstreamTimeoutMs: number;
  /** Largest upstream answer relayed (a token response is under 2 kB). */
  maxUpstreamBodyBytes: number;
}

export interface BrokerConfig {
  clientId: string;
  clientSecret: string;
  /** Webex's token endpoint (reference/webex-oauth.md §1), or the emulator's. */
  tokenUrl: string;
  /** `chrome-extension://<id>` origins allowed to call the broker. */
  allowedOrigins: string[];
  /** Redirect URIs a code may have been issued for (`https://<id>.chromiumapp.org/`). */
  allowedRedirectUris: string[];
  /** The path the broker answers on. */
  path: string;
  limits: BrokerLimits;
}

export const DEFAULT_BROKER_PATH = '/token';

export const DEFAULT_LIMITS: BrokerLimits = {
  maxBodyBytes: 4096,
  windowMs: 60_000,
  // Sign-in and refresh are rare (a refresh every few days per user); 20 a minute from one
  // address leaves room for a shared NAT without helping anyone guess.
  perAddress: 20,
  // Every user of a deployment shares one origin, so this is a flood guard, not a quota.
  perOrigin: 1200,
  maxTrackedKeys: 10_000,
  upstreamTimeoutMs: 10_000,
  maxUpstreamBodyBytes: 65_536,
};

/** Chrome extension ids: 32 letters a-p (a hash of the extension's key). */
export const EXTENSION_ID = /^[a-p]{32}$/;

/**
 * Firefox's extension origin is moz-extension://<uuid>, random per install unless the
 * deployment fixes it (policies.json Preferences: extensions.webextensions.uuids). Trust cost:
 * none beyond Chrome's: an Origin header only stops other web pages, never a non-browser client.
 */
export const FIREFOX_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const extensionOrigin = (id: string) =>
  FIREFOX_UUID.test(id) ? `moz-extension://${id}` : `chrome-extension://${id}`;
export const extensionRedirectUri = (id: string) => `https://${id}.chromiumapp.org/`;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The client secret travels to the token endpoint: https, or plain http on this computer only. */
export function isSafeTokenUrl(url: URL): boolean {
  return (
    url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
  );
}

export type ConfigResult = { ok: true; config: BrokerConfig } | { ok: false; errors: string[] };

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function checkLimits(limits: BrokerLimits, errors: string[]): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) {
      errors.push(`limits.${name} must be a positive integer.`);
    }
  }
}

/** Every problem at once, each naming the setting, never repeating the secret. */
export function validateBrokerConfig(config: BrokerConfig): ConfigResult {
  const errors: string[] = [];
  if (!/^[A-Za-z0-9_-]{8,200}$/.test(config.clientId)) {
    errors.push('clientId must be the integration client ID (8-200 letters and digits).');
  }
  if (config.clientSecret === '' || /\s/.test(config.clientSecret)) {
    errors.push('clientSecret must be set (no spaces).');
  }
  const tokenUrl = parseUrl(config.tokenUrl);
  if (!tokenUrl || (tokenUrl.protocol !== 'https:' && tokenUrl.protocol !== 'http:')) {
    errors.push('tokenUrl must be an absolute http(s) URL.');
  } else if (!isSafeTokenUrl(tokenUrl)) {
    errors.push('tokenUrl must use https:// (plain http:// only to localhost or 127.0.0.1).');
  }
  if (config.allowedOrigins.length === 0) errors.push('allowedOrigins must list at least one.');
  for (const origin of config.allowedOrigins) {
    const id = origin.startsWith('chrome-extension://') ? origin.slice(19) : '';
    if (!EXTENSION_ID.test(id) && !/^moz-extension:\/\/[0-9a-f-]{36}$/.test(origin)) {
      errors.push(`allowedOrigins: "${origin}" is not chrome-extension://<32-letter id>.`);
    }
  }
  if (config.allowedRedirectUris.length === 0) {
    errors.push('allowedRedirectUris must list at least one.');
  }
  for (const uri of config.allowedRedirectUris) {
    const url = parseUrl(uri);
    if (url?.protocol !== 'https:' || url.search || url.hash || url.href !== uri) {
      errors.push(`allowedRedirectUris: "${uri}" must be a plain https URL, written canonically.`);
    }
  }
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(config.path)) {
    errors.push('path must start with / and hold only letters, digits, /, _, . and -.');
  }
  checkLimits(config.limits, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config };
}
