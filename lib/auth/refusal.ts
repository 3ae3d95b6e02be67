/**
 * Which failed refresh means the sign-in is over. Only Webex's own OAuth refusal of the grant
 * (RFC 6749 §5.2: a 400 or 401 with an `error` naming the grant or the client) deletes the
 * user's tokens. Anything else (an HTML 403 from a firewall in front of Webex, an HTML 404 from
 * a proxy in front of the broker, the broker's own error bodies, a 409 or a 5xx) keeps them: the
 * refresh is retried with back-off and the cause is shown, because signing out cannot fix it and
 * a rotated refresh token, once deleted, is gone for good.
 */
import type { WebexFailure } from '../webex/http';

/** The OAuth error codes that say this refresh token (or this client) will never work again. */
export const GRANT_REFUSALS: ReadonlySet<string> = new Set([
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
]);

export function isGrantRefusal(failure: WebexFailure): boolean {
  if (failure.kind !== 'http' || (failure.status !== 400 && failure.status !== 401)) return false;
  const body = failure.body;
  if (typeof body !== 'object' || body === null) return false;
  const { error, source } = body as Record<string, unknown>;
  // The token broker's own answers carry `source: "broker"`; Webex's pass through unchanged.
  return source !== 'broker' && typeof error === 'string' && GRANT_REFUSALS.has(error);
}
