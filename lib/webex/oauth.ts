/**
 * OAuth 2.0 authorization code + PKCE (S256) against the Webex token endpoint
 * (reference/webex-oauth.md §2-5). Pure functions over `fetch` and `Random`.
 */
import type { Fetch, Random } from '../ports';
import { type Outcome, requestJson } from './http';
import { nonEmptyStr, num, object, optional, str } from './validate';

/**
 * `spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi` are the calling scopes the
 * seed documents; `spark:people_read` is what GET /v1/people/me needs. No `spark:kms`: the
 * samples add it only to keep the JS SDK's own init happy, and we do not run the SDK.
 */
export const CALLING_SCOPES = [
  'spark:webrtc_calling',
  'spark:calls_read',
  'spark:calls_write',
  'spark:xsi',
  'spark:people_read',
] as const;

export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** 48 random bytes -> 64 base64url characters: inside PKCE's 43-128 unreserved characters. */
export async function createPkce(random: Random): Promise<PkcePair> {
  const verifier = base64Url(random.bytes(48));
  return { verifier, challenge: await s256Challenge(verifier) };
}

export async function s256Challenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export function createState(random: Random): string {
  return base64Url(random.bytes(24));
}

export interface AuthorizeRequest {
  authorizeUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scopes?: readonly string[];
}

export function buildAuthorizeUrl(request: AuthorizeRequest): string {
  const url = new URL(request.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', (request.scopes ?? CALLING_SCOPES).join(' '));
  url.searchParams.set('state', request.state);
  url.searchParams.set('code_challenge', request.codeChallenge);
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
}

export type RedirectResult =
  | { kind: 'code'; code: string }
  | { kind: 'error'; error: string; description?: string }
  /** State absent or different: the answer is not for the request we made. */
  | { kind: 'stateMismatch' }
  | { kind: 'invalid'; message: string };

/** Read the redirect URL `launchWebAuthFlow` resolved with. State is checked before anything else. */
export function parseRedirect(redirectUrl: string, expectedState: string): RedirectResult {
  let url: URL;
  try {
    url = new URL(redirectUrl);
  } catch {
    return {
      kind: 'invalid',
      message: 'The sign-in window returned an address that is not a URL.',
    };
  }
  // The code flow answers in the query; accept the fragment too (harmless, some servers use it).
  const params = new URLSearchParams(url.search);
  if (!params.has('state') && url.hash.length > 1) {
    for (const [key, value] of new URLSearchParams(url.hash.slice(1))) params.set(key, value);
  }
  if (params.get('state') !== expectedState) return { kind: 'stateMismatch' };
  const error = params.get('error');
  if (error) {
    return { kind: 'error', error, description: params.get('error_description') ?? undefined };
  }
  const code = params.get('code');
  if (!code)
    return { kind: 'invalid', message: 'The sign-in answer carried no authorization code.' };
  return { kind: 'code', code };
}

/** The token endpoint's JSON answer (§3). */
export interface TokenResponse {
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
  refreshTokenExpiresIn?: number;
  tokenType: string;
  scope?: string;
}

const tokenResponseSchema = object({
  access_token: nonEmptyStr,
  expires_in: num,
  refresh_token: optional(nonEmptyStr),
  refresh_token_expires_in: optional(num),
  token_type: optional(str),
  scope: optional(str),
});

function toTokenResponse(raw: ReturnType<typeof tokenResponseSchema>): TokenResponse {
  return {
    accessToken: raw.access_token,
    expiresIn: raw.expires_in,
    refreshToken: raw.refresh_token,
    refreshTokenExpiresIn: raw.refresh_token_expires_in,
    tokenType: raw.token_type || 'Bearer',
    scope: raw.scope,
  };
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * POST a form to a token endpoint (Webex's, or a token broker speaking the same protocol) and
 * validate the token response.
 */
export async function postTokenForm(
  fetch: Fetch,
  tokenUrl: string,
  form: Record<string, string>,
  what: string,
): Promise<Outcome<TokenResponse>> {
  const outcome = await requestJson(
    fetch,
    tokenUrl,
    { method: 'POST', form, headers: { accept: 'application/json' } },
    tokenResponseSchema,
    what,
  );
  return outcome.ok ? { ...outcome, value: toTokenResponse(outcome.value) } : outcome;
}

/**
 * Client id and secret go in the body (documented alternative to HTTP Basic); the secret is
 * required by Webex even with PKCE (reference §5).
 */
export function exchangeCode(
  fetch: Fetch,
  tokenUrl: string,
  args: ClientCredentials & { code: string; redirectUri: string; codeVerifier: string },
): Promise<Outcome<TokenResponse>> {
  return postTokenForm(
    fetch,
    tokenUrl,
    {
      grant_type: 'authorization_code',
      client_id: args.clientId,
      client_secret: args.clientSecret,
      code: args.code,
      redirect_uri: args.redirectUri,
      code_verifier: args.codeVerifier,
    },
    'Token exchange',
  );
}

/**
 * Refresh grant. The answer may carry a rotated refresh token, the same one, or none
 * (unconfirmed which Webex does); the caller keeps the old one when none comes back.
 */
export function refreshAccessToken(
  fetch: Fetch,
  tokenUrl: string,
  args: ClientCredentials & { refreshToken: string },
): Promise<Outcome<TokenResponse>> {
  return postTokenForm(
    fetch,
    tokenUrl,
    {
      grant_type: 'refresh_token',
      client_id: args.clientId,
      client_secret: args.clientSecret,
      refresh_token: args.refreshToken,
    },
    'Token refresh',
  );
}

/** The OAuth `error` code of a token-endpoint failure body, if any. */
export function oauthErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as Record<string, unknown>).error;
  return typeof error === 'string' ? error : undefined;
}
