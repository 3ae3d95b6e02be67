/**
 * How long to wait before the next try of a refresh that failed without Webex refusing the grant
 * (network trouble, a 5xx, an HTML page from a firewall or proxy, the broker's own refusal). The
 * tokens are kept, so the wait only has to stop a lasting fault (a misconfigured proxy, a broker
 * that refuses this extension) from being hit every minute all day: it doubles per failure in a
 * row, up to a cap well inside an access token's life. A call that needs an expired token still
 * refreshes at once, whatever the wait.
 */
export const REFRESH_RETRY_CAP_MS = 15 * 60_000;

/** The wait after the `failures`-th failed refresh in a row (1 = the first). */
export function refreshRetryDelayMs(failures: number, baseMs: number): number {
  const doublings = Math.min(Math.max(failures - 1, 0), 20);
  return Math.min(baseMs * 2 ** doublings, Math.max(REFRESH_RETRY_CAP_MS, baseMs));
}
