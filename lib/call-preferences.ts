/**
 * The user's call preferences: whether this browser rings, how loud, and which audio devices the
 * calls use. Part of the user's settings (lib/settings.ts), edited on their own in the options
 * page's Calls section, and handed to the calls document with the line. Not in the managed
 * policy: device ids belong to one computer, and whether a browser rings is the user's choice.
 */

/** Device ids as `enumerateDevices()` gives them; '' = the browser's default device. */
export interface CallDevices {
  microphone: string;
  speaker: string;
  ringer: string;
}

export interface CallPreferences {
  /** The ringtone plays in this browser ("Ring in this browser"). */
  ring: boolean;
  /** Ringtone volume, 0 to 1. */
  ringVolume: number;
  devices: CallDevices;
}

export const CALL_DEVICE_ROLES = ['microphone', 'speaker', 'ringer'] as const;
export type CallDeviceRole = (typeof CALL_DEVICE_ROLES)[number];

export const DEFAULT_CALL_PREFERENCES: CallPreferences = {
  ring: true,
  ringVolume: 0.8,
  devices: { microphone: '', speaker: '', ringer: '' },
};

/** Why a call preference was refused (shown by lib/ui/settings-errors.ts). */
export type CallPreferenceErrorCode =
  | 'settingsNotAnObject'
  | 'flagInvalid'
  | 'ringVolumeInvalid'
  | 'deviceIdInvalid';

/** Browsers' device ids are opaque strings (Chrome: 64 hex digits); anything sane fits this. */
const DEVICE_ID = /^[\x21-\x7e]{0,200}$/;

const isVolume = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;

const isDeviceId = (value: unknown): value is string =>
  typeof value === 'string' && DEVICE_ID.test(value);

/**
 * Validate call preferences as a whole: every field present and sane, or field-level errors
 * (`ring`, `ringVolume`, `devices.microphone`, …) and nothing to store.
 */
export function validateCallPreferences(
  input: unknown,
):
  | { ok: true; value: CallPreferences }
  | { ok: false; errors: Record<string, CallPreferenceErrorCode> } {
  if (typeof input !== 'object' || input === null)
    return { ok: false, errors: { calls: 'settingsNotAnObject' } };
  const raw = input as Record<string, unknown>;
  const errors: Record<string, CallPreferenceErrorCode> = {};
  if (typeof raw.ring !== 'boolean') errors.ring = 'flagInvalid';
  if (!isVolume(raw.ringVolume)) errors.ringVolume = 'ringVolumeInvalid';
  const devices = (
    typeof raw.devices === 'object' && raw.devices !== null ? raw.devices : {}
  ) as Record<string, unknown>;
  for (const role of CALL_DEVICE_ROLES) {
    if (!isDeviceId(devices[role])) errors[`devices.${role}`] = 'deviceIdInvalid';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ring: raw.ring as boolean,
      ringVolume: raw.ringVolume as number,
      devices: {
        microphone: devices.microphone as string,
        speaker: devices.speaker as string,
        ringer: devices.ringer as string,
      },
    },
  };
}

/**
 * Call preferences as stored by any build: each field that is missing (settings saved before
 * they existed) or unusable takes its default, so an update never loses the user's others.
 */
export function callPreferencesFrom(stored: unknown): CallPreferences {
  const raw = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<
    string,
    unknown
  >;
  const devices = (
    typeof raw.devices === 'object' && raw.devices !== null ? raw.devices : {}
  ) as Record<string, unknown>;
  const fallback = DEFAULT_CALL_PREFERENCES;
  const device = (role: CallDeviceRole) =>
    isDeviceId(devices[role]) ? (devices[role] as string) : fallback.devices[role];
  return {
    ring: typeof raw.ring === 'boolean' ? raw.ring : fallback.ring,
    ringVolume: isVolume(raw.ringVolume) ? raw.ringVolume : fallback.ringVolume,
    devices: {
      microphone: device('microphone'),
      speaker: device('speaker'),
      ringer: device('ringer'),
    },
  };
}

/** The preferences as one string: the calls host tells the document when it changes. */
export const callPreferencesDigest = (prefs: CallPreferences): string =>
  [
    prefs.ring ? 'ring' : 'silent',
    prefs.ringVolume.toFixed(2),
    prefs.devices.microphone,
    prefs.devices.speaker,
    prefs.devices.ringer,
  ].join('|');
