import type { Settings } from '../settings';

/** Origin of a custom environment (the engine needs host access to it), or null. */
export function environmentOrigin(settings: Settings): string | null {
  const { environment } = settings;
  if (environment.kind !== 'custom') return null;
  try {
    return new URL(environment.baseUrl).origin;
  } catch {
    return null;
  }
}

/** Origins whose host access something in these settings still needs. */
function neededOrigins(settings: Settings): Set<string> {
  const needed = new Set(settings.sites);
  const environment = environmentOrigin(settings);
  if (environment) needed.add(environment);
  return needed;
}

/** Whether a site's host access may be given up once it left the list. */
export function mayReleaseSite(origin: string, settings: Settings): boolean {
  return !neededOrigins(settings).has(origin);
}

/**
 * Host access that a settings change made unnecessary: a custom environment that was replaced,
 * unless it is also an opted-in site. Least privilege: an environment the user left behind keeps
 * no access to its server.
 */
export function originsToRelease(previous: Settings, next: Settings): string[] {
  const old = environmentOrigin(previous);
  return old && !neededOrigins(next).has(old) ? [old] : [];
}
