/**
 * The token broker and real Chromium: the extension's service worker reaches the broker with its
 * own `chrome-extension://` Origin (which is what the broker's origin check relies on), both with
 * host permission for the broker's host and, through CORS, without; another extension and a web
 * page are refused. The broker runs in this process on real HTTP, in front of the real emulator.
 */
import type { Worker } from '@playwright/test';
import {
  type BrokerConfig,
  DEFAULT_LIMITS,
  extensionOrigin,
  extensionRedirectUri,
} from '../../lib/broker/config';
import { type BrokerLogEntry, createBroker } from '../../lib/broker/handler';
import { type RunningBroker, serveBroker } from '../../lib/broker/node';
import { DEV_EXTENSION_ID, DEV_REDIRECT_URL } from '../../lib/dev-integration';
import type { Emulator } from '../emulator/index';
import { bearer, get, signIn } from '../emulator/test-support';
import { postStolenRefreshFromPage } from './broker-helpers';
import { expect, expectNoDeviations, test } from './fixtures';

const brokers: RunningBroker[] = [];
test.afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

/** A broker for the demo integration in front of this emulator, allowing `extensionId`. */
async function startBroker(emulator: Emulator, host: string, extensionId = DEV_EXTENSION_ID) {
  const config: BrokerConfig = {
    clientId: emulator.demoIntegration.clientId,
    clientSecret: emulator.demoIntegration.clientSecret,
    tokenUrl: `${emulator.urls.base}/v1/access_token`,
    allowedOrigins: [extensionOrigin(extensionId)],
    allowedRedirectUris: [extensionRedirectUri(extensionId)],
    path: '/token',
    limits: DEFAULT_LIMITS,
  };
  const logs: BrokerLogEntry[] = [];
  const running = await serveBroker(
    createBroker(config, { fetch, clock: Date, log: (entry) => logs.push(entry) }),
    { host, port: 0 },
  );
  brokers.push(running);
  return { url: `${running.url}/token`, logs };
}

/** A form POST from the service worker, as the extension's broker client sends it. */
function postFromWorker(worker: Worker, url: string, form: Record<string, string>) {
  return worker.evaluate(
    async ([target, fields]) => {
      try {
        const response = await fetch(target, {
          method: 'POST',
          // Exactly the headers lib/webex/broker-client sends (both CORS-safelisted).
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: new URLSearchParams(fields).toString(),
        });
        return { status: response.status, body: await response.json() };
      } catch (error) {
        return { status: 0, body: String(error) };
      }
    },
    [url, form] as const,
  );
}

async function codeFields(emulator: Emulator) {
  const { code, verifier } = await signIn(emulator);
  return {
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: DEV_REDIRECT_URL,
  };
}

for (const [name, host] of [
  ['with host permission for the broker (127.0.0.1)', '127.0.0.1'],
  ['through CORS, without host permission (127.0.0.2)', '127.0.0.2'],
] as const) {
  test(`the service worker exchanges a code and refreshes through the broker ${name}`, async ({
    emulator,
    worker,
  }) => {
    const broker = await startBroker(emulator, host);
    const exchanged = await postFromWorker(worker, broker.url, await codeFields(emulator));
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({ token_type: 'Bearer', expires_in: 1209599 });
    expect(broker.logs[0]).toMatchObject({
      origin: `chrome-extension://${DEV_EXTENSION_ID}`,
      status: 200,
    });

    const refreshed = await postFromWorker(worker, broker.url, {
      grant_type: 'refresh_token',
      refresh_token: exchanged.body.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const me = await get(`${emulator.urls.base}/v1/people/me`, bearer(refreshed.body.access_token));
    expect(me.status).toBe(200);
    expect(emulator.requestLog().filter((e) => e.path === '/v1/access_token')).toHaveLength(2);
    await expectNoDeviations(emulator);
  });
}

test('the broker refuses another extension: nothing reaches Webex, and CORS hides the answer', async ({
  emulator,
  worker,
}) => {
  // A broker deployed for some other extension id.
  const broker = await startBroker(emulator, '127.0.0.2', 'b'.repeat(32));
  const tokenCalls = () =>
    emulator.requestLog().filter((entry) => entry.path === '/v1/access_token').length;
  const answer = await postFromWorker(worker, broker.url, await codeFields(emulator));
  // No CORS headers for an origin it does not serve: the worker cannot read the refusal.
  expect(answer).toEqual({ status: 0, body: expect.stringContaining('TypeError') });
  expect(broker.logs).toEqual([
    expect.objectContaining({ origin: 'other', status: 403, refused: 'origin_not_allowed' }),
  ]);
  // The emulator saw the consent flow and no token request.
  expect(tokenCalls()).toBe(0);
  await expectNoDeviations(emulator);
});

test('a web page cannot use the broker', async ({ emulator, context }) => {
  const broker = await startBroker(emulator, '127.0.0.2');
  const page = await context.newPage();
  await page.goto(`${emulator.urls.base}/demo`);
  const answer = await postStolenRefreshFromPage(page, broker.url);
  expect(answer).toContain('TypeError');
  expect(broker.logs).toEqual([
    expect.objectContaining({ origin: 'other', status: 403, refused: 'origin_not_allowed' }),
  ]);
  await expectNoDeviations(emulator);
});
