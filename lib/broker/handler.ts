/**
 * The token broker: a pure handler from a web-standard Request to a Response, so it runs on Node
 * (lib/broker/node.ts) and on any serverless platform that speaks Request/Response. It holds the
 * integration's client secret and performs the two token calls that need it (code exchange and
 * refresh); PKCE and `state` stay in the extension.
 *
 * Order of checks: path and method, origin, media type and size, fields; only then the
 * per-address rate (IPv6 by /64) and the per-origin rate, so refused requests spend no budget. Each refusal is one log entry; no entry and no answer carries a token, a code, a
 * verifier or the secret.
 */
import type { Clock, Fetch } from '../ports';
import type { BrokerConfig } from './config';
import { type Grant, parseGrant, readBody, upstreamForm } from './grant';
import { addressKey, FixedWindowLimiter } from './rate-limit';
import {
  type BrokerErrorCode,
  brokerError,
  corsHeaders,
  emptyReply,
  preflightHeaders,
} from './replies';
import { forwardToTokenEndpoint } from './upstream';

/** Who is calling, as the hosting platform knows it (the socket's address on Node). */
export interface ClientInfo {
  address: string;
}

/** One line per request. Values a client sent never appear, only their kinds. */
export interface BrokerLogEntry {
  at: number;
  method: string;
  path: string;
  /** The Origin header when it is an allowed one; 'other' or 'none' otherwise. */
  origin: string;
  address: string;
  status: number;
  grant?: Grant['type'];
  /** Set when the broker answered itself instead of relaying Webex. */
  refused?: BrokerErrorCode;
  /** Webex's OAuth error code, when Webex refused. */
  upstreamError?: string;
  durationMs: number;
}

export interface BrokerDeps {
  fetch: Fetch;
  clock: Clock;
  log?: (entry: BrokerLogEntry) => void;
}

export type BrokerHandler = (request: Request, client: ClientInfo) => Promise<Response>;

interface Outcome {
  response: Response;
  grant?: Grant['type'];
  refused?: BrokerErrorCode;
  upstreamError?: string;
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

export function createBroker(config: BrokerConfig, deps: BrokerDeps): BrokerHandler {
  const { limits } = config;
  const origins = new Set(config.allowedOrigins);
  const redirectUris = new Set(config.allowedRedirectUris);
  const perAddress = new FixedWindowLimiter(
    deps.clock,
    limits.windowMs,
    limits.perAddress,
    limits.maxTrackedKeys,
  );
  const perOrigin = new FixedWindowLimiter(
    deps.clock,
    limits.windowMs,
    limits.perOrigin,
    limits.maxTrackedKeys,
  );

  async function answer(request: Request, client: ClientInfo, origin: string | null) {
    const cors = corsHeaders(origin);
    const refuse = (
      status: number,
      code: BrokerErrorCode,
      description: string,
      headers: Record<string, string> = {},
    ): Outcome => ({
      response: brokerError(status, code, description, { ...cors, ...headers }),
      refused: code,
    });

    if (new URL(request.url).pathname !== config.path) {
      return refuse(404, 'not_found', `The broker answers only POST ${config.path}.`);
    }
    if (request.method === 'OPTIONS') {
      if (!origin) return refuse(403, 'origin_not_allowed', 'This origin may not use the broker.');
      return { response: emptyReply(204, preflightHeaders(origin, request)) };
    }
    if (request.method !== 'POST') {
      return refuse(405, 'method_not_allowed', 'Use POST.', { Allow: 'POST, OPTIONS' });
    }
    // Refusals first, and none of them counted: a web page's no-preflight POSTs (a forged or
    // foreign Origin, junk the broker refuses itself) must not spend the extension's budget or
    // lock out everyone behind the same address.
    if (!origin) return refuse(403, 'origin_not_allowed', 'This origin may not use the broker.');
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim();
    if (mediaType?.toLowerCase() !== FORM_TYPE) {
      return refuse(415, 'unsupported_media_type', `Send the fields as ${FORM_TYPE}.`);
    }
    const tooLarge = `The request body may be at most ${limits.maxBodyBytes} bytes.`;
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > limits.maxBodyBytes) return refuse(413, 'request_too_large', tooLarge);
    const body = await readBody(request, limits.maxBodyBytes);
    if (!body.ok) {
      return body.reason === 'tooLarge'
        ? refuse(413, 'request_too_large', tooLarge)
        : refuse(400, 'invalid_request', 'The request body is not UTF-8.');
    }
    const parsed = parseGrant(body.text, redirectUris);
    if (!parsed.ok) return refuse(400, parsed.error, parsed.description);
    // Only a valid request from an allowed origin reaches Webex, so only it is counted.
    const byAddress = perAddress.take(addressKey(client.address));
    if (!byAddress.allowed) {
      return refuse(429, 'rate_limited', 'Too many requests from this address.', {
        'Retry-After': String(byAddress.retryAfterSeconds),
      });
    }
    const byOrigin = perOrigin.take(origin);
    if (!byOrigin.allowed) {
      return refuse(429, 'rate_limited', 'Too many requests from this extension.', {
        'Retry-After': String(byOrigin.retryAfterSeconds),
      });
    }
    const upstream = await forwardToTokenEndpoint(
      deps.fetch,
      config.tokenUrl,
      upstreamForm(parsed.grant, config.clientId, config.clientSecret),
      { timeoutMs: limits.upstreamTimeoutMs, maxBodyBytes: limits.maxUpstreamBodyBytes, cors },
    );
    return {
      response: upstream.response,
      grant: parsed.grant.type,
      refused: upstream.failure,
      upstreamError: upstream.upstreamError,
    };
  }

  return async (request, client) => {
    const started = deps.clock.now();
    const header = request.headers.get('origin');
    const origin = header !== null && origins.has(header) ? header : null;
    let outcome: Outcome;
    try {
      outcome = await answer(request, client, origin);
    } catch {
      // A bug must not take the process down or leak a stack trace.
      outcome = {
        response: brokerError(500, 'internal_error', 'The broker failed.', corsHeaders(origin)),
        refused: 'internal_error',
      };
    }
    deps.log?.(
      logEntry(request, client, origin ?? (header === null ? 'none' : 'other'), outcome, {
        at: started,
        durationMs: deps.clock.now() - started,
      }),
    );
    return outcome.response;
  };
}

function logEntry(
  request: Request,
  client: ClientInfo,
  origin: string,
  outcome: Outcome,
  timing: { at: number; durationMs: number },
): BrokerLogEntry {
  const entry: BrokerLogEntry = {
    at: timing.at,
    method: request.method.slice(0, 10),
    path: new URL(request.url).pathname.slice(0, 100),
    origin,
    address: client.address,
    status: outcome.response.status,
    durationMs: timing.durationMs,
  };
  if (outcome.grant) entry.grant = outcome.grant;
  if (outcome.upstreamError) entry.upstreamError = outcome.upstreamError;
  if (outcome.refused) entry.refused = outcome.refused;
  return entry;
}
