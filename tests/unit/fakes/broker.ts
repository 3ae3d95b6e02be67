/**
 * The real token broker (lib/broker) mounted at BROKER_URL in front of the fake cloud, so the
 * extension's broker mode runs end to end in unit tests. The browser adds the extension's
 * Origin to every request; so does this route (the extension itself sends none).
 */
import { DEFAULT_LIMITS } from '../../../lib/broker/config';
import { type BrokerLogEntry, createBroker } from '../../../lib/broker/handler';
import { BASE, CLIENT_ID, CLIENT_SECRET, REDIRECT_URL } from './cloud';
import type { Harness } from './harness';

export const BROKER_URL = 'https://broker.example.com/token';
export const EXTENSION_ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

export function mountBroker(h: Harness, options: { allowedOrigin?: string } = {}) {
  const logs: BrokerLogEntry[] = [];
  const broker = createBroker(
    {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      tokenUrl: `${BASE}/v1/access_token`,
      allowedOrigins: [options.allowedOrigin ?? EXTENSION_ORIGIN],
      allowedRedirectUris: [REDIRECT_URL],
      path: '/token',
      limits: DEFAULT_LIMITS,
    },
    { fetch: h.http.fetch, clock: h.clock, log: (entry) => logs.push(entry) },
  );
  h.http.on('POST', BROKER_URL, (request) =>
    broker(
      new Request(request.url, {
        method: request.method,
        headers: { ...request.headers, origin: EXTENSION_ORIGIN },
        body: request.body,
      }),
      { address: '127.0.0.1' },
    ),
  );
  /** What the extension itself sent to the broker (not the broker's own call to Webex). */
  const sent = () => h.http.calls.filter((call) => call.url === BROKER_URL);
  return { logs, sent };
}
