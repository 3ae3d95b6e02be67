/**
 * The extension's side of the token broker (lib/broker): the same two token calls as
 * oauth.ts `exchangeCode` / `refreshAccessToken`, sent to the broker without any client
 * credentials (it adds them), answered with the same `Outcome<TokenResponse>`.
 *
 * Webex's own refusals come back through the broker unchanged, so they stay `http` failures and
 * the caller treats them exactly as it treats Webex (invalid_grant: sign in again). The broker's
 * own refusals of a request it will never accept (this extension not allowed, a malformed
 * request) are a deployment problem, not a dead grant: they become `config` failures, so a
 * misconfigured broker never costs the user their sign-in. Its rate limits and upstream troubles
 * stay `http` (429, 5xx) and are retried like Webex's.
 */
import type { Fetch } from '../ports';
import { brokerUrlProblem } from '../settings';
import type { Outcome, WebexFailure } from './http';
import { postTokenForm, type TokenResponse } from './oauth';

/** The `source` the broker puts in its own error bodies (lib/broker/replies.ts). */
const BROKER_SOURCE = 'broker';

/** Broker error codes that no retry will fix: the deployment must change. */
const DEPLOYMENT_REFUSALS = new Set([
  'origin_not_allowed',
  'invalid_request',
  'unsupported_grant_type',
  'not_found',
  'method_not_allowed',
  'request_too_large',
  'unsupported_media_type',
]);

/**
 * Null for a usable broker URL, else what is wrong with it ("is not ...", "must ..."). The
 * refresh token travels to the broker: https, or plain http on this computer only.
 */
export function checkBrokerUrl(brokerUrl: string): string | null {
  switch (brokerUrlProblem(brokerUrl)) {
    case null:
      return null;
    case 'invalid':
      return 'is not a valid URL';
    case 'credentials':
      return 'must not carry credentials or a fragment';
    case 'insecure':
      return 'must use https:// (plain http:// only to localhost or 127.0.0.1)';
  }
}

function brokerRefusal(failure: WebexFailure): WebexFailure | null {
  if (failure.kind !== 'http' || typeof failure.body !== 'object' || failure.body === null) {
    return null;
  }
  const body = failure.body as Record<string, unknown>;
  if (body.source !== BROKER_SOURCE || typeof body.error !== 'string') return null;
  if (!DEPLOYMENT_REFUSALS.has(body.error)) return null;
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  return {
    kind: 'config',
    message: `The token broker refused the request (${body.error}, HTTP ${failure.status})${description ? `: ${description}` : ''}`,
  };
}

async function viaBroker(
  fetch: Fetch,
  brokerUrl: string,
  form: Record<string, string>,
  what: string,
): Promise<Outcome<TokenResponse>> {
  const problem = checkBrokerUrl(brokerUrl);
  if (problem) {
    return { ok: false, error: { kind: 'config', message: `The token broker URL ${problem}.` } };
  }
  const outcome = await postTokenForm(fetch, brokerUrl, form, what);
  if (outcome.ok) return outcome;
  return { ok: false, error: brokerRefusal(outcome.error) ?? outcome.error };
}

export function exchangeCodeViaBroker(
  fetch: Fetch,
  brokerUrl: string,
  args: { code: string; codeVerifier: string; redirectUri: string },
): Promise<Outcome<TokenResponse>> {
  return viaBroker(
    fetch,
    brokerUrl,
    {
      grant_type: 'authorization_code',
      code: args.code,
      code_verifier: args.codeVerifier,
      redirect_uri: args.redirectUri,
    },
    'Token exchange through the token broker',
  );
}

/** Refresh through the broker; like `refreshAccessToken`, the answer may lack a refresh token. */
export function refreshViaBroker(
  fetch: Fetch,
  brokerUrl: string,
  args: { refreshToken: string },
): Promise<Outcome<TokenResponse>> {
  return viaBroker(
    fetch,
    brokerUrl,
    { grant_type: 'refresh_token', refresh_token: args.refreshToken },
    'Token refresh through the token broker',
  );
}
