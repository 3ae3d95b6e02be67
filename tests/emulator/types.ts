import type { Clock } from '../../lib/ports';

/** The three listeners: B (cloud-wide endpoints), Mobius primary, Mobius backup. */
export type ServerName = 'base' | 'primary' | 'backup';
export type MobiusServerName = 'primary' | 'backup';

/** Everything tests and demos may tune, at start or later through the admin API. */
export interface EmulatorConfig {
  accessTokenLifetimeSec: number;
  refreshTokenLifetimeSec: number;
  /** true: each refresh returns a new refresh token and the old one stops working. */
  rotateRefreshTokens: boolean;
  codeLifetimeSec: number;
  /** The token endpoint demands client_secret (Webex documents it as required). */
  requireClientSecret: boolean;
  /** /v1/authorize demands a PKCE code_challenge (Webex documents it as optional). */
  requirePkce: boolean;
  keepaliveIntervalSec: number;
  missedKeepalivesBeforeExpiry: number;
  /** Live Mobius devices per user; the real number is unconfirmed. */
  deviceLimit: number;
  /** Minutes, as Mobius sends them. */
  rehomingIntervalMin: number;
  rehomingIntervalMax: number;
  /** Unit unconfirmed; sent as is. */
  callKeepaliveInterval: number;
  /** When set, /v1/authorize redirects at once with a code for this user. */
  autoConsentEmail: string | null;
  /** Mobius registration demands a clientDeviceUri this emulator's WDM issued to the user. */
  validateClientDeviceUri: boolean;
  /** A keepalive sooner than half the interval after the previous one is answered 429. */
  rateLimitEarlyKeepalives: boolean;
  /**
   * A new registration supersedes the user's older live devices (§13): their keepalives answer
   * 409 and they are no longer listed.
   */
  supersedeOlderDevices: boolean;
  /**
   * Values the registration answer carries instead of the ones above, any number however
   * absurd (a deployment that sends a keepalive interval of 0.001 or a negative rehoming
   * window): what a client does with them is the test. Mobius's own rules keep the configured
   * interval for expiry; the cadence check allows the shorter of the two.
   */
  registrationAnswer: RegistrationAnswerOverride | null;
}

/** Registration answer fields a test may set to any finite number. */
export const REGISTRATION_ANSWER_FIELDS = [
  'keepaliveInterval',
  'callKeepaliveInterval',
  'rehomingIntervalMin',
  'rehomingIntervalMax',
] as const;
export type RegistrationAnswerOverride = Partial<
  Record<(typeof REGISTRATION_ANSWER_FIELDS)[number], number>
>;

export const DEFAULT_CONFIG: Readonly<EmulatorConfig> = Object.freeze({
  accessTokenLifetimeSec: 1209599,
  refreshTokenLifetimeSec: 7775999,
  rotateRefreshTokens: true,
  codeLifetimeSec: 60,
  requireClientSecret: true,
  requirePkce: true,
  keepaliveIntervalSec: 30,
  missedKeepalivesBeforeExpiry: 5,
  deviceLimit: 3,
  rehomingIntervalMin: 60,
  rehomingIntervalMax: 120,
  callKeepaliveInterval: 60,
  autoConsentEmail: null,
  validateClientDeviceUri: true,
  rateLimitEarlyKeepalives: false,
  supersedeOlderDevices: false,
  registrationAnswer: null,
});

export interface EmulatorOptions {
  host?: string;
  ports?: { base?: number; primary?: number; backup?: number };
  clock?: Clock;
  config?: Partial<EmulatorConfig>;
  log?: (line: string) => void;
}

export interface EmulatorUrls {
  /** Cloud-wide endpoints (webexapis.com, u2c, wdm, ds.ciscospark.com stand-in). */
  base: string;
  /** Mobius primary listener origin. */
  primary: string;
  /** Mobius backup listener origin. */
  backup: string;
  wdm: string;
  mobiusPrimaryApi: string;
  mobiusBackupApi: string;
  admin: string;
  demo: string;
}

/** One request as the emulator saw it (no query secrets, no tokens, no bodies). */
export interface LogEntry {
  /** When the answer was written (after any injected delay). */
  at: number;
  /** When the request arrived. */
  receivedAt: number;
  method: string;
  path: string;
  status: number;
  server: ServerName;
  trackingId: string;
  /** Every deviation of this request, joined with '; '. */
  deviation?: string;
  /** Set when an injected fault answered (or delayed) the request. */
  fault?: string;
}

export interface Deviation {
  at: number;
  method: string;
  path: string;
  server: ServerName;
  reason: string;
}
