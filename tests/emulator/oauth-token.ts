import { timingSafeEqual } from 'node:crypto';
import { type OAuthErrorCode, oauthError } from './errors';
import { header, jsonReply, parseFormBody, type Reply, type RequestContext } from './http';
import { s256 } from './ids';
import type { Integration } from './integrations';
import { parseScopes } from './oauth-authorize';
import { idToken } from './oidc';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import type { AccessToken, RefreshToken } from './tokens';
import { userById } from './users';

const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/** POST /v1/access_token: authorization_code and refresh_token grants. */
export function tokenRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^\/v1\/access_token$/,
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'token',
      handle: (ctx) => token(ctx, state),
    },
  ];
}

type Form = Map<string, string>;

function token(ctx: RequestContext, state: EmulatorState): Reply {
  const form = parseFormBody(ctx);
  if (!form.ok) return refuse(ctx, 'invalid_request', form.problem);
  const grantType = form.value.get('grant_type');
  if (!grantType) return refuse(ctx, 'invalid_request', 'grant_type is missing.');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return refuse(ctx, 'unsupported_grant_type', `grant_type ${grantType} is not supported.`);
  }
  const client = authenticateClient(ctx, state, form.value);
  if ('status' in client) return client;
  return grantType === 'authorization_code'
    ? codeGrant(ctx, state, form.value, client)
    : refreshGrant(ctx, state, form.value, client);
}

/** Client credentials in the body or HTTP Basic (RFC 6749 §2.3.1). */
function authenticateClient(
  ctx: RequestContext,
  state: EmulatorState,
  form: Form,
): Integration | Reply {
  let basic: { id: string; secret: string } | undefined;
  const authorization = header(ctx, 'authorization');
  if (authorization) {
    const m = /^Basic\s+(\S+)$/i.exec(authorization.trim());
    if (!m) {
      return refuse(ctx, 'invalid_client', 'Authorization must be HTTP Basic client credentials.');
    }
    const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return refuse(ctx, 'invalid_client', 'Malformed Basic credentials.');
    basic = {
      id: formDecode(decoded.slice(0, colon)),
      secret: formDecode(decoded.slice(colon + 1)),
    };
  }
  const bodyId = form.get('client_id');
  const bodySecret = form.get('client_secret');
  if (basic && (bodyId !== undefined || bodySecret !== undefined)) {
    if (
      (bodyId !== undefined && bodyId !== basic.id) ||
      (bodySecret && bodySecret !== basic.secret)
    ) {
      return refuse(ctx, 'invalid_client', 'Client credentials in the body and in Basic differ.');
    }
    if (bodySecret) ctx.deviate('client secret sent both in Basic and in the body');
  }
  const clientId = basic?.id ?? bodyId;
  const secret = basic?.secret ?? bodySecret;
  if (!clientId) return refuse(ctx, 'invalid_client', 'client_id is missing.');
  const integration = state.integrations.get(clientId);
  if (!integration) return refuse(ctx, 'invalid_client', 'Client Id is invalid.');
  if (!secret) {
    if (state.config.requireClientSecret) {
      return refuse(ctx, 'invalid_client', 'client_secret is missing.');
    }
    return integration;
  }
  if (!sameText(secret, integration.clientSecret)) {
    return refuse(ctx, 'invalid_client', 'Client secret is invalid.');
  }
  return integration;
}

/**
 * Codes are single use. Any redemption attempt by the client the code was issued to uses it
 * up, even one that then fails the redirect_uri or PKCE check (the strict reading of RFC 6749
 * §4.1.2). A reused code gets invalid_grant and revokes nothing.
 */
