/** Persisted OAuth tokens and their expiry times. Lives only in the background's Store. */
import type { Store } from '../ports';
import type { Environment } from '../settings';
import { environmentKey } from '../webex/environment';
import type { TokenResponse } from '../webex/oauth';

/** Which cloud and which integration a sign-in belongs to: its tokens go there and nowhere else. */
export interface SessionIdentity {
  environment: Environment;
  clientId: string;
}

export const TOKENS_KEY = 'auth:tokens';

export interface StoredTokens {
  accessToken: string;
  tokenType: string;
  refreshToken?: string;
  /** ms since epoch. */
  expiresAt: number;
  refreshExpiresAt?: number;
  obtainedAt: number;
  scope?: string;
  /** `environmentKey()` of the settings the tokens were issued under. */
  environment: string;
  /** The environment and integration they were issued by: refreshed there, sent only there. */
  session: SessionIdentity;
}

/**
 * Build stored tokens from a token-endpoint answer. A refresh answer without a refresh token
 * keeps the previous one and its expiry (the SDK's rule: CI may not rotate it). A rotated one
 * without `refresh_token_expires_in` has an unknown expiry: the old token's expiry would sign
 * the user out early, so the server decides when it is refused.
 */
export function tokensFromResponse(
  response: TokenResponse,
  now: number,
  session: SessionIdentity,
  previous?: StoredTokens,
): StoredTokens {
  const rotated = response.refreshToken !== undefined;
  return {
    accessToken: response.accessToken,
    tokenType: response.tokenType,
    refreshToken: response.refreshToken ?? previous?.refreshToken,
    expiresAt: now + response.expiresIn * 1000,
    refreshExpiresAt: rotated
      ? response.refreshTokenExpiresIn === undefined
        ? undefined
        : now + response.refreshTokenExpiresIn * 1000
      : previous?.refreshExpiresAt,
    obtainedAt: now,
    scope: response.scope ?? previous?.scope,
    environment: environmentKey(session.environment, session.clientId),
    session,
  };
}

export const authorizationHeader = (tokens: StoredTokens) =>
  `${tokens.tokenType || 'Bearer'} ${tokens.accessToken}`;

export async function loadTokens(store: Store): Promise<StoredTokens | undefined> {
  const value = await store.get<StoredTokens>(TOKENS_KEY);
  // Anything that is not a token record (an older format, a bad write) counts as signed out.
  if (!value || typeof value.accessToken !== 'string' || typeof value.expiresAt !== 'number') {
    return undefined;
  }
  // Tokens stored by an older build name their environment by key only.
  return value.session ? value : { ...value, session: identityOfKey(value.environment) };
}

/** `environmentKey()` read back: `production|C123` or `https://host/base|C123`. */
function identityOfKey(key: string): SessionIdentity {
  const at = key.lastIndexOf('|');
  const where = key.slice(0, at);
  return {
    environment:
      where === 'production' ? { kind: 'production' } : { kind: 'custom', baseUrl: where },
    clientId: key.slice(at + 1),
  };
}
