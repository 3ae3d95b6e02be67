/** A broker wired to a fake Webex token endpoint and a fake clock, plus request builders. */
import { type BrokerConfig, type BrokerLimits, DEFAULT_LIMITS } from '../../../lib/broker/config';
import { type BrokerLogEntry, createBroker } from '../../../lib/broker/handler';
import { FakeClock } from '../fakes/clock';
import { ScriptedFetch } from '../fakes/fetch';

export const EXTENSION = 'abcdefghijklmnopabcdefghijklmnop';
export const OTHER_EXTENSION = 'ponmlkjihgfedcbaponmlkjihgfedcba';
export const ORIGIN = `chrome-extension://${EXTENSION}`;
export const OTHER_ORIGIN = `chrome-extension://${OTHER_EXTENSION}`;
export const REDIRECT = `https://${EXTENSION}.chromiumapp.org/`;
export const TOKEN_URL = 'https://webex.test/v1/access_token';
export const CLIENT_ID = 'Cbroker0123456789';
export const SECRET = 'S3cr3t-of-the-integration-5f1e';
export const CODE = 'Y29kZS1vbmU_PF84_7c2d1e4f-5a6b-4c8d-9e0f-1a2b3c4d5e6f';
export const VERIFIER = 'v3r1f13r-'.repeat(6);
export const REFRESH = 'UmVmcmVzaC10b2tlbg_PF84_7c2d1e4f-5a6b-4c8d-9e0f-1a2b3c4d5e6f';
export const ACCESS = 'QWNjZXNzLXRva2Vu_PF84_7c2d1e4f-5a6b-4c8d-9e0f-1a2b3c4d5e6f';
export const FORM = 'application/x-www-form-urlencoded';

export const codeFields = (extra: Record<string, string> = {}) => ({
  grant_type: 'authorization_code',
  code: CODE,
  code_verifier: VERIFIER,
  redirect_uri: REDIRECT,
  ...extra,
});

export const refreshFields = (extra: Record<string, string> = {}) => ({
  grant_type: 'refresh_token',
  refresh_token: REFRESH,
  ...extra,
});

export function testConfig(limits: Partial<BrokerLimits> = {}): BrokerConfig {
  return {
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    tokenUrl: TOKEN_URL,
    allowedOrigins: [ORIGIN],
    allowedRedirectUris: [REDIRECT],
    path: '/token',
    limits: { ...DEFAULT_LIMITS, ...limits },
  };
}

export function setup(limits: Partial<BrokerLimits> = {}, config = testConfig(limits)) {
  const clock = new FakeClock();
  const upstream = new ScriptedFetch();
  const logs: BrokerLogEntry[] = [];
  const handle = createBroker(config, {
    fetch: upstream.fetch,
    clock,
    log: (entry) => logs.push(entry),
  });
  const call = (request: Request, address = '198.51.100.7') => handle(request, { address });
  return { clock, upstream, logs, handle, call };
}

export interface PostOptions {
  origin?: string | null;
  contentType?: string;
  headers?: Record<string, string>;
  path?: string;
  method?: string;
}

export function post(
  body: Record<string, string> | string | ReadableStream<Uint8Array>,
  options: PostOptions = {},
): Request {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? FORM,
    ...options.headers,
  };
  const origin = options.origin === undefined ? ORIGIN : options.origin;
  if (origin !== null) headers.origin = origin;
  const isStream = body instanceof ReadableStream;
  return new Request(`https://broker.test${options.path ?? '/token'}`, {
    method: options.method ?? 'POST',
    headers,
    body: typeof body === 'string' || isStream ? body : new URLSearchParams(body).toString(),
    ...(isStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

export function preflight(origin: string | null, headers: Record<string, string> = {}): Request {
  return new Request('https://broker.test/token', {
    method: 'OPTIONS',
    headers: {
      ...(origin === null ? {} : { origin }),
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
      ...headers,
    },
  });
}

export const tokenBody = {
  access_token: ACCESS,
  expires_in: 1209599,
  refresh_token: REFRESH,
  refresh_token_expires_in: 7775999,
  token_type: 'Bearer',
};

/** A body stream in chunks, with no Content-Length (as a chunked upload arrives). */
export function chunked(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}
