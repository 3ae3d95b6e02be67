/**
 * The match pattern for every page of an opted-in site's origin. Without the port where the
 * browser ignores ported patterns (Firefox): wider than the site, which is why the background
 * still checks each sender's exact origin, port included (lib/messaging/senders.ts).
 */
export function sitePattern(origin: string, keepPort: boolean): string {
  if (keepPort) return `${origin}/*`;
  const url = new URL(origin);
  return `${url.protocol}//${url.hostname}/*`;
}

/**
 * The opted-in sites to drop after a permission was removed: only those whose own pattern was
 * among the removed ones and that are no longer granted. A removal event for something else
 * (or a port-less pattern another site still holds) drops nothing.
 */
export function sitesToDrop(
  sites: readonly string[],
  granted: readonly string[],
  removedPatterns: readonly string[],
  keepPort: boolean,
): string[] {
  const removed = new Set(removedPatterns);
  return sites.filter((s) => !granted.includes(s) && removed.has(sitePattern(s, keepPort)));
}
