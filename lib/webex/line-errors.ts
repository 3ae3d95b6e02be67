/**
 * The seed's error payloads (`{status, type, msg}`, reference/seed-registration-guide.txt) the
 * engine emits: the error table's final rows (errors.ts) and the engine's own conditions.
 */
import { type ClassifiedFailure, RETRIES_EXHAUSTED, SEED_MESSAGES } from './errors';
import type { WebexFailure } from './http';
import type { LineErrorPayload } from './line-contract';

type Action = NonNullable<LineErrorPayload['detail']>['action'];

function payload(
  type: LineErrorPayload['type'],
  msg: string,
  detail: NonNullable<LineErrorPayload['detail']>,
): LineErrorPayload {
  // Drop absent fields so payloads compare and serialise cleanly.
  const clean = Object.fromEntries(
    Object.entries(detail).filter(([, value]) => value !== undefined),
  ) as LineErrorPayload['detail'];
  return { status: 'inactive', type, msg, detail: clean };
}

/** A classified final failure as the seed's error payload. */
export function toLineError(failure: ClassifiedFailure): LineErrorPayload {
  const { row } = failure;
  const detail = {
    sdkType: row.sdkType,
    httpStatus: failure.httpStatus,
    errorCode: failure.errorCode,
  };
  if (row.sdkType === 'token_error') {
    return payload('tokenError', SEED_MESSAGES.tokenExpired, { ...detail, action: 'signIn' });
  }
  if (row.sdkType === 'not_found') {
    return payload('registrationError', SEED_MESSAGES.deviceNotFound, {
      ...detail,
      action: 'retry',
    });
  }
  // 400's SDK message says to sign out and in again: offer exactly that.
  const action: Action = row.sdkType === 'bad_request' ? 'signIn' : 'retry';
  return payload('registrationError', row.message, { ...detail, action });
}

/**
 * 403/101 that could not be restored (§9.1), or that this registration was not allowed to
 * restore (`askFirst`: started from a web page, it must not sign out another device unasked).
 */
export function deviceLimitError(askFirst = false): LineErrorPayload {
  return payload('registrationError', SEED_MESSAGES.deviceLimit, {
    sdkType: 'forbidden',
    httpStatus: 403,
    errorCode: 101,
    action: askFirst ? 'restoreDeviceLimit' : 'retry',
  });
}

export function retriesExhaustedError(): LineErrorPayload {
  return payload('registrationError', RETRIES_EXHAUSTED.message, {
    sdkType: RETRIES_EXHAUSTED.sdkType,
    action: 'retry',
  });
}

/** A failed or refused token refresh: the seed's token error, and the user must sign in. */
export function tokenExpiredError(httpStatus?: number): LineErrorPayload {
  return payload('tokenError', SEED_MESSAGES.tokenExpired, {
    sdkType: 'token_error',
    httpStatus,
    action: 'signIn',
  });
}

export function notSignedInError(): LineErrorPayload {
  return payload('tokenError', 'Sign in to Webex to register your line.', {
    sdkType: 'token_error',
    action: 'signIn',
  });
}

export function notConfiguredError(message?: string): LineErrorPayload {
  return payload(
    'registrationError',
    message ??
      'The Webex integration is not set up yet. Enter its client ID and secret in the settings.',
    { action: 'openSettings' },
  );
}

/**
 * Keepalive 409 (reference §13): another client registered the same user's line. The SDK's type
 * string (`SESSION_SUPERSEDED`) and message are unconfirmed; this text is ours.
 */
export const SUPERSEDED_MESSAGE = 'Your line is now registered in another client.';

export function supersededError(): LineErrorPayload {
  return payload('registrationError', SUPERSEDED_MESSAGE, {
    sdkType: 'session_superseded',
    httpStatus: 409,
    action: 'useHere',
  });
}

/**
 * A server named by a response (catalog, discovery, a device list) is not one the environment
 * trusts: nothing was sent to it.
 */
export function untrustedServerError(detail: string): LineErrorPayload {
  return payload(
    'registrationError',
    `Webex named a server this extension does not trust, so nothing was sent to it (${detail}).`,
    { sdkType: 'default_error', action: 'retry' },
  );
}

/** Discovery (people/me, catalog, WDM) failed for a reason other than the token or the network. */
export function discoveryError(failure: WebexFailure): LineErrorPayload {
  const httpStatus = 'status' in failure ? failure.status : undefined;
  return payload('registrationError', `${failure.message}. Wait a moment and try again.`, {
    sdkType: 'default_error',
    httpStatus,
    action: 'retry',
  });
}
