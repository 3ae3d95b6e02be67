import type { IncomingHttpHeaders } from 'node:http';

/**
 * Request headers Webex clients send: the references' list, plus what webex-core adds
 * (`cisco-no-http-redirect`, `x-prelogin-userid`) so the SDK's preflights pass.
 */
export const ALLOWED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'cisco-device-url',
  'spark-user-agent',
  'trackingid',
  'cisco-no-http-redirect',
  'x-prelogin-userid',
  'accept',
  'accept-language',
];

export const EXPOSED_RESPONSE_HEADERS = ['Retry-After', 'Trackingid', 'Location', 'Content-Length'];

/** PATCH too: a page running @webex/calling sends the call's alerting/connected PATCHes (§2). */
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Headers every response carries. */
export function corsHeaders(request: IncomingHttpHeaders): Record<string, string> {
  const origin = single(request, 'origin');
  return {
    'Access-Control-Allow-Origin': origin ?? '*',
    ...(origin ? { Vary: 'Origin' } : {}),
    'Access-Control-Expose-Headers': EXPOSED_RESPONSE_HEADERS.join(', '),
  };
}

/** Answer to an OPTIONS preflight. */
export function preflightHeaders(request: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {
    ...corsHeaders(request),
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS.join(', '),
    'Access-Control-Max-Age': '600',
  };
  // Chrome's Private Network Access preflight (a public page calling a local server).
  if (single(request, 'access-control-request-private-network') === 'true') {
    headers['Access-Control-Allow-Private-Network'] = 'true';
  }
  return headers;
}
