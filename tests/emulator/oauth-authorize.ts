import type { ChallengeMethod, PendingAuthorization } from './authorizations';
import { authorizeErrorPage, consentPage, DECISION_PATH } from './consent-page';
import { htmlReply, parseFormBody, type Reply, type RequestContext, redirectReply } from './http';
import { type Integration, OIDC_SCOPES } from './integrations';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import { TEST_USERS, type TestUser, userByEmail } from './users';

const VERIFIER_LIKE = /^[A-Za-z0-9\-._~]{43,128}$/;
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** prompt values that must show the page even when auto-consent is on. */
const INTERACTIVE_PROMPTS = new Set(['login', 'select_account', 'consent']);

type Outcome = { kind: 'pending'; request: Omit<PendingAuthorization, 'id' | 'expiresAt'> } | Reply;

/** GET /v1/authorize and the consent page's form target. */
export function authorizeRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/authorize$/,
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'authorize',
      browserPage: true,
      handle: (ctx) => authorize(ctx, state),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^${DECISION_PATH.replace(/\//g, '\\/')}$`),
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'authorize',
      browserPage: true,
      handle: (ctx) => decide(ctx, state),
    },
  ];
}

function authorize(ctx: RequestContext, state: EmulatorState): Reply {
  const outcome = validate(ctx, state);
  if (!('kind' in outcome)) return outcome;
  const { request } = outcome;
  const prompt = ctx.url.searchParams.get('prompt');
  const autoUser = state.config.autoConsentEmail
    ? userByEmail(state.config.autoConsentEmail)
    : undefined;
  if (prompt === 'none') {
    // No UI allowed: only a "live session" (auto-consent) can answer.
    return autoUser
      ? codeRedirect(state, request, autoUser)
      : errorRedirect(request, 'login_required', 'The user is not signed in.');
  }
  if (autoUser && !INTERACTIVE_PROMPTS.has(prompt ?? '')) {
    return codeRedirect(state, request, autoUser);
  }
  const integration = state.integrations.get(request.clientId) as Integration;
  const id = state.authorizations.addPending(request, state.now());
  return htmlReply(200, consentPage(id, integration, request.scopes, TEST_USERS));
}

function validate(ctx: RequestContext, state: EmulatorState): Outcome {
  const q = ctx.url.searchParams;
  const clientId = q.get('client_id');
  if (!clientId) return badClient(ctx, 'client_id is missing.');
  const integration = state.integrations.get(clientId);
  if (!integration) return badClient(ctx, 'Client Id is invalid.');

  let redirectUri = q.get('redirect_uri');
  if (redirectUri === null) {
    // Webex allows omitting it only when exactly one URI is registered.
    const only = integration.redirectUris.length === 1 ? integration.redirectUris[0] : undefined;
    if (only === undefined) return badClient(ctx, 'redirect_uri is missing.');
    ctx.deviate('redirect_uri omitted (always send it)');
    redirectUri = only;
  } else if (!integration.redirectUris.includes(redirectUri)) {
    return badClient(ctx, 'redirect_uri does not match a registered redirect URI.');
  }

  const stateParam = q.get('state');
  if (stateParam === null || stateParam === '') ctx.deviate('no state parameter (always send one)');
  const base = { clientId, redirectUri, state: stateParam || null };
  const fail = (error: string, description: string): Reply => {
    ctx.deviate(`authorize: ${error}: ${description}`);
    return errorRedirect(base, error, description);
  };

  const responseType = q.get('response_type');
  if (!responseType) return fail('invalid_request', 'response_type is missing.');
  if (responseType !== 'code') {
    return fail('unsupported_response_type', 'Only response_type=code is supported here.');
  }

  const scopes = parseScopes(q.get('scope'));
  if (scopes.length === 0) return fail('invalid_scope', 'scope is missing or empty.');
  const unregistered = scopes.filter((s) => !OIDC_SCOPES.has(s) && !integration.scopes.includes(s));
  if (unregistered.length) {
    return fail(
      'invalid_scope',
      `Scopes not registered on the integration: ${unregistered.join(' ')}`,
    );
  }

  const pkce = validatePkce(ctx, state, q);
  if (typeof pkce === 'string') return fail('invalid_request', pkce);

  const nonce = q.get('nonce');
  if (scopes.includes('openid') && !nonce) {
    return fail('invalid_request', 'nonce is required when scope contains openid.');
  }
  return {
    kind: 'pending',
    request: { ...base, scopes, ...pkce, nonce: nonce || null },
  };
}

