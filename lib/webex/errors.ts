/**
 * The Mobius error table (reference/mobius-registration.md §9, SDK 3.12.0
 * `handleRegistrationErrors`) as data, and its mapping to the seed's error payload
 * (lib/messaging/protocol.ts `LineErrorPayload`).
 */

import type { WebexFailure } from './http';

export type SdkErrorType =
  | 'bad_request'
  | 'token_error'
  | 'forbidden'
  | 'not_found'
  | 'too_many_requests'
  | 'server_error'
  | 'service_unavailable'
  | 'default_error';

/** What the SDK does next for a row. */
export type Reaction =
  /** Final: emit `error`, stop. */
  | 'stop'
  /** 403/101: device-limit restore (§9.1), no event of its own. */
  | 'restoreDeviceLimit'
  /** 429: Retry-After logic per context (§9.2), no event. */
  | 'retryAfter'
  /** Non-final: emit `unregistered` (registration) / count a failure (keepalive), go on. */
  | 'next';

/** The SDK's message for a 403 without a known code and for exhausted retries (one copy). */
const UNKNOWN_CONTACT_ADMIN =
  'An unknown error occurred. Wait a moment and try again. Please contact the administrator if the problem persists.';

export interface ErrorRow {
  /** HTTP status, or 'other' for any other status and for network failures. */
  status: number | 'other';
  /** Mobius `errorCode` in a 403 body; 'other' = a body without a known code; 'noBody' = none. */
  errorCode?: number | 'other' | 'noBody';
  final: boolean;
  sdkType: SdkErrorType;
  /** The SDK's exact message. */
  message: string;
  reaction: Reaction;
}

export const MOBIUS_ERROR_TABLE: readonly ErrorRow[] = [
  {
    status: 400,
    final: true,
    sdkType: 'bad_request',
    message:
      'Invalid input. Please verify the required parameters, sign out and then sign back in with the valid data',
    reaction: 'stop',
  },
  {
    status: 401,
    final: true,
    sdkType: 'token_error',
    message: 'User is unauthorized due to an expired token. Sign out, then sign back in.',
    reaction: 'stop',
  },
  {
    status: 403,
    errorCode: 101,
    final: false,
    sdkType: 'forbidden',
    message: 'User device limit exceeded',
    reaction: 'restoreDeviceLimit',
  },
  {
    status: 403,
    errorCode: 102,
    final: true,
    sdkType: 'forbidden',
    message:
      'User is not configured for WebRTC calling. Please contact the administrator to resolve this issue.',
    reaction: 'stop',
  },
  {
    status: 403,
    errorCode: 103,
    final: false,
    sdkType: 'forbidden',
    message:
      'An unknown error occurred while provisioning the device. Wait a moment and try again.',
    reaction: 'next',
  },
  {
    status: 403,
    errorCode: 'other',
    final: false,
    sdkType: 'forbidden',
    message: UNKNOWN_CONTACT_ADMIN,
    reaction: 'next',
  },
  {
    status: 403,
    errorCode: 'noBody',
    final: false,
    sdkType: 'forbidden',
    message:
      'An unauthorized action has been received. This action has been blocked. Please contact the administrator if this persists.',
    reaction: 'next',
  },
  {
    status: 404,
    final: true,
    sdkType: 'not_found',
    message: 'Webex Calling is unable to find your device. Sign out, then sign back in',
    reaction: 'stop',
  },
  {
    status: 429,
    final: false,
    sdkType: 'too_many_requests',
    message: 'Server is handling too many request at the time. Wait a moment and try again',
    reaction: 'retryAfter',
  },
  {
    status: 500,
    final: false,
    sdkType: 'server_error',
    message: 'An unknown error occurred while placing the request. Wait a moment and try again.',
    reaction: 'next',
  },
  {
    status: 503,
    final: false,
    sdkType: 'service_unavailable',
    message:
      'An error occurred on the server while processing the request. Wait a moment and try again.',
    reaction: 'next',
  },
  {
    status: 'other',
    final: false,
    sdkType: 'default_error',
    message: 'Unknown error',
    reaction: 'next',
  },
];

/** `emitFinalFailure`: primaries and backups all failed (§10). */
export const RETRIES_EXHAUSTED: ErrorRow = {
  status: 'other',
  final: true,
  sdkType: 'service_unavailable',
  message: UNKNOWN_CONTACT_ADMIN,
  reaction: 'stop',
};

/** The seed's three documented errors (reference/seed-registration-guide.txt). */
export const SEED_MESSAGES = {
  deviceLimit: 'Device limit exceeded. The user already logged in to a different device.',
  deviceNotFound: 'Device not found.',
  tokenExpired: 'Token expired. Authentication/Authorization error.',
} as const;

export interface ClassifiedFailure {
  row: ErrorRow;
  httpStatus?: number;
  errorCode?: number;
  retryAfter?: number;
  /** No HTTP answer (fetch rejected): the browser is probably offline. */
  network: boolean;
  /** The parsed body (the 403/101 body carries the devices to restore). */
  body?: unknown;
  /** What went wrong, for diagnostics (never shown as the seed message). */
  detail: string;
}

const rowFor = (status: number | 'other', errorCode?: ErrorRow['errorCode']) =>
  MOBIUS_ERROR_TABLE.find((row) => row.status === status && row.errorCode === errorCode) ??
  // The 'other' row always exists.
  (MOBIUS_ERROR_TABLE.find((row) => row.status === 'other') as ErrorRow);

/** Find the table row for a failed Mobius call. */
export function classifyFailure(failure: WebexFailure): ClassifiedFailure {
  switch (failure.kind) {
    case 'network':
      return { row: rowFor('other'), network: true, detail: failure.message };
    case 'auth':
      return {
        row: rowFor(401),
        httpStatus: failure.status,
        network: false,
        detail: failure.message,
      };
    case 'config':
    case 'untrusted':
      return { row: rowFor('other'), network: false, detail: failure.message };
    case 'malformed':
      return {
        row: rowFor('other'),
        httpStatus: failure.status,
        network: false,
        detail: failure.message,
      };
    case 'http': {
      const base = {
        httpStatus: failure.status,
        retryAfter: failure.retryAfter,
        network: false,
        body: failure.body,
        detail: failure.message,
      };
      if (failure.status === 403) {
        const body = failure.body;
        // The SDK reads `errorCode` only when a body exists; without one it is "403 no body".
        if (typeof body !== 'object' || body === null) {
          return { ...base, row: rowFor(403, 'noBody') };
        }
        const code = Number((body as Record<string, unknown>).errorCode);
        const known = code === 101 || code === 102 || code === 103;
        return {
          ...base,
          row: rowFor(403, known ? code : 'other'),
          errorCode: Number.isFinite(code) ? code : undefined,
        };
      }
      const known = MOBIUS_ERROR_TABLE.some((row) => row.status === failure.status);
      return { ...base, row: rowFor(known ? failure.status : 'other') };
    }
  }
}
