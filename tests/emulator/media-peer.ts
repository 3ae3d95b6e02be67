/**
 * The remote party's media: a real WebRTC peer in Node (werift) that sends a known tone as
 * PCMU, decodes what it receives to measure its level, and counts RTP and RFC 4733 digits.
 * PCMU and telephone-event are the only codecs it offers, so any browser answer uses PCMU.
 */
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RtpHeader,
  RtpPacket,
} from 'werift';
import { DigitCollector, FRAME_SAMPLES, rms, ToneSource, toneLevel, ulawToLinear } from './audio';

export const PCMU_PT = 0;
export const TELEPHONE_EVENT_PT = 101;
/** How much received audio the level measures look at. */
const WINDOW_SAMPLES = 8 * FRAME_SAMPLES;
/** Non-trickle: the SDP goes out once gathering is done, or after this (host candidates only). */
const GATHER_DEADLINE_MS = 3000;

export interface MediaCounters {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** RFC 4733 digits received, each once (on its end packet). */
  digits: string;
  connectionState: string;
}

export interface ReceivedLevel {
  /** RMS of the last 160 ms received, 0..1 of full scale. */
  rms: number;
  /** Level of `frequencyHz` in the same window (Goertzel), 0..1 of full scale. */
  tone: number;
  /** Samples in the window (0 until audio arrives). */
  samples: number;
}

export interface MediaPeerOptions {
  toneHz?: number;
  /** 0..1 of full scale; 0 sends digital silence. */
  amplitude?: number;
}

export class MediaPeer {
  readonly counters: MediaCounters = {
    packetsSent: 0,
    bytesSent: 0,
    packetsReceived: 0,
    bytesReceived: 0,
    digits: '',
    connectionState: 'new',
  };
  readonly tone: ToneSource;
  private readonly pc: RTCPeerConnection;
  private readonly track = new MediaStreamTrack({ kind: 'audio' });
  private readonly window: number[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private seq = 0;
  private timestamp = 0;
  private readonly dtmf = new DigitCollector();
  private readonly listeners = new Set<() => void>();

  constructor(options: MediaPeerOptions = {}) {
    this.tone = new ToneSource(options.toneHz ?? 1000, options.amplitude ?? 0.5);
    this.pc = new RTCPeerConnection({
      iceServers: [],
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/PCMU',
            clockRate: 8000,
            channels: 1,
            payloadType: PCMU_PT,
          }),
          new RTCRtpCodecParameters({
            mimeType: 'audio/telephone-event',
            clockRate: 8000,
            channels: 1,
            payloadType: TELEPHONE_EVENT_PT,
            parameters: '0-16',
          }),
        ],
      },
    });
    // werift fires onTrack inside setRemoteDescription: subscribe before any description.
    this.pc.onTransceiverAdded.subscribe((transceiver) => {
      transceiver.onTrack.subscribe((remote) => {
        remote.onReceiveRtp.subscribe((rtp) => this.receive(rtp));
      });
    });
    this.pc.connectionStateChange.subscribe((s) => {
      this.counters.connectionState = s;
      this.changed();
    });
  }

  /** Full SDP offer (after gathering), sendrecv audio. */
  async createOffer(): Promise<string> {
    this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.localSdp();
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    this.startSending();
  }

  /** Answers a remote offer (the outgoing-call model, and tests standing in for a browser). */
  async answer(offerSdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    const transceiver = this.pc.getTransceivers()[0];
    if (transceiver) {
      transceiver.setDirection('sendrecv');
      await transceiver.sender.replaceTrack(this.track);
    }
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.startSending();
    return this.localSdp();
  }

  /** Level of the last received audio against this peer's own tone frequency (or another). */
  level(frequencyHz = this.tone.frequencyHz): ReceivedLevel {
    return {
      rms: rms(this.window),
      tone: toneLevel(this.window, frequencyHz),
      samples: this.window.length,
    };
  }

  /** Resolves once `test` holds (checked on every packet and state change), or rejects. */
  waitFor(test: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!test()) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`media peer: timed out waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.track.stop();
    await this.pc.close();
  }

  private startSending(): void {
    if (this.timer) return;
    // A 20 ms packet clock; before DTLS connects werift drops what is written.
    this.timer = setInterval(() => this.sendFrame(), 20);
    this.timer.unref?.();
  }

  private sendFrame(): void {
    if (this.counters.connectionState !== 'connected') return;
    const payload = this.tone.nextFrame();
    const header = new RtpHeader({
      payloadType: PCMU_PT,
      sequenceNumber: this.seq,
      timestamp: this.timestamp,
      marker: this.seq === 0,
    });
    this.seq = (this.seq + 1) & 0xffff;
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
    this.track.writeRtp(new RtpPacket(header, payload));
    this.counters.packetsSent++;
    this.counters.bytesSent += payload.length;
  }

  private receive(rtp: RtpPacket): void {
    this.counters.packetsReceived++;
    this.counters.bytesReceived += rtp.payload.length;
    const pt = rtp.header.payloadType;
    if (pt === PCMU_PT) {
      for (const byte of rtp.payload) this.window.push(ulawToLinear(byte));
      if (this.window.length > WINDOW_SAMPLES) {
        this.window.splice(0, this.window.length - WINDOW_SAMPLES);
      }
    } else if (pt === TELEPHONE_EVENT_PT) {
      this.dtmf.push(rtp.payload, rtp.header.timestamp);
      this.counters.digits = this.dtmf.digits;
    }
    this.changed();
  }

  /** Re-runs pending waits: the call's signalling changed (a PATCH, the DELETE, a hang-up). */
  recheck(): void {
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private localSdp(): string {
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new Error('media peer: no local description');
    return sdp;
  }
}

export { GATHER_DEADLINE_MS };
