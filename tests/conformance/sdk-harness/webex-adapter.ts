/**
 * The `webex` object @webex/calling is built on, reduced to what it touches while registering a
 * line. Its HTTP layer copies the webex-core 3.12.0 interceptors that shape a Mobius request:
 * `authorization: Bearer …` unless `addAuthHeader: false`, a `trackingid` of
 * `<sessionId>_<sequence>`, a default `spark-user-agent` that a caller may override or remove
 * with `null`, JSON bodies, and a rejection carrying `{statusCode, body, headers}` for any
 * status of 400 and above (or 0 for a network failure), like webex-core's `WebexHttpError`.
 */

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readBody } from './read-body';
import type { CatalogServices } from './service-catalog';

export interface WdmDevice {
  url: string;
  userId: string;
  orgId: string;
}

export interface RequestOptions {
  uri?: string;
  method?: string;
  addAuthHeader?: boolean;
  headers?: Record<string, string | null>;
  body?: unknown;
  service?: string;
}

export interface HttpResponse {
  statusCode: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Thrown for HTTP status >= 400 and network failures, shaped like webex-core's error. */
export class WebexHttpError extends Error implements HttpResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  readonly options: RequestOptions;

  constructor(response: HttpResponse, options: RequestOptions) {
    super(`${options.method ?? 'GET'} ${options.uri} -> ${response.statusCode}`);
    this.name = 'WebexHttpError';
    this.statusCode = response.statusCode;
    this.body = response.body;
    this.headers = response.headers;
    this.options = options;
  }
}

export type LogLevel = 'error' | 'warn' | 'log' | 'info' | 'debug' | 'trace';
export type LogSink = (level: LogLevel, message: string) => void;

export interface WebexAdapterOptions {
  accessToken: string;
  device: WdmDevice;
  services: CatalogServices;
  /** Already mapped onto the emulator (see url-map). */
  fetch: typeof fetch;
  log: LogSink;
  sdkVersion?: string;
}

/** webex-core's Token: the SDK puts `String(token)` straight into `Authorization`. */
function bearerToken(accessToken: string) {
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    toString: () => `Bearer ${accessToken}`,
  };
}

export function createWebexAdapter(options: WebexAdapterOptions) {
  const sessionId = `webex-js-sdk_${randomUUID()}`;
  const defaultSparkUserAgent = `webex-js-sdk/${options.sdkVersion ?? '3.12.0'} (web)`;
  let sequence = 0;
  const credentials = {
    getUserToken: async () => bearerToken(options.accessToken),
  };

  const request = async (payload: RequestOptions): Promise<HttpResponse> => {
    if (!payload.uri) throw new Error('webex.request: only `uri` requests are supported');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(payload.headers ?? {})) {
      if (value !== null && value !== undefined) headers[name.toLowerCase()] = value;
    }
    const explicit = Object.fromEntries(
      Object.keys(payload.headers ?? {}).map((name) => [name.toLowerCase(), true]),
    );
    if (!explicit['spark-user-agent']) headers['spark-user-agent'] = defaultSparkUserAgent;
    if (!explicit.trackingid) {
      sequence += 1;
      headers.trackingid = `${sessionId}_${sequence}`;
    }
    if (!explicit.authorization && payload.addAuthHeader !== false) {
      headers.authorization = String(await credentials.getUserToken());
    }
    let body: string | undefined;
    if (payload.body !== undefined) {
      body = JSON.stringify(payload.body);
      headers['content-type'] ??= 'application/json';
    }
    const method = payload.method ?? 'GET';
    options.log('debug', `webex.request ${method} ${payload.uri}`);
    let response: Response;
    try {
      response = await options.fetch(payload.uri, { method, headers, body });
    } catch (error) {
      options.log('warn', `webex.request ${method} ${payload.uri} failed: ${String(error)}`);
      throw new WebexHttpError({ statusCode: 0, body: undefined, headers: {} }, payload);
    }
    const result: HttpResponse = {
      statusCode: response.status,
      body: await readBody(response),
      headers: Object.fromEntries(response.headers.entries()),
    };
    if (response.status >= 400) throw new WebexHttpError(result, payload);
    return result;
  };

  const logger = {
    config: { level: 'info', bufferLogLevel: 'info' },
    log: (message: string) => options.log('log', message),
    error: (message: string) => options.log('error', message),
    warn: (message: string) => options.log('warn', message),
    info: (message: string) => options.log('info', message),
    trace: (message: string) => options.log('trace', message),
    debug: (message: string) => options.log('debug', message),
  };

  // Mercury is Webex's WebSocket; registration only subscribes to it, so an emitter suffices.
  const mercury = Object.assign(new EventEmitter(), { connected: true, connecting: false });

  return {
    version: options.sdkVersion ?? '3.12.0',
    canAuthorize: true,
    ready: true,
    config: { fedramp: false },
    credentials,
    request,
    logger,
    internal: {
      device: {
        ...options.device,
        version: '1.0.0',
        callingBehavior: 'NATIVE_WEBEX_TEAMS_CALLING',
      },
      services: options.services,
      mercury: {
        connected: mercury.connected,
        connecting: mercury.connecting,
        on: (event: string, listener: (...args: unknown[]) => void) => mercury.on(event, listener),
        off: (event: string) => mercury.removeAllListeners(event),
      },
      metrics: { submitClientMetrics: () => {} },
      support: {
        submitLogs: async () => ({ trackingid: `${sessionId}_logs`, feedbackId: randomUUID() }),
      },
    },
  };
}

export type WebexAdapter = ReturnType<typeof createWebexAdapter>;
