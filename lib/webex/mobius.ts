/**
 * Mobius device API (reference/mobius-registration.md §2, §4-8): register, keepalive, deregister,
 * ping and list. Every call returns its outcome as data; the engine classifies failures with
 * errors.ts.
 */
import type { Fetch } from '../ports';
import { type Outcome, type RequestOptions, requestJson, requestNoContent } from './http';
import { arrayOf, httpUrl, nonEmptyStr, numberLike, object, optional, str } from './validate';

export const CALLING_USER_AGENT = 'webex-calling/beta';

/** Who is asking: sent as headers on every Mobius call. */
export interface MobiusAuth {
  /** `Bearer <token>`. */
  authorization: string;
  /** The WDM device URL (`cisco-device-url`). */
  clientDeviceUri: string;
  trackingId: string;
}

const deviceSchema = object({
  deviceId: nonEmptyStr,
  uri: httpUrl,
  status: optional(str),
  lastSeen: optional(str),
  addresses: optional(arrayOf(str)),
  clientDeviceUri: optional(str),
});
export type MobiusDevice = ReturnType<typeof deviceSchema>;

const registrationSchema = object({
  userId: optional(str),
  device: deviceSchema,
  keepaliveInterval: optional(numberLike),
  callKeepaliveInterval: optional(numberLike),
  rehomingIntervalMin: optional(numberLike),
  rehomingIntervalMax: optional(numberLike),
  voicePortalNumber: optional(numberLike),
  voicePortalExtension: optional(numberLike),
});
export type RegistrationResponse = ReturnType<typeof registrationSchema>;

const deviceListSchema = object({ userId: optional(str), devices: arrayOf(deviceSchema) });
export type DeviceList = ReturnType<typeof deviceListSchema>;

function headers(auth: MobiusAuth, extra?: Record<string, string>): Record<string, string> {
  return {
    authorization: auth.authorization,
    'cisco-device-url': auth.clientDeviceUri,
    'spark-user-agent': CALLING_USER_AGENT,
    trackingid: auth.trackingId,
    ...extra,
  };
}

export interface MobiusCallOptions {
  timeoutMs?: number;
}

const opts = (o: RequestOptions, extra?: MobiusCallOptions): RequestOptions => ({
  ...o,
  timeoutMs: extra?.timeoutMs,
});

/** POST {serverUrl}device (singular). `serverUrl` ends with `/calling/web/`. */
export function registerDevice(
  fetch: Fetch,
  serverUrl: string,
  auth: MobiusAuth,
  userId: string,
  options?: MobiusCallOptions,
): Promise<Outcome<RegistrationResponse>> {
  return requestJson(
    fetch,
    `${serverUrl}device`,
    opts(
      {
        method: 'POST',
        headers: headers(auth, { accept: 'application/json' }),
        json: {
          userId,
          clientDeviceUri: auth.clientDeviceUri,
          serviceData: { indicator: 'calling', domain: '' },
        },
      },
      options,
    ),
    registrationSchema,
    'Line registration',
  );
}

/** POST {device.uri}/status, no body. Any 2xx is success; the body is ignored. */
export function sendKeepalive(
  fetch: Fetch,
  deviceUri: string,
  auth: MobiusAuth,
  options?: MobiusCallOptions,
): Promise<Outcome<unknown>> {
  return requestNoContent(
    fetch,
    `${deviceUri}/status`,
    opts({ method: 'POST', headers: headers(auth) }, options),
    'Keepalive',
  );
}

/**
 * DELETE {serverUrl}devices/{deviceId}. `auth.clientDeviceUri` must be the device's own
 * clientDeviceUri (for the device-limit restore that is the *other* device's URL).
 */
export function deleteDevice(
  fetch: Fetch,
  serverUrl: string,
  deviceId: string,
  auth: MobiusAuth,
  options?: MobiusCallOptions,
): Promise<Outcome<unknown>> {
  return requestNoContent(
    fetch,
    `${serverUrl}devices/${encodeURIComponent(deviceId)}`,
    opts({ method: 'DELETE', headers: headers(auth) }, options),
    'Deregistration',
  );
}

/** `https://h/api/v1/calling/web/` -> `https://h/api/v1/ping` (SDK: replace URL_ENDPOINT by '/'). */
export function pingUrl(serverUrl: string): string {
  return `${serverUrl.replace(/\/calling\/web\/?$/, '/')}ping`;
}

/** GET {base}/ping: 200 means the server is up (used for failback). */
export async function ping(
  fetch: Fetch,
  serverUrl: string,
  auth: MobiusAuth,
  options?: MobiusCallOptions,
): Promise<Outcome<unknown>> {
  return requestNoContent(
    fetch,
    pingUrl(serverUrl),
    opts({ method: 'GET', headers: headers(auth) }, options),
    'Mobius ping',
  );
}

/** GET {serverUrl}devices?userid={uuid}: the user's devices on that server. */
export function listDevices(
  fetch: Fetch,
  serverUrl: string,
  userId: string,
  auth: MobiusAuth,
  options?: MobiusCallOptions,
): Promise<Outcome<DeviceList>> {
  return requestJson(
    fetch,
    `${serverUrl}devices?userid=${encodeURIComponent(userId)}`,
    opts({ method: 'GET', headers: headers(auth, { accept: 'application/json' }) }, options),
    deviceListSchema,
    'Listing registered devices',
  );
}

/** The server a device lives on: its uri minus `devices/{deviceId}` (SDK invariant, §5). */
export function serverOfDevice(device: { uri: string; deviceId: string }): string {
  const at = device.uri.lastIndexOf(`devices/${device.deviceId}`);
  return at >= 0 ? device.uri.slice(0, at) : device.uri;
}
