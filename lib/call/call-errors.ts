/**
 * A failed call request as the user hears of it (SDK `handleCallErrors`, reference/mobius-calls.md
 * §2): why the call ended and the SDK's plain sentence. Pure data, one row per case.
 */
import type { EndReason, RequestOutcome } from './types';

export interface CallFailure {
  reason: EndReason;
  detail: string;
}

/** Mobius `errorCode` in a 403/503 body: the SDK's sentence, and what ends an outgoing call. */
export const CALL_ERROR_CODES: Readonly<Record<number, CallFailure>> = {
  111: {
    reason: 'failed',
    detail: 'An invalid status update has been received for the call. Wait a moment and try again.',
  },
  112: {
    reason: 'failed',
    detail:
      'The client has unregistered. Please wait for the client to register before attempting the call.',
  },
  113: {
    reason: 'failed',
    detail: 'Call is not found on the server. Wait a moment and try again.',
  },
  114: {
    reason: 'failed',
    detail:
      'An error occurred while processing the call on the server. Wait a moment and try again.',
  },
  115: { reason: 'busy', detail: 'Called user is busy.' },
  116: {
    reason: 'failed',
    detail:
      'An error occurred while parsing the provided information. Wait a moment and try again.',
  },
  118: {
    reason: 'failed',
    detail:
      'An error occurred on the server while accepting the call. Wait a moment and try again.',
  },
  119: {
    reason: 'rejected',
    detail: 'Call rejected by the server. Wait a moment and try again.',
  },
  120: {
    reason: 'unavailable',
    detail: 'Calling services not available. Wait a moment and try again.',
  },
};

const BY_STATUS: Readonly<Record<number, string>> = {
  401: 'User is unauthorized due to an expired token. Sign out, then sign back in.',
  403: 'An unauthorized action has been received. This action has been blocked.',
  404: 'Call is no longer active. Wait a moment and try again.',
  500: 'An unknown error occurred in the call. Wait a moment and try again.',
  503: 'An error occurred on the server while processing the request. Wait a moment and try again.',
};

const UNKNOWN_CODE = 'An unknown error occurred. Wait a moment and try again.';

/** The end reason and sentence for a failed request (anything not in §2: its own message). */
export function callFailure(outcome: RequestOutcome): CallFailure {
  if (outcome.ok) return { reason: 'failed', detail: '' };
  const { status, errorCode } = outcome;
  if ((status === 403 || status === 503) && !outcome.noBody) {
    if (errorCode !== undefined && Object.hasOwn(CALL_ERROR_CODES, errorCode))
      return CALL_ERROR_CODES[errorCode] as CallFailure;
    return { reason: 'failed', detail: UNKNOWN_CODE };
  }
  if (status !== undefined && Object.hasOwn(BY_STATUS, status))
    return { reason: 'failed', detail: BY_STATUS[status] as string };
  return { reason: 'failed', detail: outcome.message };
}

/** The SDK's sentences when a hold or resume is not confirmed within 10 s. */
export const HOLD_TIMEOUT = {
  hold: 'An error occurred while placing the call on hold. Wait a moment and try again.',
  resume: 'An error occurred while resuming the call. Wait a moment and try again.',
} as const;
