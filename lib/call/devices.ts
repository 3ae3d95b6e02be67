/**
 * Which audio devices the calls document asks the browser for, as pure decisions: the
 * microphone constraint for the chosen device, when to fall back to the default one, which
 * output devices to try, and the ringtone's level. lib/platform makes the browser calls.
 */

/** The ringtone's gain at full volume (0.08, the level it always had, is the default 0.8). */
export const RING_GAIN_AT_FULL_VOLUME = 0.1;

/** The ringtone's gain for a volume from 0 to 1 (out of range: clamped). */
export const ringGain = (volume: number): number =>
  Math.min(1, Math.max(0, Number.isFinite(volume) ? volume : 0)) * RING_GAIN_AT_FULL_VOLUME;

/** getUserMedia constraints for the chosen microphone ('' = the browser's default). */
export function micConstraints(deviceId: string): MediaStreamConstraints {
  return deviceId === ''
    ? { audio: true, video: false }
    : { audio: { deviceId: { exact: deviceId } }, video: false };
}

/**
 * Whether a failed getUserMedia for the chosen microphone is tried again with the default one:
 * always, unless none was chosen or the microphone itself is refused (the default would be
 * refused too). A device unplugged or in use never fails a call that the default could take.
 */
export const micFallsBack = (deviceId: string, errorName: string): boolean =>
  deviceId !== '' && errorName !== 'NotAllowedError' && errorName !== 'SecurityError';

/**
 * The output devices to try, in order, for a chosen one: the chosen device, then the default
 * ('' in setSinkId). None chosen: only the default.
 */
export const outputAttempts = (deviceId: string): string[] =>
  deviceId === '' ? [''] : [deviceId, ''];
