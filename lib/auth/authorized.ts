/**
 * Call a Webex API with the current token; on a 401 refresh once (shared with any concurrent
 * refresh) and replay once, like the SDK's auth interceptor. A second 401 becomes an `auth`
 * failure: the token is fresh but refused, so the user must sign in again.
 */
import type { Outcome } from '../webex/http';
import type { TokenManager } from './token-manager';
import { authorizationHeader } from './tokens';

export type TokenSource = Pick<TokenManager, 'authorization' | 'refresh'>;

export async function withAuthorization<T>(
  tokens: TokenSource,
  call: (authorization: string) => Promise<Outcome<T>>,
): Promise<Outcome<T>> {
  const first = await tokens.authorization();
  if (!first.ok) return first;
  const result = await call(first.value);
  if (!isUnauthorized(result)) return result;
  const rejected = first.value.slice(first.value.indexOf(' ') + 1);
  const refreshed = await tokens.refresh('unauthorized', rejected);
  if (!refreshed.ok) return refreshed;
  const replay = await call(authorizationHeader(refreshed.tokens));
  if (!isUnauthorized(replay)) return replay;
  return {
    ok: false,
    error: {
      kind: 'auth',
      status: 401,
      definitive: false,
      message: 'Webex refused the access token even after renewing it (HTTP 401)',
    },
  };
}

function isUnauthorized<T>(outcome: Outcome<T>): boolean {
  return !outcome.ok && outcome.error.kind === 'http' && outcome.error.status === 401;
}
