import { restError } from './errors';
import { header, type Reply, type RequestContext } from './http';
import type { EmulatorState } from './state';
import { type AccessToken, hasScope } from './tokens';
import { type TestUser, userById } from './users';

export type Authenticated =
  | { ok: true; token: AccessToken; user: TestUser }
  | { ok: false; reply: Reply };

export interface AuthRequirement {
  /** Scope the token must carry (spark:all also satisfies it). */
  scope?: string;
  /** Status when the token lacks the scope. */
  missingScopeStatus?: 401 | 403;
}

/**
 * Bearer authentication shared by every protected endpoint: 401 when the header is missing or
 * not Bearer, or the token is unknown, expired or revoked.
 */
export function authenticate(
  ctx: RequestContext,
  state: EmulatorState,
  requirement: AuthRequirement = {},
): Authenticated {
  const value = header(ctx, 'authorization');
  if (!value) {
    ctx.deviate('missing Authorization header');
    return fail(ctx, 'Authorization header is missing.');
  }
  const match = /^(\S+)\s+(\S+)$/.exec(value.trim());
  if (match?.[1]?.toLowerCase() !== 'bearer') {
    ctx.deviate('Authorization is not "Bearer <access_token>"');
    return fail(ctx, 'Authorization must be a Bearer token.');
  }
  if (match[1] !== 'Bearer') {
    ctx.deviate(`Authorization scheme spelled "${match[1]}", not "Bearer"`);
  }
  const checked = state.tokens.checkAccess(match[2] ?? '', state.now());
  if (typeof checked === 'string') {
    return fail(ctx, checked === 'expired' ? 'The access token expired.' : 'Invalid access token.');
  }
  const user = userById(checked.userId);
  if (!user) return fail(ctx, 'Invalid access token.');
  if (requirement.scope && !hasScope(checked.scopes, requirement.scope)) {
    const status = requirement.missingScopeStatus ?? 403;
    return {
      ok: false,
      reply: restError(ctx, status, `The access token is missing the ${requirement.scope} scope.`),
    };
  }
  return { ok: true, token: checked, user };
}

function fail(ctx: RequestContext, description: string): Authenticated {
  return { ok: false, reply: restError(ctx, 401, description) };
}
