/**
 * Where audio plays: `setSinkId` on an audio element or an AudioContext, when the browser has
 * it (Chrome 110+ for AudioContext; Firefox only behind a setting). Without it, or when the
 * chosen device is gone, the audio plays on the default device, and the reason is logged.
 */
import { outputAttempts } from '../call/devices';

export interface SinkTarget {
  setSinkId?(sinkId: string): Promise<void>;
  sinkId?: unknown;
}

/** Play `target` on the chosen device ('' = default), falling back to the default silently. */
export async function chooseOutput(
  target: SinkTarget,
  deviceId: string,
  what: string,
  log: (line: string) => void,
): Promise<void> {
  if (typeof target.setSinkId !== 'function') {
    if (deviceId !== '') log(`${what}: this browser cannot choose an output device; default`);
    return;
  }
  // Already where it should be (the default is '' or undefined until one is chosen).
  if ((target.sinkId ?? '') === deviceId) return;
  for (const sinkId of outputAttempts(deviceId)) {
    try {
      await target.setSinkId(sinkId);
      return;
    } catch (error) {
      log(`${what}: output device ${sinkId || 'default'} refused (${String(error)})`);
    }
  }
}
