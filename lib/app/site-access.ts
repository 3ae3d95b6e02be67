import type { Settings } from '../settings';

/**
 * Host access a custom environment needs: every port of its host, because the catalog it serves
 * may point WDM and Mobius at other ports of the same host (the emulator does).
 */
export function environmentAccessPattern(baseUrl: string): string | null {
  try {
    const url = new URL(baseUrl);
    return `${url.protocol}//${url.hostname}/*`;
  } catch {
    return null;
  }
}

function environmentPattern(settings: Settings): string | null {
  return settings.environment.kind === 'custom'
    ? environmentAccessPattern(settings.environment.baseUrl)
    : null;
}

/** The host-wide pattern an origin falls under (`http://127.0.0.1:8790` -> `http://127.0.0.1/*`). */
const hostPatternOf = (origin: string) => environmentAccessPattern(origin);

/**
 * Whether a site's host access may be given up once it left the list. `patternOf` is the
 * browser's pattern for a site: Firefox's has no port, so another opted-in site on the same
 * host (another port) still needs that very access.
 */
export function mayReleaseSite(
  origin: string,
  settings: Settings,
  patternOf: (origin: string) => string = (site) => `${site}/*`,
): boolean {
  if (settings.sites.some((site) => patternOf(site) === patternOf(origin))) return false;
  // The custom environment's access covers its whole host: leave that host alone.
  return hostPatternOf(origin) !== environmentPattern(settings);
}

/**
 * Host access a settings change made unnecessary: the pattern of a custom environment that was
 * replaced, unless the new environment or an opted-in site is on the same host. Least
 * privilege: an environment the user left behind keeps no access to its server.
 */
export function patternsToRelease(previous: Settings, next: Settings): string[] {
  const old = environmentPattern(previous);
  if (!old || old === environmentPattern(next)) return [];
  if (next.sites.some((site) => hostPatternOf(site) === old)) return [];
  return [old];
}
