import { describe, expect, it } from 'vitest';
import {
  micConstraints,
  micFallsBack,
  outputAttempts,
  RING_GAIN_AT_FULL_VOLUME,
  ringGain,
} from '../../../lib/call/devices';
import { chooseOutput } from '../../../lib/platform/audio-output';

describe('audio device choices', () => {
  it('asks for exactly the chosen microphone, or any with none chosen', () => {
    expect(micConstraints('')).toEqual({ audio: true, video: false });
    expect(micConstraints('mic-1')).toEqual({
      audio: { deviceId: { exact: 'mic-1' } },
      video: false,
    });
  });

  it('falls back to the default microphone when the chosen one is gone, never when refused', () => {
    expect(micFallsBack('mic-1', 'OverconstrainedError')).toBe(true);
    expect(micFallsBack('mic-1', 'NotFoundError')).toBe(true);
    expect(micFallsBack('mic-1', 'NotReadableError')).toBe(true);
    expect(micFallsBack('mic-1', 'NotAllowedError')).toBe(false);
    expect(micFallsBack('mic-1', 'SecurityError')).toBe(false);
    expect(micFallsBack('', 'NotFoundError')).toBe(false); // the default itself failed
  });

  it('tries the chosen output, then the default', () => {
    expect(outputAttempts('')).toEqual(['']);
    expect(outputAttempts('spk-1')).toEqual(['spk-1', '']);
  });

  it('scales the ring level with the volume, the default 0.8 at the level it always had', () => {
    expect(ringGain(0.8)).toBeCloseTo(0.08);
    expect(ringGain(0)).toBe(0);
    expect(ringGain(1)).toBe(RING_GAIN_AT_FULL_VOLUME);
    expect(ringGain(7)).toBe(RING_GAIN_AT_FULL_VOLUME);
    expect(ringGain(Number.NaN)).toBe(0);
  });

  it('plays on the chosen output, on the default when it is gone, and logs why', async () => {
    const logs: string[] = [];
    const log = (line: string) => logs.push(line);
    const sinks: string[] = [];
    const target = {
      sinkId: '',
      async setSinkId(id: string) {
        sinks.push(id);
        if (id === 'gone') throw new DOMException('not found', 'NotFoundError');
        this.sinkId = id;
      },
    };
    await chooseOutput(target, 'spk-1', 'call audio', log);
    expect(target.sinkId).toBe('spk-1');
    await chooseOutput(target, 'spk-1', 'call audio', log); // already there: nothing asked
    expect(sinks).toEqual(['spk-1']);
    await chooseOutput(target, 'gone', 'ringtone', log);
    expect(target.sinkId).toBe('');
    expect(logs).toEqual([expect.stringContaining('ringtone: output device gone refused')]);
    // No setSinkId in this browser: the default, and a log only when a device was chosen.
    await chooseOutput({}, '', 'ringtone', log);
    await chooseOutput({}, 'spk-1', 'ringtone', log);
    expect(logs).toHaveLength(2);
  });
});
