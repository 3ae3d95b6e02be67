import { jsonReply, type Reply, type RequestContext } from './http';

/** Webex REST `message` per status (developer.webex.com "API Errors" wording, abridged). */
const MESSAGES: Record<number, string> = {
  400: 'The request could not be understood by the server due to malformed syntax.',
  401: 'The request requires a valid access token set in the Authorization request header.',
  403: 'The server understood the request, but refused to fulfill it because the access token is missing required scopes or because of other permission-related issues.',
  404: 'The URI requested is invalid or the resource requested, such as a user, does not exist.',
  405: 'The request was made to a resource using an HTTP request method that is not supported.',
  409: 'The request could not be processed because it conflicts with some established rule of the system.',
  413: 'The request is larger than the server is willing or able to process.',
  415: 'The request was made to a resource without specifying a media type or used a media type that is not supported.',
  423: 'The requested resource is temporarily unavailable.',
  428: 'File(s) cannot be scanned for malware and need to be force downloaded.',
  429: 'Too many requests have been sent in a given amount of time and the request has been rate limited. A Retry-After header should be present that specifies how many seconds you need to wait before a successful request can be made.',
  500: 'Something went wrong on the server.',
  502: 'The server received an invalid response from an upstream server while processing the request.',
  503: 'Server is overloaded with requests. Try again later.',
  504: 'An upstream server failed to respond on time.',
};

export function statusMessage(status: number): string {
  return MESSAGES[status] ?? 'The request failed.';
}

/** Webex REST error: `{message, errors:[{description}], trackingId}`. */
export function restErrorBody(status: number, description: string, trackingId: string) {
  return { message: statusMessage(status), errors: [{ description }], trackingId };
}

export function restError(
  ctx: RequestContext,
  status: number,
  description: string,
  headers?: Record<string, string>,
): Reply {
  return jsonReply(status, restErrorBody(status, description, ctx.trackingId), headers);
}

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/**
 * Token endpoint error. The exact Webex body is unconfirmed; `{error, error_description,
 * trackingId}` satisfies both OAuth parsers and the Webex trackingId convention.
 * invalid_client is always 401 (RFC 6749 allows 400 when no Authorization header was used).
 */
export function oauthError(ctx: RequestContext, error: OAuthErrorCode, description: string): Reply {
  const status = error === 'invalid_client' ? 401 : 400;
  return jsonReply(
    status,
    { error, error_description: description, trackingId: ctx.trackingId },
    { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  );
}
