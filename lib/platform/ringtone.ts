/**
 * The ringtone, synthesised (no audio file to ship): the North American ring, 440 + 480 Hz,
 * two seconds on and four off, at the user's ring volume, on the ringer device the user chose
 * (AudioContext.setSinkId where the browser has it; else the default device). Plays from the
 * offscreen document, so it rings with no extension page open.
 */

import { ringGain } from '../call/devices';
import type { RingtonePort } from '../call/document-ports';
import { chooseOutput, type SinkTarget } from './audio-output';

const ON_MS = 2_000;
const CYCLE_MS = 6_000;

export interface SynthesisedRingtone extends RingtonePort {
  /** Development: whether it is playing (end-to-end tests read it through the probe). */
  playing(): boolean;
}

export function synthesisedRingtone(log: (line: string) => void = () => {}): SynthesisedRingtone {
  let context: AudioContext | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let volume = 0.8;
  let device = '';

  function burst(): void {
    if (!context) return;
    const gain = context.createGain();
    gain.gain.value = ringGain(volume);
    gain.connect(context.destination);
    const end = context.currentTime + ON_MS / 1000;
    for (const frequency of [440, 480]) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.start();
      oscillator.stop(end);
    }
  }

  const route = (target: AudioContext) =>
    void chooseOutput(target as unknown as SinkTarget, device, 'ringtone', log).catch(
      () => undefined,
    );

  return {
    start() {
      if (timer !== null) return;
      context ??= new AudioContext();
      route(context);
      void context.resume().catch(() => undefined);
      burst();
      timer = setInterval(burst, CYCLE_MS);
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
      void context?.close().catch(() => undefined);
      context = null;
    },
    configure(settings) {
      volume = settings.volume;
      const moved = settings.device !== device;
      device = settings.device;
      // The next burst plays at the new volume; a new ringer takes over at once.
      if (moved && context) route(context);
    },
    playing: () => timer !== null,
  };
}
