/**
 * The ringtone, synthesised (no audio file to ship): the North American ring, 440 + 480 Hz,
 * two seconds on and four off, at a moderate level. Plays from the offscreen document, so it
 * rings with no extension page open.
 */
import type { RingtonePort } from '../call/calls-app';

const ON_MS = 2_000;
const CYCLE_MS = 6_000;
const LEVEL = 0.08;

export function synthesisedRingtone(): RingtonePort {
  let context: AudioContext | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;

  function burst(): void {
    if (!context) return;
    const gain = context.createGain();
    gain.gain.value = LEVEL;
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

  return {
    start() {
      if (timer !== null) return;
      context ??= new AudioContext();
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
  };
}