function codeGrant(
  ctx: RequestContext,
  state: EmulatorState,
  form: Form,
  client: Integration,
): Reply {
  const codeValue = form.get('code');
  if (!codeValue) return refuse(ctx, 'invalid_request', 'code is missing.');
  const redirectUri = form.get('redirect_uri');
  if (redirectUri === undefined) return refuse(ctx, 'invalid_request', 'redirect_uri is missing.');
  const code = state.authorizations.findCode(codeValue);
  const now = state.now();
  if (!code) return refuse(ctx, 'invalid_grant', 'The authorization code is invalid.');
  if (code.used) return refuse(ctx, 'invalid_grant', 'The authorization code was already used.');
  if (code.clientId !== client.clientId) {
    return refuse(ctx, 'invalid_grant', 'The authorization code was issued to another client.');
  }
  code.used = true;
  if (now >= code.expiresAt) return refuse(ctx, 'invalid_grant', 'The authorization code expired.');
  if (redirectUri !== code.redirectUri) {
    return refuse(ctx, 'invalid_grant', 'redirect_uri differs from the authorize request.');
  }
  const verifier = form.get('code_verifier');
  if (code.challenge !== null) {
    if (!verifier) return refuse(ctx, 'invalid_grant', 'code_verifier is required.');
    if (!VERIFIER.test(verifier)) {
      return refuse(ctx, 'invalid_request', 'code_verifier must be 43-128 unreserved characters.');
    }
    const expected = code.challengeMethod === 'S256' ? s256(verifier) : verifier;
    if (!sameText(expected, code.challenge)) {
      return refuse(ctx, 'invalid_grant', 'code_verifier does not match the code_challenge.');
    }
  } else if (verifier) {
    ctx.deviate('code_verifier sent for a code issued without code_challenge');
  }
  const issued = state.tokens.issue(code.userId, client.clientId, code.scopes, now, state.config);
  const user = userById(code.userId);
  const extra: Record<string, string> = {};
  if (user && code.scopes.includes('openid')) {
    extra.id_token = idToken(state, user, client.clientId, code.nonce, code.scopes);
  }
  return tokenResponse(issued.access, issued.refresh, now, extra);
}

function refreshGrant(
  ctx: RequestContext,
  state: EmulatorState,
  form: Form,
  client: Integration,
): Reply {
  const value = form.get('refresh_token');
  if (!value) return refuse(ctx, 'invalid_request', 'refresh_token is missing.');
  const now = state.now();
  const checked = state.tokens.checkRefresh(value, now);
  if (typeof checked === 'string') {
    const description = `The refresh token is ${checked === 'unknown' ? 'invalid' : checked}.`;
    // Expired or revoked tokens happen to correct clients; reusing a rotated-out one does not.
    return refuse(ctx, 'invalid_grant', description, state.tokens.wasRotatedOut(value));
  }
  if (checked.clientId !== client.clientId) {
    return refuse(ctx, 'invalid_grant', 'The refresh token was issued to another client.');
  }
  let scopes = checked.scopes;
  const requested = form.get('scope');
  if (requested !== undefined) {
    scopes = parseScopes(requested);
    const extra = scopes.filter((s) => !checked.scopes.includes(s));
    if (scopes.length === 0 || extra.length) {
      return refuse(ctx, 'invalid_scope', `Scopes beyond the original grant: ${extra.join(' ')}`);
    }
  }
  const issued = state.tokens.redeemRefresh(
    checked,
    scopes,
    state.config.rotateRefreshTokens,
    now,
    state.config,
  );
  return tokenResponse(issued.access, issued.refresh, now, {});
}

function tokenResponse(
  access: AccessToken,
  refresh: RefreshToken,
  now: number,
  extra: Record<string, string>,
): Reply {
  return jsonReply(
    200,
    {
      access_token: access.token,
      expires_in: Math.floor((access.expiresAt - now) / 1000),
      refresh_token: refresh.token,
      refresh_token_expires_in: Math.floor((refresh.expiresAt - now) / 1000),
      token_type: 'Bearer',
      scope: access.scopes.join(' '),
      ...extra,
    },
    { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  );
}

/**
 * Every refusal is logged as a deviation except those a correct client meets in normal life
 * (an expired or rotated-out refresh token).
 */
function refuse(
  ctx: RequestContext,
  error: OAuthErrorCode,
  description: string,
  deviation = true,
): Reply {
  if (deviation) ctx.deviate(`token: ${error}: ${description}`);
  return oauthError(ctx, error, description);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1). */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
