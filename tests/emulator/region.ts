import { jsonReply, type RequestContext } from './http';
import { BASE_ONLY, type Route } from './router';

/**
 * ds.ciscospark.com/v1/region stand-in (mobius-registration.md §3.3). No Authorization and no
 * spark-user-agent: the SDK sends neither, so neither is required nor marked.
 */
export function regionRoutes(): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/region$/,
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'region',
      handle: (ctx) => jsonReply(200, region(ctx.remoteAddress)),
    },
    {
      // Oct-2024 SDK variant: region of a given IP.
      method: 'GET',
      pattern: /^\/v1\/region\/([^/]+)$/,
      servers: BASE_ONLY,
      kind: 'api',
      endpoint: 'region',
      handle: (ctx: RequestContext) => jsonReply(200, region(ctx.params[0] ?? '')),
    },
  ];
}

function region(clientAddress: string) {
  return {
    attribution:
      'This product includes GeoLite2 data created by MaxMind, available from http://www.maxmind.com',
    clientAddress,
    clientRegion: 'US-EAST',
    countryCode: 'US',
    disclaimer:
      'This service is intended for use by Webex Team only. Unauthorized use is prohibited.',
    regionCode: 'US-EAST',
    timezone: 'America/New_York',
  };
}
