/**
 * Every number a server sends that decides when we send again, clamped to a sane range before
 * the engine uses it. A malformed or hostile value must not turn the line into a request storm
 * (a keepalive interval of 0.001 s) or silence it for days (a Retry-After of a year). The bounds
 * are data; `clampServerValue` says what was clamped so the engine can log it.
 */

export interface Bound {
  min: number;
  max: number;
  /** In the SDK's unit (seconds or minutes), as the server sends it. */
  unit: 's' | 'min';
}

export const SERVER_BOUNDS = {
  /**
   * Mobius sends whole seconds (30 by default): under 1 s is malformed (and a storm); over an
   * hour, the device would expire long before the next keepalive.
   */
  keepaliveInterval: { min: 1, max: 3600, unit: 's' },
  /** The call keepalive: the same reasoning as the registration keepalive. */
  callKeepaliveInterval: { min: 1, max: 3600, unit: 's' },
  /**
   * The rehoming window (defaults 60-120 min): under a minute a failback would ping the
   * primaries in a loop; over a day the line would never go home.
   */
  rehomingIntervalMin: { min: 1, max: 1440, unit: 'min' },
  rehomingIntervalMax: { min: 1, max: 1440, unit: 'min' },
  /**
   * Retry-After: 0 is allowed (the SDK still waits one interval on top for keepalives). Over an
   * hour the device has expired anyway, and a typo must not silence the line for days.
   */
  retryAfter: { min: 0, max: 3600, unit: 's' },
} as const satisfies Record<string, Bound>;

export type ServerValue = keyof typeof SERVER_BOUNDS;

export interface Clamped {
  value: number;
  /** The value as sent, when it was outside the bound (or not a finite number). */
  clampedFrom?: number;
}

export function clampServerValue(name: ServerValue, sent: number): Clamped {
  const { min, max } = SERVER_BOUNDS[name];
  if (!Number.isFinite(sent)) return { value: min, clampedFrom: sent };
  const value = Math.min(max, Math.max(min, sent));
  return value === sent ? { value } : { value, clampedFrom: sent };
}
