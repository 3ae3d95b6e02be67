/** Reading the device-limit answer (403/101, reference §9.1): the device the SDK would replace. */
import type { MobiusDevice } from '../webex/mobius';
import { anything, arrayOf, object, optional, parseWith } from '../webex/validate';

const restoreBodySchema = object({ devices: optional(arrayOf(anything)) });
const deviceShape = object({ deviceId: anything, uri: anything, clientDeviceUri: anything });

export type RestoreDevice = Pick<MobiusDevice, 'deviceId' | 'uri'> & { clientDeviceUri?: string };

/** `devices[0]` of a 403/101 body, or undefined when the body lists none usable. */
export function parseRestoreDevice(body: unknown): RestoreDevice | undefined {
  const parsed = parseWith(restoreBodySchema, body, 'Device-limit answer');
  if (!parsed.ok) return undefined;
  const device = parseWith(deviceShape, parsed.value.devices?.[0], 'device');
  if (!device.ok) return undefined;
  const { deviceId, uri, clientDeviceUri } = device.value;
  if (typeof deviceId !== 'string' || typeof uri !== 'string' || deviceId === '') return undefined;
  return {
    deviceId,
    uri,
    clientDeviceUri: typeof clientDeviceUri === 'string' ? clientDeviceUri : undefined,
  };
}
