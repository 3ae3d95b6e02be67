/**
 * `npm run broker` configuration from environment variables. With no BROKER_TOKEN_URL it acts
 * for the local emulator's demo integration and the development extension, so `npm run emulator`
 * and `npm run broker` work together out of the box. Pointed anywhere else, the client id and
 * secret must be given: a demo secret is never sent to a real token endpoint.
 */
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEV_EXTENSION_ID,
  EMULATOR_DEFAULT_BASE_URL,
} from '../dev-integration';
import {
  type BrokerConfig,
  type BrokerLimits,
  DEFAULT_BROKER_PATH,
  DEFAULT_LIMITS,
  EXTENSION_ID,
  extensionOrigin,
  extensionRedirectUri,
  FIREFOX_UUID,
  validateBrokerConfig,
} from './config';
import type { ServeOptions } from './node';

export type Env = Record<string, string | undefined>;

export const DEFAULT_BROKER_PORT = 8793;
export const EMULATOR_TOKEN_URL = `${EMULATOR_DEFAULT_BASE_URL}/v1/access_token`;

/** Limits settable from the environment. */
const LIMIT_VARIABLES: Array<[string, keyof BrokerLimits]> = [
  ['BROKER_MAX_BODY_BYTES', 'maxBodyBytes'],
  ['BROKER_RATE_WINDOW_SECONDS', 'windowMs'],
  ['BROKER_RATE_PER_ADDRESS', 'perAddress'],
  ['BROKER_RATE_PER_ORIGIN', 'perOrigin'],
  ['BROKER_UPSTREAM_TIMEOUT_MS', 'upstreamTimeoutMs'],
];

export const BROKER_ENV_NAMES = [
  'BROKER_HOST',
  'BROKER_PORT',
  'BROKER_PATH',
  'BROKER_TOKEN_URL',
  'BROKER_CLIENT_ID',
  'BROKER_CLIENT_SECRET',
  'BROKER_CLIENT_SECRET_FILE',
  'BROKER_EXTENSION_IDS',
  'BROKER_REDIRECT_URIS',
  'BROKER_TRUST_PROXY',
  'BROKER_QUIET',
  ...LIMIT_VARIABLES.map(([name]) => name),
];

export interface BrokerSetup {
  config: BrokerConfig;
  listen: ServeOptions;
  quiet: boolean;
  /** True when the emulator's demo integration is in use. */
  demo: boolean;
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function flag(env: Env, name: string, errors: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  errors.push(`${name} must be 1/true or 0/false.`);
  return false;
}

function positiveInt(env: Env, name: string, errors: string[]): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    errors.push(`${name} must be a positive integer.`);
    return undefined;
  }
  return value;
}

function secretFrom(
  env: Env,
  readFile: (path: string) => string,
  errors: string[],
): string | undefined {
  const file = env.BROKER_CLIENT_SECRET_FILE;
  if (file) {
    try {
      return readFile(file).trim();
    } catch {
      errors.push(`BROKER_CLIENT_SECRET_FILE: ${file} cannot be read.`);
      return undefined;
    }
  }
  return env.BROKER_CLIENT_SECRET || undefined;
}

const IP_ADDRESS = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)$/i;

/**
 * BROKER_TRUST_PROXY: the addresses of the reverse proxies in front of the broker. It was a
 * yes/no flag that believed any X-Forwarded-For (so any client could pick its own rate-limit
 * key); a flag value is refused with what to write instead.
 */
function trustedProxies(env: Env, errors: string[]): string[] {
  const raw = env.BROKER_TRUST_PROXY;
  if (raw === undefined || raw === '' || raw === '0' || raw === 'false') return [];
  const addresses = list(raw);
  const bad = addresses.filter((address) => !IP_ADDRESS.test(address));
  if (bad.length > 0) {
    errors.push(
      `BROKER_TRUST_PROXY lists the trusted proxies' addresses (e.g. 127.0.0.1,::1); "${bad.join(', ')}" is not an address.`,
    );
  }
  return addresses;
}

/** The broker's setup, or every problem with the environment (never echoing the secret). */
export function brokerSetupFromEnv(
  env: Env,
  readFile: (path: string) => string,
): { ok: true; setup: BrokerSetup } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const demo = !env.BROKER_TOKEN_URL;
  let clientId = env.BROKER_CLIENT_ID || undefined;
  let clientSecret = secretFrom(env, readFile, errors);
  if (demo && (clientId || clientSecret)) {
    // Without it the real secret and every user's refresh token would go to the local emulator.
    errors.push(
      'BROKER_TOKEN_URL is required when BROKER_CLIENT_ID or a client secret is set (without it the broker would send them to the local emulator).',
    );
  }
  if (demo) {
    clientId ??= DEMO_CLIENT_ID;
    clientSecret ??= DEMO_CLIENT_SECRET;
  } else {
    if (!clientId) errors.push('BROKER_CLIENT_ID is required with BROKER_TOKEN_URL.');
    if (!clientSecret) {
      errors.push(
        'BROKER_CLIENT_SECRET or BROKER_CLIENT_SECRET_FILE is required with BROKER_TOKEN_URL.',
      );
    }
  }
  const ids =
    env.BROKER_EXTENSION_IDS === undefined ? [DEV_EXTENSION_ID] : list(env.BROKER_EXTENSION_IDS);
  for (const id of ids) {
    if (!EXTENSION_ID.test(id) && !FIREFOX_UUID.test(id))
      errors.push(`BROKER_EXTENSION_IDS: "${id}" is not an extension id.`);
  }
  const redirects = list(env.BROKER_REDIRECT_URIS);
  const limits: BrokerLimits = { ...DEFAULT_LIMITS };
  for (const [name, key] of LIMIT_VARIABLES) {
    const value = positiveInt(env, name, errors);
    if (value !== undefined) limits[key] = key === 'windowMs' ? value * 1000 : value;
  }
  const port =
    env.BROKER_PORT === undefined || env.BROKER_PORT === ''
      ? DEFAULT_BROKER_PORT
      : Number(env.BROKER_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    errors.push('BROKER_PORT must be a port number (0-65535).');
  }
  const trustProxy = trustedProxies(env, errors);
  const quiet = flag(env, 'BROKER_QUIET', errors);
  if (errors.length > 0) return { ok: false, errors };

  const config: BrokerConfig = {
    clientId: clientId ?? '',
    clientSecret: clientSecret ?? '',
    tokenUrl: env.BROKER_TOKEN_URL || EMULATOR_TOKEN_URL,
    allowedOrigins: ids.map(extensionOrigin),
    allowedRedirectUris: redirects.length > 0 ? redirects : ids.map(extensionRedirectUri),
    path: env.BROKER_PATH || DEFAULT_BROKER_PATH,
    limits,
  };
  const valid = validateBrokerConfig(config);
  if (!valid.ok) return valid;
  return {
    ok: true,
    setup: {
      config,
      listen: { host: env.BROKER_HOST || '127.0.0.1', port, trustProxy },
      quiet,
      demo,
    },
  };
}
