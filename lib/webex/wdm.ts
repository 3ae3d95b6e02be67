/**
 * WDM device (reference/mobius-registration.md §3.2): its `url` is the line's `clientDeviceUri`
 * and `cisco-device-url`, its `userId` the Mobius userId. Created once and reused across restarts
 * (the caller stores it); deleted on sign-out.
 */
import type { Fetch } from '../ports';
import { type Outcome, requestJson, requestNoContent } from './http';
import { httpUrl, object, optional, str } from './validate';

export interface WdmDevice {
  url: string;
  userId?: string;
  /**
   * Mercury's address for this device (reference/mobius-calls.md §1.2). Checked with
   * `isTrustedSocketUrl` before any token goes to it; absent in devices cached by older builds.
   */
  webSocketUrl?: string;
}

/** The SDK's default device description. */
export const WDM_DEVICE_BODY = {
  name: 'browser',
  deviceType: 'WEB',
  model: 'web-js-sdk',
  localizedModel: 'webex-js-sdk',
  systemName: 'WEBEX_JS_SDK',
  systemVersion: '1.0.0',
} as const;

const wdmDeviceSchema = object({
  url: httpUrl,
  userId: optional(str),
  webSocketUrl: optional(str),
});

export function registerWdmDevice(
  fetch: Fetch,
  wdmUrl: string,
  authorization: string,
): Promise<Outcome<WdmDevice>> {
  return requestJson(
    fetch,
    `${wdmUrl}/devices`,
    {
      method: 'POST',
      json: WDM_DEVICE_BODY,
      headers: { authorization, accept: 'application/json' },
    },
    wdmDeviceSchema,
    'Registering this browser with Webex (WDM)',
  );
}

/** The device as WDM knows it now (an older cached copy may lack its `webSocketUrl`). */
export function fetchWdmDevice(
  fetch: Fetch,
  deviceUrl: string,
  authorization: string,
): Promise<Outcome<WdmDevice>> {
  return requestJson(
    fetch,
    deviceUrl,
    { method: 'GET', headers: { authorization, accept: 'application/json' } },
    wdmDeviceSchema,
    "Reading this browser's Webex device (WDM)",
  );
}

export function deleteWdmDevice(
  fetch: Fetch,
  deviceUrl: string,
  authorization: string,
): Promise<Outcome<unknown>> {
  return requestNoContent(
    fetch,
    deviceUrl,
    { method: 'DELETE', headers: { authorization } },
    'Removing this browser from Webex (WDM)',
  );
}
