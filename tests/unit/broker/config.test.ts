import { describe, expect, it } from 'vitest';
import { validateBrokerConfig } from '../../../lib/broker/config';
import {
  brokerSetupFromEnv,
  DEFAULT_BROKER_PORT,
  EMULATOR_TOKEN_URL,
} from '../../../lib/broker/env';
import { FixedWindowLimiter } from '../../../lib/broker/rate-limit';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEV_EXTENSION_ID } from '../../../lib/dev-integration';
import { FakeClock } from '../fakes/clock';
import { EXTENSION, OTHER_EXTENSION, testConfig } from './support';

const noFile = (path: string): string => {
  throw new Error(`no ${path}`);
};

describe('broker config', () => {
  it('accepts the test config', () => {
    expect(validateBrokerConfig(testConfig()).ok).toBe(true);
  });

  it.each([
    [{ clientId: '' }, 'clientId must be the integration client ID (8-200 letters and digits).'],
    [{ clientSecret: '' }, 'clientSecret must be set (no spaces).'],
    [{ tokenUrl: 'webexapis.com/v1/access_token' }, 'tokenUrl must be an absolute http(s) URL.'],
    [
      { tokenUrl: 'http://webexapis.com/v1/access_token' },
      'tokenUrl must use https:// (plain http:// only to localhost or 127.0.0.1).',
    ],
    [{ allowedOrigins: [] }, 'allowedOrigins must list at least one.'],
    [
      { allowedOrigins: ['https://example.com'] },
      'allowedOrigins: "https://example.com" is not chrome-extension://<32-letter id>.',
    ],
    [
      { allowedRedirectUris: ['http://x.chromiumapp.org/'] },
      'allowedRedirectUris: "http://x.chromiumapp.org/" must be a plain https URL, written canonically.',
    ],
    [
      { allowedRedirectUris: ['https://X.chromiumapp.org'] },
      'allowedRedirectUris: "https://X.chromiumapp.org" must be a plain https URL, written canonically.',
    ],
    [{ path: 'token' }, 'path must start with / and hold only letters, digits, /, _, . and -.'],
  ])('refuses %j', (patch, message) => {
    expect(validateBrokerConfig({ ...testConfig(), ...patch })).toEqual({
      ok: false,
      errors: [message],
    });
  });

  it('refuses a limit that is not a positive integer', () => {
    const result = validateBrokerConfig(testConfig({ perAddress: 0, windowMs: 1.5 }));
    expect(result).toEqual({
      ok: false,
      errors: [
        'limits.windowMs must be a positive integer.',
        'limits.perAddress must be a positive integer.',
      ],
    });
  });

  it('never repeats the secret in a message', () => {
    const result = validateBrokerConfig({ ...testConfig(), clientSecret: 'has spaces in it' });
    expect(JSON.stringify(result)).not.toContain('has spaces');
  });
});

