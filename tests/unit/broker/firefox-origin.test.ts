import { describe, expect, it } from 'vitest';
import { validateBrokerConfig } from '../../../lib/broker/config';
import { brokerSetupFromEnv } from '../../../lib/broker/env';
import { FIREFOX_REDIRECT_URL } from '../../../lib/dev-integration';
import { json } from '../fakes/fetch';
import {
  codeFields,
  post,
  refreshFields,
  setup,
  TOKEN_URL,
  testConfig,
  tokenBody,
} from './support';

// A deployment fixes the uuid (policies.json Preferences: extensions.webextensions.uuids).
const UUID = '3f2b8c1e-7a4d-4e9b-9c0f-1d2e3f4a5b6c';
const FIREFOX_ORIGIN = `moz-extension://${UUID}`;

describe('the broker and a Firefox deployment', () => {
  it('takes a fixed uuid as an extension id and allows its moz-extension origin only', () => {
    const result = brokerSetupFromEnv(
      { BROKER_EXTENSION_IDS: UUID, BROKER_REDIRECT_URIS: FIREFOX_REDIRECT_URL },
      () => '',
    );
    expect(result.ok && result.setup.config.allowedOrigins).toEqual([FIREFOX_ORIGIN]);
    expect(result.ok && result.setup.config.allowedRedirectUris).toEqual([FIREFOX_REDIRECT_URL]);
  });

  it.each([
    'moz-extension://not-a-uuid',
    `moz-extension://${UUID}/`,
    `moz-extension://${UUID.toUpperCase()}x`,
  ])('refuses the malformed origin %s in the config', (origin) => {
    expect(validateBrokerConfig({ ...testConfig(), allowedOrigins: [origin] }).ok).toBe(false);
  });

  it('answers the configured Firefox origin and refuses another install', async () => {
    const config = { ...testConfig(), allowedOrigins: [FIREFOX_ORIGIN] };
    const { upstream, call } = setup({}, config);
    upstream.on('POST', TOKEN_URL, json(200, tokenBody));
    const allowed = await call(post(refreshFields(), { origin: FIREFOX_ORIGIN }));
    expect(allowed.status).toBe(200);
    const other = 'moz-extension://00000000-0000-4000-8000-000000000000';
    const refused = await call(post(codeFields(), { origin: other }));
    expect(refused.status).toBe(403);
    expect(upstream.calls).toHaveLength(1);
  });
});
