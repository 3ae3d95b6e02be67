/**
 * The `webex` host object @webex/calling and the Mercury plugin run on in the page, kept small:
 * `request()` is `fetch` plus the bearer token (with webex-core's `trackingid` and
 * `spark-user-agent` headers and its error shape), the WDM device Node registered, the catalog
 * Node read, and a logger. Requests by `service` without a `uri` (the SDK's RTC metrics to
 * `unifiedTelemetry`) are answered locally and reported: the emulator has no telemetry.
 */

import { readBody } from '../sdk-harness/read-body';
import { mapUrl } from '../sdk-harness/url-map';
import type { PageConfig, PageEvent } from './page-protocol';

interface RequestOptions {
  uri?: string;
  service?: string;
  resource?: string;
  method?: string;
  addAuthHeader?: boolean;
  headers?: Record<string, string | null>;
  body?: unknown;
}

interface HttpResponse {
  statusCode: number;
  body: unknown;
  headers: Record<string, string>;
}

/** webex-core's WebexHttpError, as far as the SDK reads it. */
class WebexHttpError extends Error implements HttpResponse {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    readonly headers: Record<string, string>,
    readonly options: RequestOptions,
  ) {
    super(`${options.method ?? 'GET'} ${options.uri} -> ${statusCode}`);
  }
}

export function createPageWebex(config: PageConfig, report: (e: Omit<PageEvent, 'at'>) => void) {
  const sessionId = `webex-js-sdk_${crypto.randomUUID()}`;
  let sequence = 0;
  const token = {
    access_token: config.accessToken,
    token_type: 'Bearer',
    toString: () => `Bearer ${config.accessToken}`,
  };

  const request = async (options: RequestOptions): Promise<HttpResponse> => {
    if (!options.uri) {
      report({ source: 'host', name: 'dropped-request', detail: options.service });
      return { statusCode: 204, body: undefined, headers: {} };
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== null && value !== undefined) headers[name.toLowerCase()] = value;
    }
    const given = new Set(Object.keys(options.headers ?? {}).map((n) => n.toLowerCase()));
    if (!given.has('spark-user-agent')) headers['spark-user-agent'] = 'webex-js-sdk/3.12.0 (web)';
    if (!given.has('trackingid')) headers.trackingid = `${sessionId}_${++sequence}`;
    if (!given.has('authorization') && options.addAuthHeader !== false) {
      headers.authorization = String(token);
    }
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const method = options.method ?? 'GET';
    let response: Response;
    try {
      response = await fetch(mapUrl(config.hostMap, options.uri), { method, headers, body });
    } catch (error) {
      report({
        source: 'host',
        name: 'network-error',
        detail: `${method} ${options.uri} ${error}`,
      });
      throw new WebexHttpError(0, undefined, {}, options);
    }
    const result = {
      statusCode: response.status,
      body: await readBody(response),
      headers: Object.fromEntries(response.headers.entries()),
    };
    if (response.status >= 400) {
      throw new WebexHttpError(result.statusCode, result.body, result.headers, options);
    }
    return result;
  };

  const log =
    (level: string) =>
    (...args: unknown[]) => {
      if (level === 'error' || level === 'warn') {
        report({ source: 'host', name: `log-${level}`, detail: args.map(String).join(' ') });
      }
    };
  const logger = {
    config: { level: 'info', bufferLogLevel: 'info' },
    ...Object.fromEntries(
      ['log', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => [l, log(l)]),
    ),
  };

  const device = {
    ...config.device,
    registered: true,
    version: '1.0.0',
    callingBehavior: 'NATIVE_WEBEX_TEAMS_CALLING',
    register: async () => {},
    refresh: async () => {},
  };
  const services = {
    _hostCatalog: config.services.hostCatalog,
    _serviceUrls: config.services.serviceUrls,
    _activeServices: {},
    get: (name: string) => config.services.serviceUrls[name],
    getMobiusClusters: () => config.services.mobiusClusters,
  };

  return {
    version: '3.12.0',
    sessionId,
    canAuthorize: true,
    ready: true,
    config: { fedramp: false } as Record<string, unknown>,
    credentials: {
      getUserToken: async () => token,
      refresh: async () => token,
    },
    request,
    logger,
    // Mercury's state changes are propagated to its parent (ampersand): nothing listens here.
    trigger: () => {},
    internal: {
      device,
      services,
      mercury: undefined as unknown,
      feature: { getFeature: async () => false, updateFeature: () => {} },
      newMetrics: { callDiagnosticMetrics: { setMercuryConnectedStatus: () => {} } },
      metrics: { submitClientMetrics: () => {} },
      support: {
        submitLogs: async () => ({
          trackingid: `${sessionId}_logs`,
          feedbackId: crypto.randomUUID(),
        }),
      },
    },
  };
}

export type PageWebex = ReturnType<typeof createPageWebex>;
