import { describe, expect, it } from 'vitest';
import { json } from '../fakes/fetch';
import {
  ACCESS,
  CODE,
  chunked,
  codeFields,
  ORIGIN,
  OTHER_ORIGIN,
  post,
  preflight,
  REFRESH,
  refreshFields,
  SECRET,
  setup,
  TOKEN_URL,
  tokenBody,
  VERIFIER,
} from './support';

/** Everything a client or Webex sent that must never be written down or sent back in an error. */
const SENSITIVE = [SECRET, CODE, VERIFIER, REFRESH, ACCESS, 'attacker-secret'];

describe('what the broker writes down', () => {
  it('logs one line per request with its outcome, and no secret, token, code or verifier', async () => {
    const { call, upstream, logs, clock } = setup({ perAddress: 12, maxBodyBytes: 300 });
    // Overrides answer newest first: these are the answers to requests 4, 3, 2, 1.
    upstream.on(
      'POST',
      TOKEN_URL,
      json(400, { error: `weird ${REFRESH}`, error_description: 'x' }),
      1,
    );
    upstream.on('POST', TOKEN_URL, 'network', 1);
    upstream.on(
      'POST',
      TOKEN_URL,
      json(400, { error: 'invalid_grant', error_description: `code ${CODE} expired` }),
      1,
    );
    upstream.on('POST', TOKEN_URL, json(200, tokenBody), 1);
    const requests = [
      post(codeFields()),
      post(refreshFields()),
      post(refreshFields()),
      post(refreshFields()),
      post(refreshFields({ client_secret: 'attacker-secret' })),
      post(codeFields({ code_verifier: 'short' })),
      post(codeFields(), { origin: OTHER_ORIGIN }),
      post(chunked(new URLSearchParams(refreshFields()).toString(), 'x'.repeat(400))),
      post(JSON.stringify(refreshFields()), { contentType: 'application/json' }),
      preflight(ORIGIN),
      post(codeFields(), { path: '/elsewhere' }),
    ];
    const responses: Response[] = [];
    for (const request of requests) {
      responses.push(await call(request));
      clock.tick(5);
    }
    expect(logs.map((entry) => [entry.method, entry.status, entry.refused, entry.grant])).toEqual([
      ['POST', 200, undefined, 'authorization_code'],
      ['POST', 400, undefined, 'refresh_token'],
      ['POST', 502, 'upstream_unavailable', 'refresh_token'],
      ['POST', 400, undefined, 'refresh_token'],
      ['POST', 400, 'invalid_request', undefined],
      ['POST', 400, 'invalid_request', undefined],
      ['POST', 403, 'origin_not_allowed', undefined],
      ['POST', 413, 'request_too_large', undefined],
      ['POST', 415, 'unsupported_media_type', undefined],
      ['OPTIONS', 204, undefined, undefined],
      ['POST', 404, 'not_found', undefined],
    ]);
    // Webex's error code is logged only when it is a plain code.
    expect(logs[1]?.upstreamError).toBe('invalid_grant');
    expect(logs[3]?.upstreamError).toBeUndefined();
    expect(logs[6]?.origin).toBe('other');
    expect(logs[0]).toMatchObject({ origin: ORIGIN, address: '198.51.100.7', path: '/token' });

    const logText = JSON.stringify(logs);
    for (const value of SENSITIVE) expect(logText).not.toContain(value);
    // The broker's own error bodies repeat nothing the client sent (Webex's are relayed as is).
    for (const index of [2, 4, 5, 6, 7, 8, 10]) {
      const text = await must(responses[index]).text();
      for (const value of SENSITIVE) expect(text).not.toContain(value);
    }
    // The secret is in no answer at all.
    for (const response of responses) {
      if (!response.bodyUsed) expect(await response.text()).not.toContain(SECRET);
    }
  });
});

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('missing response');
  return value;
}
