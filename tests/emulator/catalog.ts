import { authenticate } from './auth';
import { restError } from './errors';
import { jsonReply, type Reply, type RequestContext } from './http';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import { ORG_UUID } from './users';

/** U2C cluster/team id used in hostCatalog ids (`urn:TEAM:<team>:<service>`). */
const TEAM = 'urn:TEAM:local-a';

/**
 * The U2C service catalog in `hostmap` form (mobius-registration.md §3.1). Mobius clusters are
 * the hostCatalog entries whose id ends with `:mobius`: primary first, then backup. Hosts carry
 * the port so clients can build `<scheme>://<host>/api/v1`.
 */
export function hostmap(state: EmulatorState): Record<string, unknown> {
  const { urls } = state;
  const host = (url: string) => new URL(url).host;
  return {
    serviceLinks: {
      mobius: urls.mobiusPrimaryApi,
      wdm: urls.wdm,
      u2c: `${urls.base}/u2c/api/v1`,
      hydra: `${urls.base}/v1`,
    },
    hostCatalog: {
      [host(urls.primary)]: [
        { host: host(urls.primary), ttl: -1, priority: 5, id: `${TEAM}:mobius` },
        { host: host(urls.backup), ttl: -1, priority: 15, id: `${TEAM}:mobius` },
      ],
      [host(urls.base)]: [{ host: host(urls.base), ttl: -1, priority: 5, id: `${TEAM}:wdm` }],
    },
    format: 'hostmap',
    timestamp: String(Math.floor(state.now() / 1000)),
    orgId: ORG_UUID,
  };
}

export function catalogRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/u2c\/api\/v1\/catalog$/,
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'catalog',
      handle: (ctx) => catalog(ctx, state),
    },
    {
      // Pre-sign-in variant: no token; needs orgId, email, emailhash or mode.
      method: 'GET',
      pattern: /^\/u2c\/api\/v1\/limited\/catalog$/,
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'catalog',
      handle: (ctx) => limitedCatalog(ctx, state),
    },
  ];
}

function limitedCatalog(ctx: RequestContext, state: EmulatorState): Reply {
  const q = ctx.url.searchParams;
  if (!['orgId', 'email', 'emailhash', 'mode'].some((k) => q.get(k))) {
    ctx.deviate('limited catalog: needs orgId, email, emailhash or mode');
    return restError(ctx, 400, 'One of orgId, email, emailhash or mode is required.');
  }
  return formatChecked(ctx, state);
}

function catalog(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticate(ctx, state);
  if (!auth.ok) return auth.reply;
  return formatChecked(ctx, state);
}

function formatChecked(ctx: RequestContext, state: EmulatorState): Reply {
  const format = ctx.url.searchParams.get('format');
  if (format !== 'hostmap') {
    // The real U2C has other formats; the references (and this emulator) only know hostmap.
    ctx.deviate(`catalog: format=${format ?? '(missing)'}; only format=hostmap is emulated`);
    return restError(ctx, 400, 'format must be hostmap.');
  }
  return jsonReply(200, hostmap(state));
}
