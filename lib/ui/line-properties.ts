/** The seed's 14 line properties: their order, labels and display values. */

import type { LineProperties } from '../messaging/protocol';
import { formatDateTime, formatMinutes, formatSeconds } from './format';
import { type MessageKey, t } from './i18n';

export type LinePropertyName = keyof LineProperties;

/** All 14, in the seed guide's order. */
export const LINE_PROPERTY_NAMES = [
  'lineId',
  'mobiusDeviceId',
  'phoneNumber',
  'extension',
  'status',
  'sipAddresses',
  'voicemail',
  'lastSeen',
  'keepaliveInterval',
  'callKeepaliveInterval',
  'rehomingIntervalMin',
  'rehomingIntervalMax',
  'voicePortalNumber',
  'voicePortalExtension',
] as const satisfies readonly LinePropertyName[];

/** The six the line card always shows. */
export const LINE_SUMMARY_NAMES = [
  'phoneNumber',
  'extension',
  'sipAddresses',
  'voicemail',
  'lastSeen',
  'keepaliveInterval',
] as const satisfies readonly LinePropertyName[];

const LABEL_KEYS: Record<LinePropertyName, MessageKey> = {
  lineId: 'propLineId',
  mobiusDeviceId: 'propMobiusDeviceId',
  phoneNumber: 'propPhoneNumber',
  extension: 'propExtension',
  status: 'propStatus',
  sipAddresses: 'propSipAddresses',
  voicemail: 'propVoicemail',
  lastSeen: 'propLastSeen',
  keepaliveInterval: 'propKeepaliveInterval',
  callKeepaliveInterval: 'propCallKeepaliveInterval',
  rehomingIntervalMin: 'propRehomingIntervalMin',
  rehomingIntervalMax: 'propRehomingIntervalMax',
  voicePortalNumber: 'propVoicePortalNumber',
  voicePortalExtension: 'propVoicePortalExtension',
};

export function linePropertyLabel(name: LinePropertyName): string {
  return t(LABEL_KEYS[name]);
}

/** The value as text, or null when the line does not have it. */
export function linePropertyValue(
  line: LineProperties | null,
  name: LinePropertyName,
): string | null {
  if (!line) return null;
  switch (name) {
    case 'sipAddresses':
      return line.sipAddresses.length > 0 ? line.sipAddresses.join(', ') : null;
    case 'lastSeen':
      return line.lastSeen ? formatDateTime(line.lastSeen) : null;
    case 'keepaliveInterval':
      return line.keepaliveInterval === undefined ? null : formatSeconds(line.keepaliveInterval);
    case 'rehomingIntervalMin':
    case 'rehomingIntervalMax': {
      // Mobius sends the failback window in minutes (reference/mobius-registration.md).
      const minutes = line[name];
      return minutes === undefined ? null : formatMinutes(minutes);
    }
    default: {
      // callKeepaliveInterval's unit is unconfirmed, so it is shown as the bare number.
      const value = line[name];
      return value === undefined || value === '' ? null : String(value);
    }
  }
}
