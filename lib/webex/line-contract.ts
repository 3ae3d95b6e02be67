/**
 * The seed's Line contract (reference/seed-registration-guide.txt): the error payload, the event
 * names and the 14 line properties. The error table (errors.ts) produces these payloads; the
 * engine, the messaging protocol and the UI all speak them.
 */

/** The seed's error payload, plus the SDK's finer classification as detail. */
export interface LineErrorPayload {
  status: 'inactive';
  type: 'registrationError' | 'tokenError';
  msg: string;
  detail?: {
    /** The SDK's ERROR_TYPE, e.g. `forbidden`, `service_unavailable`, `token_error`. */
    sdkType?: string;
    /** HTTP status of the failing response, absent for network failures. */
    httpStatus?: number;
    /** Mobius errorCode from the body (101, 102, 103...). */
    errorCode?: number;
    /** What the user can do about it. */
    action?: ErrorAction;
  };
}

/**
 * - signIn: sign in again; retry: try again; openSettings: fix the settings;
 * - restoreDeviceLimit: sign out the user's oldest device and use this browser (asked, never done
 *   for a registration a web page started);
 * - useHere: the line was taken by another client; register it here again on purpose.
 */
export type ErrorAction = 'signIn' | 'retry' | 'openSettings' | 'restoreDeviceLimit' | 'useHere';

export type LineEventName =
  | 'connecting'
  | 'registered'
  | 'unregistered'
  | 'reconnecting'
  | 'reconnected'
  | 'error';

/** The seed's 14 line properties. */
export interface LineProperties {
  lineId: string;
  mobiusDeviceId?: string;
  phoneNumber?: string;
  extension?: string;
  /** 'inactive' | 'active' | 'IDLE' per the SDK. */
  status: string;
  sipAddresses: string[];
  voicemail?: string;
  lastSeen?: string;
  keepaliveInterval?: number;
  callKeepaliveInterval?: number;
  rehomingIntervalMin?: number;
  rehomingIntervalMax?: number;
  voicePortalNumber?: number;
  voicePortalExtension?: number;
}
