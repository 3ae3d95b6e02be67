/**
 * The remote party's media: a real WebRTC peer in Node (werift) that sends a known tone as
 * PCMU, decodes what it receives to measure its level, and counts RTP and RFC 4733 digits.
 * PCMU and telephone-event are the only codecs it offers, so any browser answer uses PCMU.
 * It also answers offers (outgoing calls, and tests standing in for the browser), re-offers
 * with another direction (hold/resume) and sends RFC 4733 digits (tests' browser side).
 */
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
} from 'werift';
import {
  DigitCollector,
  DTMF_EVENTS,
  FRAME_SAMPLES,
  rms,
  ToneSource,
  toneLevel,
  ulawToLinear,
} from './audio';

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
  /**
   * The telephone-event payload type this peer offers (default 101, as Mobius's SDP). As the
   * answerer it takes the offer's (Chrome offers 126 for telephone-event/8000).
   */
  telephoneEventPt?: number;
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

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
  /**
   * False: the peer sends no RTP at all (a callee not yet connected without early media, a
   * held call). Independent of the negotiated direction, which is obeyed as well.
   */
  sending = true;
  private readonly pc: RTCPeerConnection;
  private transceiver: RTCRtpTransceiver | undefined;
  /** Puts the remote offer's rejected m-sections back into what this peer sends (splitRejected). */
  private restoreRejected = (sdp: string) => sdp;
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
            payloadType: options.telephoneEventPt ?? TELEPHONE_EVENT_PT,
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
    this.transceiver = this.pc.addTransceiver(this.track, { direction: 'sendrecv' });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return this.localSdp();
  }

  /** A new offer on the live connection (a ROAP re-offer for hold or resume). */
  async reoffer(direction: Direction): Promise<string> {
    const transceiver = this.transceiver;
    if (!transceiver) throw new Error('media peer: nothing negotiated to re-offer');
    transceiver.setDirection(direction);
    await this.pc.setLocalDescription(await this.pc.createOffer());
    // A later offer keeps every m-section of the first negotiation, rejected ones too (Chrome
    // refuses an offer that drops one).
    return this.restoreRejected(this.localSdp());
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: splitRejected(sdp).kept });
    this.startSending();
  }

  /**
   * Answers a remote offer (the outgoing-call model, re-offers, and tests standing in for a
   * browser). The direction is the transceiver's (sendrecv) and the offer's, intersected, as a
   * browser does: a `sendonly` offer is answered `recvonly`.
   */
  async answer(offerSdp: string): Promise<string> {
    // werift cannot negotiate a rejected m-section (the SDK's offer forces m=video to port 0,
    // §5 step 2): it answers the rest and the rejected ones are rejected back in place.
    const offer = splitRejected(offerSdp);
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.kept });
    const transceiver = this.pc.getTransceivers()[0];
    if (transceiver && transceiver !== this.transceiver) {
      this.transceiver = transceiver;
      transceiver.setDirection('sendrecv');
      await transceiver.sender.replaceTrack(this.track);
    }
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    this.startSending();
    this.restoreRejected = offer.restore;
    return offer.restore(this.localSdp());
  }

  /** RFC 4733 digits received, in order, each once. */
  get digits(): string {
    return this.counters.digits;
  }

  /** The negotiated direction (null before any answer). */
  get direction(): string | null {
    return this.transceiver?.currentDirection ?? null;
  }

  /**
   * Sends RFC 4733 telephone-events with the negotiated payload type as a browser's
   * RTCDTMFSender does: per tone, packets every 20 ms with one timestamp and a growing
   * duration, the last three with the end bit (100 ms tones, 70 ms gaps).
   */
  async sendDigits(tones: string): Promise<void> {
    const pt = [...this.telephoneEventPts()][0];
    const sender = this.transceiver?.sender;
    if (pt === undefined || !sender) throw new Error('media peer: no telephone-event negotiated');
    for (const tone of tones.toUpperCase()) {
      const event = DTMF_EVENTS.indexOf(tone);
      if (event < 0) throw new Error(`media peer: ${tone} is not a DTMF tone`);
      const timestamp = this.timestamp;
      const steps = [160, 320, 480, 800, 800, 800];
      for (const [i, duration] of steps.entries()) {
        const end = i >= 3;
        const payload = Buffer.from([event, (end ? 0x80 : 0) | 10, duration >> 8, duration & 0xff]);
        this.writePacket(payload, timestamp, i === 0, pt);
        await sleep(20);
      }
      this.timestamp = (this.timestamp + 800) >>> 0;
      await sleep(70);
    }
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
    if (!this.sending || this.counters.connectionState !== 'connected') return;
    const direction = this.transceiver?.currentDirection;
    if (direction && direction !== 'sendrecv' && direction !== 'sendonly') return;
    const payload = this.tone.nextFrame();
    this.writePacket(payload, this.timestamp, this.seq === 0, PCMU_PT);
    this.timestamp = (this.timestamp + FRAME_SAMPLES) >>> 0;
  }

  /**
   * One RTP packet. werift's sender stamps its first negotiated codec's payload type on what it
   * sends; a telephone-event packet gets its own by swapping the sender's codec around the
   * (synchronous) stamping.
   */
  private writePacket(payload: Buffer, timestamp: number, marker: boolean, pt: number): void {
    const header = new RtpHeader({ payloadType: pt, sequenceNumber: this.seq, timestamp, marker });
    this.seq = (this.seq + 1) & 0xffff;
    const sender = this.transceiver?.sender;
    const packet = new RtpPacket(header, payload);
    if (sender && pt !== PCMU_PT) {
      const codec = sender.codec;
      const te = this.transceiver?.codecs.find((c) => c.payloadType === pt);
      if (te) sender.codec = te;
      sender.sendRtp(packet).catch(() => {});
      sender.codec = codec;
    } else {
      this.track.writeRtp(packet);
    }
    this.counters.packetsSent++;
    this.counters.bytesSent += payload.length;
  }

  /** Payload types negotiated for telephone-event (the offer's, when this peer answered). */
  private telephoneEventPts(): Set<number> {
    const codecs = this.transceiver?.codecs ?? [];
    return new Set(
      codecs
        .filter((c) => c.mimeType.toLowerCase() === 'audio/telephone-event')
        .map((c) => c.payloadType),
    );
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
    } else if (this.telephoneEventPts().has(pt)) {
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

/**
 * An offer without its rejected (port 0) m-sections, and a function that puts RFC 3264
 * rejections of them back into an answer of the rest, in the offer's order.
 */
export function splitRejected(sdp: string): { kept: string; restore: (answer: string) => string } {
  const [head = '', ...sections] = sdp.split(/\r\n(?=m=)/);
  const rejected = sections.map((s) => /^m=\S+ 0 /.test(s));
  if (!rejected.includes(true)) return { kept: sdp, restore: (answer) => answer };
  const mid = (s: string) => /\r\na=mid:(\S+)/.exec(s)?.[1];
  const gone = new Set(sections.filter((_, i) => rejected[i]).map(mid));
  const unbundle = (h: string) =>
    h.replace(/^a=group:BUNDLE(.*)$/m, (_, mids: string) =>
      [
        'a=group:BUNDLE',
        ...mids
          .trim()
          .split(/\s+/)
          .filter((m) => !gone.has(m)),
      ].join(' '),
    );
  const kept = [unbundle(head), ...sections.filter((_, i) => !rejected[i])].join('\r\n');
  const restore = (answer: string) => {
    const [answerHead = '', ...answered] = answer.replace(/\r\n$/, '').split(/\r\n(?=m=)/);
    const out = [answerHead];
    for (const [i, section] of sections.entries()) {
      if (!rejected[i]) {
        out.push(answered.shift() ?? '');
        continue;
      }
      const m = mid(section);
      const mLine = section.split('\r\n')[0] ?? '';
      out.push(
        [mLine, 'c=IN IP4 0.0.0.0', ...(m ? [`a=mid:${m}`] : []), 'a=inactive'].join('\r\n'),
      );
    }
    return `${out.join('\r\n')}\r\n`;
  };
  return { kept, restore };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { GATHER_DEADLINE_MS };
