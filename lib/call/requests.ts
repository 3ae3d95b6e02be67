/**
 * Performs the call machine's request specs with the Mobius call API and turns the outcome into
 * the machine's data (status, Retry-After, message).
 */
import type { CallSpec } from '../webex/calls';
import type { Outcome } from '../webex/http';
import type { RequestOutcome } from './types';

export function toRequestOutcome(outcome: Outcome<unknown>): RequestOutcome {
  if (outcome.ok) return { ok: true };
  const error = outcome.error;
  const result: RequestOutcome = { ok: false, message: error.message };
  if (error.kind === 'http') {
    result.status = error.status;
    if (error.retryAfter !== undefined) result.retryAfter = error.retryAfter;
  } else if (error.kind === 'auth' && error.status !== undefined) {
    result.status = error.status;
  }
  return result;
}

/** The port the interpreter sends through: the host binds server, auth and fetch. */
export type SendCallRequest = (spec: CallSpec) => Promise<RequestOutcome>;
