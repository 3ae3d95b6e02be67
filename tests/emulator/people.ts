import { authenticate } from './auth';
import { jsonReply, type Reply, type RequestContext } from './http';
import { hydraId } from './ids';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import { LOCATION_UUID, ORG_UUID, ROUTING_PREFIX, type TestUser } from './users';

/** Webex People API Person for a test user; optional fields only when set (webex-oauth.md §9). */
export function person(user: TestUser): Record<string, unknown> {
  const [local] = user.email.split('@');
  const calling = user.callingEnabled && user.phoneNumber && user.extension;
  const sipAddresses = [
    { type: 'personal-room', value: `${local}@example.webex.com`, primary: !calling },
    ...(calling
      ? [{ type: 'cloud-calling', value: `${local}@example.calls.webex.com`, primary: true }]
      : []),
  ];
  return {
    id: hydraId('PEOPLE', user.id),
    emails: [user.email],
    ...(calling
      ? {
          phoneNumbers: [
            { type: 'work', value: user.phoneNumber, primary: true },
            { type: 'work_extension', value: `${ROUTING_PREFIX}${user.extension}` },
          ],
          extension: user.extension,
          locationId: hydraId('LOCATION', LOCATION_UUID),
        }
      : {}),
    sipAddresses,
    displayName: user.displayName,
    nickName: user.firstName,
    firstName: user.firstName,
    lastName: user.lastName,
    orgId: hydraId('ORGANIZATION', ORG_UUID),
    roles: [],
    licenses: [],
    created: user.created,
    lastModified: user.created,
    lastActivity: user.created,
    status: 'active',
    timezone: 'America/Los_Angeles',
    type: 'person',
  };
}

/** GET /v1/people/me (needs spark:people_read) and OIDC /v1/userinfo (needs openid). */
export function peopleRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/people\/me$/,
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'people',
      handle: (ctx) => me(ctx, state),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/userinfo$/,
      servers: BASE_ONLY,
      kind: 'api',
      handle: (ctx) => userinfo(ctx, state),
    },
  ];
}

function me(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticate(ctx, state, { scope: 'spark:people_read', missingScopeStatus: 403 });
  if (!auth.ok) return auth.reply;
  return jsonReply(200, person(auth.user));
}

function userinfo(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticate(ctx, state, { scope: 'openid', missingScopeStatus: 403 });
  if (!auth.ok) return auth.reply;
  const { user, token } = auth;
  return jsonReply(200, {
    sub: user.id,
    ...(token.scopes.includes('email') ? { email: user.email, email_verified: true } : {}),
    ...(token.scopes.includes('profile')
      ? {
          name: user.displayName,
          given_name: user.firstName,
          family_name: user.lastName,
          preferred_username: user.email,
        }
      : {}),
  });
}