/**
 * PKCE: S256 or plain. A missing challenge is refused while requirePkce is on (the default;
 * Webex documents PKCE as optional, the extension always sends S256).
 */
function validatePkce(
  ctx: RequestContext,
  state: EmulatorState,
  q: URLSearchParams,
): { challenge: string | null; challengeMethod: ChallengeMethod | null } | string {
  const challenge = q.get('code_challenge');
  let method = q.get('code_challenge_method');
  if (method !== null && method !== 'S256' && method !== 'plain') {
    return 'code_challenge_method must be S256 or plain.';
  }
  if (!challenge) {
    if (method !== null) return 'code_challenge is missing.';
    if (state.config.requirePkce) return 'code_challenge is required (PKCE).';
    ctx.deviate('no PKCE code_challenge');
    return { challenge: null, challengeMethod: null };
  }
  if (method === null) {
    ctx.deviate('code_challenge_method missing (defaults to plain; send S256)');
    method = 'plain';
  }
  const pattern = method === 'S256' ? S256_CHALLENGE : VERIFIER_LIKE;
  if (!pattern.test(challenge)) return `code_challenge is not a valid ${method} challenge.`;
  return { challenge, challengeMethod: method as ChallengeMethod };
}

function decide(ctx: RequestContext, state: EmulatorState): Reply {
  const form = parseFormBody(ctx);
  if (!form.ok) {
    ctx.deviate(`consent form: ${form.problem}`);
    return htmlReply(400, authorizeErrorPage('The sign-in form was not understood.'));
  }
  const pending = state.authorizations.takePending(form.value.get('request') ?? '', state.now());
  if (!pending) {
    return htmlReply(
      400,
      authorizeErrorPage('This sign-in request expired or was already answered. Start again.'),
    );
  }
  if (form.value.get('decision') === 'decline') {
    return errorRedirect(pending, 'access_denied', 'The user declined the request.');
  }
  const user = userByEmail(form.value.get('user') ?? '');
  if (!user) return htmlReply(400, authorizeErrorPage('Unknown account.'));
  return codeRedirect(state, pending, user);
}

function codeRedirect(
  state: EmulatorState,
  request: Omit<PendingAuthorization, 'id' | 'expiresAt'>,
  user: TestUser,
): Reply {
  const code = state.authorizations.issueCode(
    {
      userId: user.id,
      clientId: request.clientId,
      redirectUri: request.redirectUri,
      scopes: request.scopes,
      challenge: request.challenge,
      challengeMethod: request.challengeMethod,
      nonce: request.nonce,
    },
    state.now(),
    state.config.codeLifetimeSec,
  );
  const url = new URL(request.redirectUri);
  url.searchParams.set('code', code.code);
  if (request.state !== null) url.searchParams.set('state', request.state);
  return redirectReply(url.toString());
}

function errorRedirect(
  request: { redirectUri: string; state: string | null },
  error: string,
  description: string,
): Reply {
  const url = new URL(request.redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (request.state !== null) url.searchParams.set('state', request.state);
  return redirectReply(url.toString());
}

/** Never redirect to an unverified URI (RFC 6749 §4.1.2.1): show the error instead. */
function badClient(ctx: RequestContext, description: string): Reply {
  ctx.deviate(`authorize: ${description}`);
  return htmlReply(400, authorizeErrorPage(description));
}

export function parseScopes(raw: string | null): string[] {
  return [...new Set((raw ?? '').split(/\s+/).filter(Boolean))];
}
