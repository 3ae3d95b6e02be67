/**
 * The one call that carries the client secret: a form POST to Webex's token endpoint. Its answer
 * is relayed unchanged (status and JSON body, byte for byte) so the extension reads Webex's own
 * OAuth errors; only an answer that is not JSON, or no answer, becomes a broker error.
 */
import type { Fetch } from '../ports';
import { readCapped } from './bytes';
import { BASE_HEADERS, type BrokerErrorCode, brokerError } from './replies';

export interface UpstreamResult {
  response: Response;
  /** For the log: Webex's `error` code when it refused (never a token or a description). */
  upstreamError?: string;
  /** For the log: why the broker answered instead of Webex. */
  failure?: BrokerErrorCode;
}

/** Headers of Webex's answer worth passing on. */
const RELAYED_HEADERS = ['retry-after', 'trackingid'];

/** Only short, plain error codes reach the log: an upstream body is not trusted to be clean. */
const LOGGABLE_CODE = /^[a-z_]{1,40}$/;

function upstreamErrorCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as Record<string, unknown>).error;
  return typeof error === 'string' && LOGGABLE_CODE.test(error) ? error : undefined;
}

export async function forwardToTokenEndpoint(
  fetch: Fetch,
  tokenUrl: string,
  form: Record<string, string>,
  options: { timeoutMs: number; maxBodyBytes: number; cors: Record<string, string> },
): Promise<UpstreamResult> {
  const fail = (
    status: number,
    code: BrokerErrorCode,
    description: string,
    extra: Record<string, string> = {},
  ): UpstreamResult => ({
    response: brokerError(status, code, description, { ...options.cors, ...extra }),
    failure: code,
  });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  let answer: Response;
  let text: string | null;
  try {
    answer = await fetch(tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
      // The secret is in the body: never re-send it to wherever a redirect points.
      redirect: 'manual',
      signal: controller.signal,
    });
    const bytes = await readCapped(answer.body, options.maxBodyBytes, 'cancel');
    text = bytes && new TextDecoder().decode(bytes);
  } catch {
    return controller.signal.aborted
      ? fail(504, 'upstream_timeout', 'The Webex token endpoint did not answer in time.')
      : fail(502, 'upstream_unavailable', 'The Webex token endpoint could not be reached.');
  } finally {
    clearTimeout(timer);
  }
  const relayed: Record<string, string> = {};
  for (const name of RELAYED_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) relayed[name] = value;
  }
  let body: unknown;
  try {
    body = text === null ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (text === null || typeof body !== 'object' || body === null) {
    // A proxy's HTML error page or an empty answer: say so, keep a 4xx/5xx status and Retry-After.
    const status = answer.status >= 400 ? answer.status : 502;
    return fail(
      status,
      'upstream_invalid',
      `The Webex token endpoint answered HTTP ${answer.status} without a JSON body.`,
      relayed,
    );
  }
  return {
    response: new Response(text, {
      status: answer.status,
      headers: {
        ...BASE_HEADERS,
        ...options.cors,
        ...relayed,
        'Content-Type': 'application/json;charset=UTF-8',
      },
    }),
    upstreamError: answer.ok ? undefined : upstreamErrorCode(body),
  };
}
