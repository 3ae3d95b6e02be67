import type { EndpointName } from './faults';
import type { Reply, RequestContext } from './http';
import type { ServerName } from './types';

/**
 * api: logged, fault-injectable, deviation-checked. admin: the emulator's own machinery, not
 * logged. quiet: browser noise (favicon), not logged.
 */
export type RouteKind = 'api' | 'admin' | 'quiet';

export interface Route {
  method: string;
  /** Anchored pattern over the path; capture groups become ctx.params. */
  pattern: RegExp;
  servers: readonly ServerName[];
  kind: RouteKind;
  endpoint?: EndpointName;
  /** A page a browser opens (consent, demo): cookies are normal there, unlike on the APIs. */
  browserPage?: boolean;
  handle(ctx: RequestContext): Reply | Promise<Reply>;
  /** Called when an injected fault answered this route with `status` instead of the handler. */
  onFaultAnswer?(ctx: RequestContext, status: number): void;
}

export type RouteMatch =
  | { found: true; route: Route; params: string[] }
  | { found: false; allowedMethods: string[] };

export function matchRoute(
  routes: readonly Route[],
  server: ServerName,
  method: string,
  path: string,
): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    if (!route.servers.includes(server)) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (route.method === method) {
      return { found: true, route, params: m.slice(1).map((p) => safeDecode(p ?? '')) };
    }
    allowed.push(route.method);
  }
  return { found: false, allowedMethods: allowed };
}

export const ALL_SERVERS: readonly ServerName[] = ['base', 'primary', 'backup'];
export const BASE_ONLY: readonly ServerName[] = ['base'];
export const MOBIUS_SERVERS: readonly ServerName[] = ['primary', 'backup'];

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
