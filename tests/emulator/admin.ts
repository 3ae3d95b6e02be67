import { adminPage } from './admin-page';
import type { EmulatorControls } from './controls';
import { restErrorBody } from './errors';
import { parseFaultSpec } from './faults';
import { htmlReply, isObject, jsonReply, type Reply, type RequestContext } from './http';
import { parseIntegration } from './integrations';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import type { MobiusServerName } from './types';

export const ADMIN_PREFIX = '/_emulator';

/** The admin API: JSON in and out under /_emulator/ on B. Not logged, never faulted. */
export function adminRoutes(state: EmulatorState, controls: EmulatorControls): Route[] {
  const route = (method: string, path: string, handle: Route['handle']): Route => ({
    method,
    pattern: new RegExp(`^${ADMIN_PREFIX}${path}$`),
    servers: BASE_ONLY,
    kind: 'admin',
    handle,
  });
  return [
    route('GET', '/?', () => htmlReply(200, adminPage(state.urls))),
    route('GET', '/config', () => jsonReply(200, state.config)),
    route('POST', '/config', (ctx) =>
      withBody(ctx, (body) => orBadRequest(ctx, controls.setConfig(body))),
    ),
    route('GET', '/faults', () => jsonReply(200, { faults: state.faults.list() })),
    route('POST', '/faults', (ctx) =>
      withBody(ctx, (body) => {
        const spec = parseFaultSpec(body);
        if (typeof spec === 'string') return bad(ctx, spec);
        return orCreated(ctx, controls.injectFault(spec));
      }),
    ),
    route('DELETE', '/faults', () => jsonReply(200, { cleared: state.faults.clear() })),
    route('GET', '/servers', () => jsonReply(200, controls.servers())),
    route('POST', '/servers/(primary|backup)/(down|up)', async (ctx) => {
      await controls.setServer(ctx.params[0] as MobiusServerName, ctx.params[1] === 'up');
      return jsonReply(200, controls.servers());
    }),
    route('POST', '/tokens', (ctx) =>
      withBody(ctx, (body) => {
        if (typeof body.email !== 'string') return bad(ctx, 'email is required');
        const scopes = body.scopes;
        if (
          scopes !== undefined &&
          !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))
        ) {
          return bad(ctx, 'scopes must be an array of strings');
        }
        const result = controls.issueTokens(body.email, {
          ...(typeof body.clientId === 'string' ? { clientId: body.clientId } : {}),
          ...(scopes ? { scopes: scopes as string[] } : {}),
        });
        return typeof result === 'string' ? bad(ctx, result) : jsonReply(200, result);
      }),
    ),
    route('POST', '/tokens/revoke', (ctx) =>
      withBody(ctx, (body) =>
        counted(
          ctx,
          'revoked',
          controls.revokeTokens({
            ...(typeof body.email === 'string' ? { email: body.email } : {}),
            ...(typeof body.accessToken === 'string' ? { accessToken: body.accessToken } : {}),
          }),
        ),
      ),
    ),
    route('POST', '/tokens/expire', (ctx) =>
      withBody(ctx, (body) =>
        counted(
          ctx,
          'expired',
          controls.expireTokens({
            ...(typeof body.email === 'string' ? { email: body.email } : {}),
            refreshTokens: body.refreshTokens === true,
          }),
        ),
      ),
    ),
    route('GET', '/devices', (ctx) => {
      const devices = controls.devices(ctx.url.searchParams.get('email') ?? undefined);
      return typeof devices === 'string' ? bad(ctx, devices) : jsonReply(200, { devices });
    }),
    route('GET', '/device-history', (ctx) =>
      orBadRequest(ctx, controls.deviceHistory(ctx.url.searchParams.get('email') ?? undefined)),
    ),
    route('GET', '/lapses', (ctx) => {
      const lapses = controls.lapses(ctx.url.searchParams.get('email') ?? undefined);
      return typeof lapses === 'string' ? bad(ctx, lapses) : jsonReply(200, { lapses });
    }),
    route('GET', '/log', () => jsonReply(200, { entries: state.log.all() })),
    route('GET', '/deviations', () => jsonReply(200, { deviations: state.log.deviations() })),
    route('DELETE', '/log', () => {
      state.log.clear();
      return jsonReply(200, { cleared: true });
    }),
    route('POST', '/reset', async () => {
      await controls.reset();
      return jsonReply(200, { reset: true });
    }),
    route('GET', '/integrations', () =>
      jsonReply(200, {
        integrations: state.integrations.list().map(({ clientSecret: _, ...rest }) => rest),
      }),
    ),
    route('POST', '/integrations', (ctx) =>
      withBody(ctx, (body) => {
        const integration = parseIntegration(body);
        if (typeof integration === 'string') return bad(ctx, integration);
        controls.addIntegration(integration);
        return jsonReply(201, { clientId: integration.clientId });
      }),
    ),
    route('GET', '/users', () => jsonReply(200, { users: controls.users() })),
    route('GET', '/clock', () =>
      jsonReply(200, { now: state.now(), offsetMs: state.clock.offset }),
    ),
    route('POST', '/clock', (ctx) =>
      withBody(ctx, (body) => {
        const ms = body.advanceMs;
        if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) {
          return bad(ctx, 'advanceMs must be a non-negative integer');
        }
        state.clock.advance(ms);
        return jsonReply(200, { now: state.now(), offsetMs: state.clock.offset });
      }),
    ),
  ];
}

/** Admin bodies: JSON object, or nothing at all. */
function withBody(ctx: RequestContext, act: (body: Record<string, unknown>) => Reply): Reply {
  const text = ctx.body.toString('utf8').trim();
  if (!text) return act({});
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return bad(ctx, 'body is not valid JSON');
  }
  if (!isObject(body)) return bad(ctx, 'body must be a JSON object');
  return act(body);
}

function orBadRequest(ctx: RequestContext, result: object | string): Reply {
  return typeof result === 'string' ? bad(ctx, result) : jsonReply(200, result);
}

function orCreated(ctx: RequestContext, result: object | string): Reply {
  return typeof result === 'string' ? bad(ctx, result) : jsonReply(201, result);
}

function counted(ctx: RequestContext, key: string, result: number | string): Reply {
  return typeof result === 'string' ? bad(ctx, result) : jsonReply(200, { [key]: result });
}

function bad(ctx: RequestContext, description: string): Reply {
  return jsonReply(400, restErrorBody(400, description, ctx.trackingId));
}
