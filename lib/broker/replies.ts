/**
 * The broker's own answers and its CORS headers. Its refusals use the OAuth error shape
 * (`error`, `error_description`) so any OAuth client can read them, plus `source: "broker"` so
 * the extension can tell "the broker refused" (a deployment problem) from "Webex refused" (the
 * grant is no good). No refusal ever repeats a value the client sent.
 */

export type BrokerErrorCode =
  | 'invalid_request'
  | 'unsupported_grant_type'
  | 'origin_not_allowed'
  | 'not_found'
  | 'method_not_allowed'
  | 'request_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'upstream_unavailable'
  | 'upstream_timeout'
  | 'upstream_invalid'
  | 'internal_error';

export const BROKER_ERROR_SOURCE = 'broker';

/** Headers a browser may read from a cross-origin answer. */
const EXPOSED = 'Retry-After, Trackingid';

/** Every answer: never cached, never sniffed, and (it depends on Origin) varies by Origin. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  Vary: 'Origin',
};

/** CORS headers for an allowed origin; none at all for any other. */
export function corsHeaders(allowedOrigin: string | null): Record<string, string> {
  if (!allowedOrigin) return {};
  return {
    'Access-Control-Allow-Origin': allowedOrigin,
    'Access-Control-Expose-Headers': EXPOSED,
  };
}

export function preflightHeaders(allowedOrigin: string, request: Request): Record<string, string> {
  const headers: Record<string, string> = {
    ...corsHeaders(allowedOrigin),
    'Access-Control-Allow-Methods': 'POST',
    'Access-Control-Allow-Headers': 'Content-Type, Accept',
    'Access-Control-Max-Age': '600',
  };
  // Chrome's Private Network Access preflight (a broker on the user's own network).
  if (request.headers.get('access-control-request-private-network') === 'true') {
    headers['Access-Control-Allow-Private-Network'] = 'true';
  }
  return headers;
}

export function brokerError(
  status: number,
  error: BrokerErrorCode,
  description: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify({ error, error_description: description, source: BROKER_ERROR_SOURCE }),
    {
      status,
      headers: { ...BASE_HEADERS, 'Content-Type': 'application/json;charset=UTF-8', ...headers },
    },
  );
}

export function emptyReply(status: number, headers: Record<string, string>): Response {
  return new Response(null, { status, headers: { ...BASE_HEADERS, ...headers } });
}
