import { afterEach, describe, expect, it, vi } from 'vitest';
import { micConstraints, ringGain } from '../../../lib/call/devices';
import { synthesisedRingtone } from '../../../lib/platform/ringtone';
import { webrtcMedia } from '../../../lib/platform/webrtc-media';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** getUserMedia that knows only the default microphone (the chosen one was unplugged). */
function microphones(refuse?: string) {
  const asked: MediaStreamConstraints[] = [];
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: async (constraints: MediaStreamConstraints) => {
        asked.push(constraints);
        if (refuse) throw new DOMException('refused', refuse);
        if (constraints.audio !== true) throw new DOMException('gone', 'OverconstrainedError');
        return { getAudioTracks: () => [], getTracks: () => [] };
      },
    },
  });
  return asked;
}

describe('the calls media in the document', () => {
  it('a chosen microphone that is gone: the call takes the default one, and the log says why', async () => {
    const asked = microphones();
    const logs: string[] = [];
    const media = webrtcMedia((line) => logs.push(line));
    media.configure({ microphone: 'usb-mic', speaker: '' });
    expect(await media.run('k1', { kind: 'acquireMic' })).toEqual({ kind: 'micReady', key: 'k1' });
    expect(asked).toEqual([micConstraints('usb-mic'), micConstraints('')]);
    expect(logs).toEqual([expect.stringContaining('microphone usb-mic unavailable')]);
  });

  it('a refused microphone is not asked again with the default (it would be refused too)', async () => {
    const asked = microphones('NotAllowedError');
    const media = webrtcMedia();
    media.configure({ microphone: 'usb-mic', speaker: '' });
    expect(await media.run('k1', { kind: 'acquireMic' })).toMatchObject({ kind: 'micFailed' });
    expect(asked).toHaveLength(1);
  });
});

describe('the synthesised ringtone', () => {
  it('rings at the chosen volume on the chosen ringer, and says whether it plays', async () => {
    vi.useFakeTimers();
    const gains: number[] = [];
    const sinks: string[] = [];
    class FakeAudioContext {
      currentTime = 0;
      sinkId = '';
      destination = {};
      async setSinkId(id: string) {
        sinks.push(id);
        this.sinkId = id;
      }
      async resume() {}
      async close() {}
      createGain() {
        const gain = { gain: { value: 0 }, connect: () => {} };
        queueMicrotask(() => gains.push(gain.gain.value));
        return gain;
      }
      createOscillator() {
        return { frequency: { value: 0 }, connect: () => {}, start: () => {}, stop: () => {} };
      }
    }
    vi.stubGlobal('AudioContext', FakeAudioContext);
    const ringtone = synthesisedRingtone();
    ringtone.configure({ volume: 0.5, device: 'desk-speaker' });
    expect(ringtone.playing()).toBe(false);
    ringtone.start();
    expect(ringtone.playing()).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(gains).toEqual([ringGain(0.5)]);
    expect(sinks).toEqual(['desk-speaker']);
    ringtone.configure({ volume: 1, device: 'desk-speaker' });
    await vi.advanceTimersByTimeAsync(6_000); // the next ring of the cadence
    expect(gains).toEqual([ringGain(0.5), ringGain(1)]);
    ringtone.stop();
    expect(ringtone.playing()).toBe(false);
  });
});
