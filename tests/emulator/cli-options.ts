import { EMULATOR_DEFAULT_PORTS } from '../../lib/dev-integration';
import type { EmulatorConfig, EmulatorOptions } from './types';

type Env = Record<string, string | undefined>;

/** Environment variables for config fields (all optional). */
const CONFIG_ENV: Array<[string, keyof EmulatorConfig, 'int' | 'bool' | 'string']> = [
  ['EMULATOR_ACCESS_TOKEN_LIFETIME', 'accessTokenLifetimeSec', 'int'],
  ['EMULATOR_REFRESH_TOKEN_LIFETIME', 'refreshTokenLifetimeSec', 'int'],
  ['EMULATOR_ROTATE_REFRESH_TOKENS', 'rotateRefreshTokens', 'bool'],
  ['EMULATOR_CODE_LIFETIME', 'codeLifetimeSec', 'int'],
  ['EMULATOR_REQUIRE_CLIENT_SECRET', 'requireClientSecret', 'bool'],
  ['EMULATOR_REQUIRE_PKCE', 'requirePkce', 'bool'],
  ['EMULATOR_KEEPALIVE_INTERVAL', 'keepaliveIntervalSec', 'int'],
  ['EMULATOR_MISSED_KEEPALIVES', 'missedKeepalivesBeforeExpiry', 'int'],
  ['EMULATOR_DEVICE_LIMIT', 'deviceLimit', 'int'],
  ['EMULATOR_REHOMING_MIN', 'rehomingIntervalMin', 'int'],
  ['EMULATOR_REHOMING_MAX', 'rehomingIntervalMax', 'int'],
  ['EMULATOR_AUTO_CONSENT_EMAIL', 'autoConsentEmail', 'string'],
  ['EMULATOR_RATE_LIMIT_EARLY_KEEPALIVES', 'rateLimitEarlyKeepalives', 'bool'],
  ['EMULATOR_SUPERSEDE_OLDER_DEVICES', 'supersedeOlderDevices', 'bool'],
];

export const CLI_ENV_NAMES = [
  'EMULATOR_HOST',
  'EMULATOR_BASE_PORT',
  'EMULATOR_PRIMARY_PORT',
  'EMULATOR_BACKUP_PORT',
  'EMULATOR_QUIET',
  ...CONFIG_ENV.map(([name]) => name),
];

/** Emulator options from the environment, or a one-line error naming the bad variable. */
export function optionsFromEnv(env: Env): Omit<EmulatorOptions, 'log' | 'clock'> | string {
  const port = (name: string, fallback: number): number | string => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    return Number.isInteger(n) && n >= 0 && n <= 65535
      ? n
      : `${name} must be a port number (0-65535)`;
  };
  const base = port('EMULATOR_BASE_PORT', EMULATOR_DEFAULT_PORTS.base);
  const primary = port('EMULATOR_PRIMARY_PORT', EMULATOR_DEFAULT_PORTS.primary);
  const backup = port('EMULATOR_BACKUP_PORT', EMULATOR_DEFAULT_PORTS.backup);
  for (const p of [base, primary, backup]) if (typeof p === 'string') return p;

  const config: Record<string, unknown> = {};
  for (const [name, key, kind] of CONFIG_ENV) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (kind === 'int') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) return `${name} must be a non-negative integer`;
      config[key] = n;
    } else if (kind === 'bool') {
      if (raw !== 'true' && raw !== 'false') return `${name} must be true or false`;
      config[key] = raw === 'true';
    } else {
      config[key] = raw;
    }
  }
  return {
    host: env.EMULATOR_HOST || '127.0.0.1',
    ports: { base: base as number, primary: primary as number, backup: backup as number },
    config: config as Partial<EmulatorConfig>,
  };
}
