/**
 * Interactive sign-in: authorization code + PKCE (S256) + state through IdentityFlow. The
 * verifier and state live only in this function's scope: a window the user closes leaves nothing
 * behind, and a worker killed mid-flow simply has no sign-in to resume.
 */
import type { Clock, Fetch, IdentityFlow, Random } from '../ports';
import type { Settings } from '../settings';
import { isConfigured } from '../settings';
import { exchangeCodeViaBroker } from '../webex/broker-client';
import { endpointsFor } from '../webex/environment';
import type { Outcome, WebexFailure } from '../webex/http';
import {
  buildAuthorizeUrl,
  createPkce,
  createState,
  exchangeCode,
  oauthErrorCode,
  parseRedirect,
  type TokenResponse,
} from '../webex/oauth';
import { type StoredTokens, tokensFromResponse } from './tokens';

export type SignInOutcome =
  | { kind: 'signedIn'; tokens: StoredTokens }
  /** The user closed the window: calm, nothing to fix. */
  | { kind: 'cancelled'; message: string }
  /** The user declined consent: calm too. */
  | { kind: 'declined'; message: string }
  | {
      kind: 'failed';
      reason: 'notConfigured' | 'stateMismatch' | 'provider' | 'exchange' | 'unreachable';
      message: string;
    };

export interface SignInDeps {
  identity: IdentityFlow;
  fetch: Fetch;
  random: Random;
  clock: Clock;
  settings: Settings;
}

export async function runSignIn(deps: SignInDeps): Promise<SignInOutcome> {
  const { settings } = deps;
  if (!isConfigured(settings)) {
    return {
      kind: 'failed',
      reason: 'notConfigured',
      message:
        'Enter the integration client ID and secret (or a token broker) in the settings first.',
    };
  }
  const endpoints = endpointsFor(settings.environment);
  if (!endpoints.ok) return { kind: 'failed', reason: 'notConfigured', message: endpoints.message };

  const pkce = await createPkce(deps.random);
  const state = createState(deps.random);
  const redirectUri = deps.identity.redirectUrl();
  const url = buildAuthorizeUrl({
    authorizeUrl: endpoints.endpoints.authorize,
    clientId: settings.clientId,
    redirectUri,
    state,
    codeChallenge: pkce.challenge,
  });

  let redirect: string;
  try {
    redirect = await deps.identity.launchWebAuthFlow(url, true);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // Chrome says "The user did not approve access." when the window is closed.
    if (/approve|cancel|closed|user/i.test(text)) {
      return {
        kind: 'cancelled',
        message: 'Sign-in was cancelled. You can sign in again at any time.',
      };
    }
    return {
      kind: 'failed',
      reason: 'unreachable',
      message: `The Webex sign-in page could not be opened (${text}). Check the environment in the settings and try again.`,
    };
  }

  const parsed = parseRedirect(redirect, state);
  switch (parsed.kind) {
    case 'stateMismatch':
      return {
        kind: 'failed',
        reason: 'stateMismatch',
        message:
          'The sign-in answer did not match this request, so it was ignored. Please try again.',
      };
    case 'invalid':
      return { kind: 'failed', reason: 'provider', message: parsed.message };
    case 'error':
      if (parsed.error === 'access_denied') {
        return {
          kind: 'declined',
          message:
            'You did not allow access, so you are not signed in. Sign in again whenever you are ready.',
        };
      }
      return {
        kind: 'failed',
        reason: 'provider',
        message: `Webex did not complete the sign-in (${parsed.description ?? parsed.error}).`,
      };
    case 'code':
      break;
  }

  const answer = await exchange(deps, endpoints.endpoints.accessToken, {
    code: parsed.code,
    redirectUri,
    codeVerifier: pkce.verifier,
  });
  if (!answer.ok) return exchangeFailed(answer.error, settings.tokenBrokerUrl !== '');
  return {
    kind: 'signedIn',
    tokens: tokensFromResponse(answer.value, deps.clock.now(), {
      environment: settings.environment,
      clientId: settings.clientId,
    }),
  };
}

/**
 * The code exchange: through the token broker when there is one (it adds the client
 * credentials; the verifier and redirect URL go with the code, PKCE stays ours), else to Webex
 * with the client secret.
 */
function exchange(
  deps: SignInDeps,
  tokenUrl: string,
  args: { code: string; redirectUri: string; codeVerifier: string },
): Promise<Outcome<TokenResponse>> {
  const { settings } = deps;
  if (settings.tokenBrokerUrl !== '') {
    return exchangeCodeViaBroker(deps.fetch, settings.tokenBrokerUrl, args);
  }
  return exchangeCode(deps.fetch, tokenUrl, {
    ...args,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
  });
}

function exchangeFailed(failure: WebexFailure, viaBroker: boolean): SignInOutcome {
  const where = viaBroker ? 'The token broker' : 'Webex';
  if (failure.kind === 'network') {
    return {
      kind: 'failed',
      reason: 'unreachable',
      message: `${where} could not be reached: ${failure.message}.`,
    };
  }
  // The broker refused a request it will never accept: the deployment must change.
  if (failure.kind === 'config') {
    return {
      kind: 'failed',
      reason: 'exchange',
      message: `${failure.message}. Ask your administrator to check the token broker.`,
    };
  }
  const code = failure.kind === 'http' ? oauthErrorCode(failure.body) : undefined;
  if (code === 'invalid_client' || (failure.kind === 'http' && failure.status === 401)) {
    return {
      kind: 'failed',
      reason: 'exchange',
      message: viaBroker
        ? 'Webex refused the integration the token broker signs in with. Ask your administrator to check it.'
        : 'Webex refused the integration client ID or secret. Check them in the settings.',
    };
  }
  // Servers end their descriptions with a period or not: one period either way.
  const reason = failure.message.replace(/\.+$/, '');
  return { kind: 'failed', reason: 'exchange', message: `${reason}. Please try again.` };
}
