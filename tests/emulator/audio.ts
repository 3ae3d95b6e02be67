/**
 * G.711 μ-law and the two level measures the media peer uses: RMS (is anything there) and
 * Goertzel (is the known tone there). PCMU is negotiated so the peer needs no codec library.
 */

export const SAMPLE_RATE = 8000;
/** 20 ms of PCMU at 8 kHz: one RTP packet. */
export const FRAME_SAMPLES = 160;

const BIAS = 0x84;
const CLIP = 32635;

/** Linear 16-bit sample to a μ-law byte (ITU-T G.711). */
export function linearToUlaw(sample: number): number {
  let s = Math.max(-32768, Math.min(32767, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** μ-law byte to a linear 16-bit sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
  return sign ? -magnitude : magnitude;
}

/** A sine tone as consecutive PCMU frames; `amplitude` 0..1 of full scale (0 = digital silence). */
export class ToneSource {
  private phase = 0;
  constructor(
    public frequencyHz: number,
    public amplitude: number,
  ) {}

  nextFrame(): Buffer {
    const frame = Buffer.alloc(FRAME_SAMPLES);
    const step = (2 * Math.PI * this.frequencyHz) / SAMPLE_RATE;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      frame[i] = linearToUlaw(Math.sin(this.phase) * this.amplitude * 32767);
      this.phase = (this.phase + step) % (2 * Math.PI);
    }
    return frame;
  }
}

/** Root mean square of linear samples, as a fraction of full scale (0..1). */
export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / samples.length) / 32768;
}

/**
 * Amplitude of one frequency in the samples (Goertzel), as a fraction of full scale: a pure
 * tone of amplitude A at that frequency reads about A, other frequencies and noise read near 0.
 */
export function toneLevel(samples: ArrayLike<number>, frequencyHz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * frequencyHz) / SAMPLE_RATE);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[i] ?? 0) / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / n;
}

/** RFC 4733 event codes 0-15 as DTMF characters. */
export const DTMF_EVENTS = '0123456789*#ABCD';

/**
 * RFC 4733 digits from telephone-event payloads: a digit counts on its end packet (E bit), which
 * senders repeat three times with the same RTP timestamp, so a timestamp counts once.
 */
export class DigitCollector {
  digits = '';
  private lastTimestamp: number | undefined;

  push(payload: Uint8Array, timestamp: number): void {
    if (payload.length < 4) return;
    const event = payload[0] ?? 255;
    const end = ((payload[1] ?? 0) & 0x80) !== 0;
    if (!end || event >= DTMF_EVENTS.length || this.lastTimestamp === timestamp) return;
    this.lastTimestamp = timestamp;
    this.digits += DTMF_EVENTS[event];
  }
}
