import { DEFAULT_CONFIG, type EmulatorConfig, REGISTRATION_ANSWER_FIELDS } from './types';
import { userByEmail } from './users';

type Kind = 'positiveInt' | 'nonNegativeInt' | 'boolean' | 'emailOrNull' | 'answerOrNull';

const FIELDS: Record<keyof EmulatorConfig, Kind> = {
  accessTokenLifetimeSec: 'positiveInt',
  refreshTokenLifetimeSec: 'positiveInt',
  rotateRefreshTokens: 'boolean',
  codeLifetimeSec: 'positiveInt',
  requireClientSecret: 'boolean',
  requirePkce: 'boolean',
  keepaliveIntervalSec: 'positiveInt',
  missedKeepalivesBeforeExpiry: 'positiveInt',
  deviceLimit: 'positiveInt',
  rehomingIntervalMin: 'nonNegativeInt',
  rehomingIntervalMax: 'nonNegativeInt',
  callKeepaliveInterval: 'nonNegativeInt',
  autoConsentEmail: 'emailOrNull',
  validateClientDeviceUri: 'boolean',
  rateLimitEarlyKeepalives: 'boolean',
  supersedeOlderDevices: 'boolean',
  registrationAnswer: 'answerOrNull',
};

/** Checks a partial config; returns the clean patch or a message naming the bad field. */
export function parseConfigPatch(input: unknown): Partial<EmulatorConfig> | string {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return 'config must be a JSON object';
  }
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    const kind = FIELDS[key as keyof EmulatorConfig];
    if (!kind) return `unknown config field: ${key}`;
    const problem = check(kind, value);
    if (problem) return `${key} ${problem}`;
    patch[key] = value;
  }
  return patch as Partial<EmulatorConfig>;
}

function check(kind: Kind, value: unknown): string | null {
  switch (kind) {
    case 'positiveInt':
      return Number.isInteger(value) && (value as number) > 0 ? null : 'must be a positive integer';
    case 'nonNegativeInt':
      return Number.isInteger(value) && (value as number) >= 0
        ? null
        : 'must be a non-negative integer';
    case 'boolean':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'emailOrNull':
      if (value === null) return null;
      return typeof value === 'string' && userByEmail(value)
        ? null
        : 'must be null or a test user email';
    case 'answerOrNull':
      return answerProblem(value);
  }
}

function answerProblem(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return 'must be null or a JSON object';
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (!(REGISTRATION_ANSWER_FIELDS as readonly string[]).includes(key)) {
      return `may only set ${REGISTRATION_ANSWER_FIELDS.join(', ')} (not ${key})`;
    }
    if (typeof field !== 'number' || !Number.isFinite(field)) return `${key} must be a number`;
  }
  return null;
}

/** Defaults overlaid with the (validated) start options; throws on a bad option. */
export function initialConfig(overrides: Partial<EmulatorConfig> | undefined): EmulatorConfig {
  const patch = parseConfigPatch(overrides ?? {});
  if (typeof patch === 'string') throw new Error(`emulator config: ${patch}`);
  const config = { ...DEFAULT_CONFIG, ...patch };
  if (config.rehomingIntervalMin > config.rehomingIntervalMax) {
    throw new Error('emulator config: rehomingIntervalMin must not exceed rehomingIntervalMax');
  }
  return config;
}
