/** Development builds: the engine timing overrides a `dev/timing` request may set, checked. */
import { CALL_TIMING_OVERRIDES } from '../call/timing';
import { DEFAULT_TIMING } from '../line/timing';

/** Timing overrides: known line `Timing` or call timer fields, finite non-negative numbers. */
export function checkTimingOverrides(input: unknown): Record<string, number> | string {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return 'timing must be an object.';
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(input)) {
    if (!Object.hasOwn(DEFAULT_TIMING, key) && !Object.hasOwn(CALL_TIMING_OVERRIDES, key))
      return `Unknown timing field "${key}".`;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return `timing.${key} must be a non-negative number.`;
    out[key] = value;
  }
  return out;
}
