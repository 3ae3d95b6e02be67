/**
 * Where the bearer token may go: only over https (plain http only to this computer) to the hosts
 * the session's environment trusts. For Webex, the Webex domains the manifest asks access to;
 * for a custom environment, its own host and its subdomains (any port: the emulator serves
 * Mobius on other ports of 127.0.0.1; a mirror of the cloud may use mobius.<host>). A URL
 * a response names outside them (a catalog host, a discovery link, a device URI) is refused
 * before any request is made.
 */
import { type Environment, isLoopbackHost } from '../settings';

/** Webex production hosts (OAuth, people, U2C, region, WDM, Mobius). The manifest uses these. */
export const WEBEX_HOST_PATTERNS = [
  'https://webexapis.com/*',
  'https://*.wbx2.com/*',
  'https://ds.ciscospark.com/*',
  'https://*.webex.com/*',
] as const;

/** `https://*.wbx2.com/*` -> matches `wbx2.com` and any subdomain, over https. */
function matchesPattern(url: URL, pattern: string): boolean {
  const parsed = /^(https?):\/\/(\*\.)?([^/]+)\/\*$/.exec(pattern);
  if (!parsed) return false;
  const [, scheme, wildcard, host] = parsed;
  if (url.protocol !== `${scheme}:`) return false;
  return url.hostname === host || (wildcard !== undefined && url.hostname.endsWith(`.${host}`));
}

/** Whether the session's bearer token may be sent to `url`. */
export function isTrustedUrl(url: string, environment: Environment): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (environment.kind === 'production') {
    return WEBEX_HOST_PATTERNS.some((pattern) => matchesPattern(parsed, pattern));
  }
  const base = new URL(environment.baseUrl).hostname;
  if (parsed.hostname !== base && !parsed.hostname.endsWith(`.${base}`)) return false;
  return (
    parsed.protocol === 'https:' || (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname))
  );
}

/** The host a refused URL names, for a clear message (never the path: it may carry ids). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid address';
  }
}
