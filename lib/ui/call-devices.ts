/**
 * The options page's audio device lists, as pure decisions over what
 * `navigator.mediaDevices.enumerateDevices()` answered: "Default" first, then the devices the
 * browser names, and a chosen device that is not listed now (unplugged, or its name hidden) kept
 * as a choice of its own, so opening the page never changes the user's choice.
 */
import type { CallDeviceRole } from '../call-preferences';
import { t } from './i18n';

/** What the page needs of a MediaDeviceInfo. */
export interface DeviceInfo {
  deviceId: string;
  kind: string;
  label: string;
}

export interface DeviceChoice {
  /** The device id to store; '' = the browser's default device. */
  value: string;
  label: string;
}

export const DEVICE_KIND: Record<CallDeviceRole, 'audioinput' | 'audiooutput'> = {
  microphone: 'audioinput',
  speaker: 'audiooutput',
  ringer: 'audiooutput',
};

/**
 * Chrome's own aliases for the default device: "Default" already stands for them (Windows's
 * "communications" device is a real choice and stays).
 */
const ALIASES = new Set(['', 'default']);

/**
 * The browser hides device names (and ids) until the microphone is allowed for the extension's
 * origin: then only "Default" can be offered, and the page says how to see the rest.
 */
export const namesHidden = (devices: DeviceInfo[]): boolean =>
  devices.some((device) => device.kind === 'audioinput' && device.label === '');

export function deviceChoices(
  devices: DeviceInfo[],
  role: CallDeviceRole,
  chosen: string,
): DeviceChoice[] {
  const choices: DeviceChoice[] = [{ value: '', label: t('callsDeviceDefault') }];
  for (const device of devices) {
    if (device.kind !== DEVICE_KIND[role] || device.label === '') continue;
    if (ALIASES.has(device.deviceId)) continue;
    if (choices.some((choice) => choice.value === device.deviceId)) continue;
    choices.push({ value: device.deviceId, label: device.label });
  }
  if (!choices.some((choice) => choice.value === chosen))
    choices.push({ value: chosen, label: t('callsDeviceMissing') });
  return choices;
}

/** The ring volume as the slider shows it, 0 to 100 in steps of 5. */
export const volumePercent = (volume: number): number => Math.round(volume * 20) * 5;
