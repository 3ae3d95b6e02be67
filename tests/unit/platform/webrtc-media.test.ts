import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { webrtcMedia } from '../../../lib/platform/webrtc-media';

/** Just enough of RTCPeerConnection to see what the adapter asks of it. */
class FakePeer {
  static made: FakePeer[] = [];
  readonly calls: string[] = [];
  iceGatheringState = 'complete';
  localDescription: { type: string; sdp: string } | null = null;
  ontrack: unknown = null;
  readonly senders: {
    track: { kind: string };
    dtmf: {
      canInsertDTMF: boolean;
      toneBuffer: string;
      tones: string[];
      insertDTMF(t: string): void;
    };
  }[] = [];
  private readonly transceivers: unknown[] = [];
  dtmfWorks = true;
  constructor() {
    FakePeer.made.push(this);
  }
  addTrack(track: { kind: string }) {
    // As RTCDTMFSender: insertDTMF replaces what is still queued (the tone buffer).
    const dtmf = {
      canInsertDTMF: this.dtmfWorks,
      toneBuffer: '',
      tones: [] as string[],
      insertDTMF(t: string) {
        dtmf.tones.push(t);
        dtmf.toneBuffer = t;
      },
    };
    this.senders.push({ track, dtmf });
    this.transceivers.push({});
    this.calls.push('addTrack');
  }
  getSenders() {
    return this.senders;
  }
  getTransceivers() {
    return this.transceivers;
  }
  addTransceiver(kind: string) {
    this.calls.push(`addTransceiver ${kind}`);
  }
  async createOffer() {
    this.calls.push('createOffer');
    return { type: 'offer', sdp: 'local-offer' };
  }
  async createAnswer() {
    this.calls.push('createAnswer');
    return { type: 'answer', sdp: `local-answer-${this.calls.length}` };
  }
  async setLocalDescription(description: { type: string; sdp: string }) {
    this.calls.push(`setLocal ${description.type}`);
    this.localDescription = description;
  }
  async setRemoteDescription(description: { type: string; sdp: string }) {
    this.calls.push(`setRemote ${description.type} ${description.sdp}`);
  }
  addEventListener() {}
  close() {
    this.calls.push('close');
  }
}

beforeEach(() => {
  FakePeer.made = [];
  const track = { kind: 'audio', enabled: true, readyState: 'live', stop() {} };
  vi.stubGlobal('RTCPeerConnection', FakePeer);
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: async () => ({ getAudioTracks: () => [track], getTracks: () => [track] }),
    },
  });
});
afterEach(() => vi.unstubAllGlobals());

describe('webrtc media: placing calls and mid-call media', () => {
  it('outgoing: microphone, our OFFER, then the remote ANSWER applied to the same peer', async () => {
    const media = webrtcMedia();
    await media.run('k1', { kind: 'acquireMic' });
    expect(await media.run('k1', { kind: 'createOffer' })).toEqual({
      kind: 'localOffer',
      key: 'k1',
      sdp: 'local-offer',
    });
    expect(await media.run('k1', { kind: 'applyAnswer', sdp: 'remote' })).toEqual({
      kind: 'answerApplied',
      key: 'k1',
    });
    const [pc] = FakePeer.made;
    expect(FakePeer.made).toHaveLength(1);
    expect(pc?.calls).toEqual([
      'addTrack',
      'createOffer',
      'setLocal offer',
      'setRemote answer remote',
    ]);
  });

  it('an ANSWER without a peer is a media failure, not a crash', async () => {
    const media = webrtcMedia();
    expect(await media.run('k9', { kind: 'applyAnswer', sdp: 'x' })).toMatchObject({
      kind: 'mediaFailed',
    });
  });

  it('a mid-call re-offer renegotiates the existing peer (no second connection)', async () => {
    const media = webrtcMedia();
    await media.run('k1', { kind: 'acquireMic' });
    await media.run('k1', { kind: 'answerOffer', sdp: 'offer-1' });
    const again = await media.run('k1', { kind: 'answerOffer', sdp: 'offer-2' });
    expect(again).toMatchObject({ kind: 'localAnswer', key: 'k1' });
    expect(FakePeer.made).toHaveLength(1);
    expect(FakePeer.made[0]?.calls.filter((c) => c.startsWith('setRemote'))).toEqual([
      'setRemote offer offer-1',
      'setRemote offer offer-2',
    ]);
  });

  it('keypad tones go to the audio sender; a sender that cannot send them is reported', async () => {
    const media = webrtcMedia();
    await media.run('k1', { kind: 'acquireMic' });
    await media.run('k1', { kind: 'createOffer' });
    expect(await media.run('k1', { kind: 'insertDTMF', tones: '12#' })).toBeNull();
    expect(FakePeer.made[0]?.senders[0]?.dtmf.tones).toEqual(['12#']);
    // Pressed again before those played: queued after them, not in their place.
    await media.run('k1', { kind: 'insertDTMF', tones: '9' });
    expect(FakePeer.made[0]?.senders[0]?.dtmf.toneBuffer).toBe('12#9');
    const none = await media.run('k2', { kind: 'insertDTMF', tones: '1' });
    expect(none).toMatchObject({ kind: 'digitsFailed', key: 'k2' });
  });
});