describe('broker environment', () => {
  it('defaults to the emulator, its demo integration and the development extension', () => {
    const result = brokerSetupFromEnv({}, noFile);
    expect(result).toEqual({
      ok: true,
      setup: {
        config: expect.objectContaining({
          clientId: DEMO_CLIENT_ID,
          clientSecret: DEMO_CLIENT_SECRET,
          tokenUrl: EMULATOR_TOKEN_URL,
          allowedOrigins: [`chrome-extension://${DEV_EXTENSION_ID}`],
          allowedRedirectUris: [`https://${DEV_EXTENSION_ID}.chromiumapp.org/`],
          path: '/token',
        }),
        listen: { host: '127.0.0.1', port: DEFAULT_BROKER_PORT, trustProxy: [] },
        quiet: false,
        demo: true,
      },
    });
    expect(EMULATOR_TOKEN_URL).toBe('http://127.0.0.1:8790/v1/access_token');
  });

  it('reads every setting', () => {
    const result = brokerSetupFromEnv(
      {
        BROKER_HOST: '0.0.0.0',
        BROKER_PORT: '9000',
        BROKER_PATH: '/webex/token',
        BROKER_TOKEN_URL: 'https://webexapis.com/v1/access_token',
        BROKER_CLIENT_ID: 'Cproduction123',
        BROKER_CLIENT_SECRET_FILE: '/run/secrets/webex',
        BROKER_EXTENSION_IDS: `${EXTENSION}, ${OTHER_EXTENSION}`,
        BROKER_TRUST_PROXY: '10.0.0.5, ::1',
        BROKER_QUIET: 'true',
        BROKER_MAX_BODY_BYTES: '2048',
        BROKER_RATE_WINDOW_SECONDS: '30',
        BROKER_RATE_PER_ADDRESS: '5',
        BROKER_RATE_PER_ORIGIN: '50',
        BROKER_UPSTREAM_TIMEOUT_MS: '3000',
      },
      (path) => (path === '/run/secrets/webex' ? 'file-secret\n' : noFile(path)),
    );
    expect(result.ok && result.setup).toMatchObject({
      config: {
        clientId: 'Cproduction123',
        clientSecret: 'file-secret',
        tokenUrl: 'https://webexapis.com/v1/access_token',
        path: '/webex/token',
        allowedOrigins: [
          `chrome-extension://${EXTENSION}`,
          `chrome-extension://${OTHER_EXTENSION}`,
        ],
        allowedRedirectUris: [
          `https://${EXTENSION}.chromiumapp.org/`,
          `https://${OTHER_EXTENSION}.chromiumapp.org/`,
        ],
        limits: {
          maxBodyBytes: 2048,
          windowMs: 30_000,
          perAddress: 5,
          perOrigin: 50,
          upstreamTimeoutMs: 3000,
        },
      },
      listen: { host: '0.0.0.0', port: 9000, trustProxy: ['10.0.0.5', '::1'] },
      quiet: true,
      demo: false,
    });
  });

  it('takes explicit redirect URIs', () => {
    const result = brokerSetupFromEnv(
      { BROKER_REDIRECT_URIS: `https://${DEV_EXTENSION_ID}.chromiumapp.org/callback` },
      noFile,
    );
    expect(result.ok && result.setup.config.allowedRedirectUris).toEqual([
      `https://${DEV_EXTENSION_ID}.chromiumapp.org/callback`,
    ]);
  });

  it('never sends the demo secret anywhere but the emulator', () => {
    const result = brokerSetupFromEnv(
      { BROKER_TOKEN_URL: 'https://webexapis.com/v1/access_token' },
      noFile,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        'BROKER_CLIENT_ID is required with BROKER_TOKEN_URL.',
        'BROKER_CLIENT_SECRET or BROKER_CLIENT_SECRET_FILE is required with BROKER_TOKEN_URL.',
      ],
    });
  });

  it('refuses to start with a real client id or secret but no BROKER_TOKEN_URL', () => {
    for (const env of [
      { BROKER_CLIENT_ID: 'Cproduction123' },
      { BROKER_CLIENT_SECRET: 'the-real-secret' },
    ]) {
      const result = brokerSetupFromEnv(env, noFile);
      // The old broker sent them, and every refresh token, to the local emulator's address.
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.errors).toContain(
        'BROKER_TOKEN_URL is required when BROKER_CLIENT_ID or a client secret is set (without it the broker would send them to the local emulator).',
      );
    }
  });

  it('names each bad variable', () => {
    const result = brokerSetupFromEnv(
      {
        BROKER_PORT: 'http',
        BROKER_EXTENSION_IDS: 'not-an-id',
        BROKER_RATE_PER_ADDRESS: '-1',
        BROKER_TRUST_PROXY: 'yes',
        BROKER_CLIENT_SECRET_FILE: '/missing',
      },
      noFile,
    );
    expect(result).toEqual({
      ok: false,
      errors: [
        'BROKER_CLIENT_SECRET_FILE: /missing cannot be read.',
        'BROKER_EXTENSION_IDS: "not-an-id" is not an extension id.',
        'BROKER_RATE_PER_ADDRESS must be a positive integer.',
        'BROKER_PORT must be a port number (0-65535).',
        `BROKER_TRUST_PROXY lists the trusted proxies' addresses (e.g. 127.0.0.1,::1); "yes" is not an address.`,
      ],
    });
  });

  it('refuses plain http to a real host', () => {
    const result = brokerSetupFromEnv(
      {
        BROKER_TOKEN_URL: 'http://webex.example.com/v1/access_token',
        BROKER_CLIENT_ID: 'Cproduction123',
        BROKER_CLIENT_SECRET: 'sec',
      },
      noFile,
    );
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain('"sec"');
  });
});

describe('fixed-window limiter', () => {
  it('allows the limit per window and reports the seconds left, rounded up', () => {
    const clock = new FakeClock();
    const limiter = new FixedWindowLimiter(clock, 10_000, 2, 100);
    expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: true });
    clock.tick(2500);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 8 });
    clock.tick(7499);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.tick(1);
    expect(limiter.take('a')).toEqual({ allowed: true });
  });

  it('stays within its key bound under a flood of new keys, forgetting the oldest first', () => {
    const clock = new FakeClock();
    const limiter = new FixedWindowLimiter(clock, 60_000, 1, 3);
    limiter.take('first');
    limiter.take('second');
    clock.tick(1);
    limiter.take('third');
    expect(limiter.take('first').allowed).toBe(false);
    for (let i = 0; i < 50; i++) limiter.take(`flood-${i}`);
    expect(limiter.size).toBeLessThanOrEqual(3);
    // 'first' was forgotten, so it is allowed again: a bound costs precision, never memory.
    expect(limiter.take('first').allowed).toBe(true);
  });

  it('drops finished windows before forgetting live ones', () => {
    const clock = new FakeClock();
    const limiter = new FixedWindowLimiter(clock, 1000, 1, 2);
    limiter.take('old');
    clock.tick(1000);
    limiter.take('live');
    limiter.take('new');
    expect(limiter.size).toBe(2);
    expect(limiter.take('live').allowed).toBe(false);
  });
});
