import { afterEach, describe, expect, it } from 'vitest';
import { DigitCollector, linearToUlaw, rms, ToneSource, toneLevel, ulawToLinear } from './audio';
import { MediaPeer } from './media-peer';

const peers: MediaPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

function decode(frame: Buffer): number[] {
  return [...frame].map(ulawToLinear);
}

describe('audio measures', () => {
  it('round-trips μ-law within its quantisation step', () => {
    for (const s of [0, 100, -100, 1000, -5000, 20000, -32000]) {
      const back = ulawToLinear(linearToUlaw(s));
      expect(Math.abs(back - s)).toBeLessThanOrEqual(Math.max(8, Math.abs(s) * 0.07));
    }
  });

  it('reads a tone at its frequency and not at another, and silence as zero', () => {
    const tone = new ToneSource(1000, 0.5);
    const samples = [...decode(tone.nextFrame()), ...decode(tone.nextFrame())];
    expect(toneLevel(samples, 1000)).toBeGreaterThan(0.4);
    expect(toneLevel(samples, 1000)).toBeLessThan(0.6);
    expect(toneLevel(samples, 1700)).toBeLessThan(0.05);
    expect(rms(samples)).toBeGreaterThan(0.3);
    const silent = decode(new ToneSource(1000, 0).nextFrame());
    expect(rms(silent)).toBeLessThan(0.001);
  });
});

describe('RFC 4733 digits', () => {
  it('counts each digit once on its end packet, whatever the repeats', () => {
    const dtmf = new DigitCollector();
    const packet = (event: number, end: boolean) => Uint8Array.of(event, end ? 0x8a : 0x0a, 0, 160);
    dtmf.push(packet(1, false), 100);
    dtmf.push(packet(1, true), 100);
    dtmf.push(packet(1, true), 100);
    dtmf.push(packet(1, true), 100);
    dtmf.push(packet(11, false), 900);
    dtmf.push(packet(11, true), 900);
    dtmf.push(packet(1, true), 1700);
    dtmf.push(Uint8Array.of(1, 0x80), 2500);
    expect(dtmf.digits).toBe('1#1');
  });
});

describe('media peer', () => {
  it('carries each side’s tone to the other, measured by content, and silence as silence', async () => {
    const caller = new MediaPeer({ toneHz: 1000, amplitude: 0.5 });
    const client = new MediaPeer({ toneHz: 600, amplitude: 0.3 });
    peers.push(caller, client);
    const offer = await caller.createOffer();
    expect(offer).toMatch(/m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 101/);
    expect(offer).toContain('a=rtpmap:101 telephone-event/8000');
    const answer = await client.answer(offer);
    await caller.acceptAnswer(answer);

    await client.waitFor(() => client.level(1000).samples >= 1280, 'the caller’s audio');
    await caller.waitFor(() => caller.level(600).samples >= 1280, 'the client’s audio');
    expect(client.level(1000).tone).toBeGreaterThan(0.4);
    expect(client.level(600).tone).toBeLessThan(0.05);
    expect(caller.level(600).tone).toBeGreaterThan(0.2);
    expect(caller.level(1000).tone).toBeLessThan(0.05);

    client.tone.amplitude = 0;
    await caller.waitFor(() => caller.level().rms < 0.001, 'silence from the client');
    expect(caller.counters.packetsReceived).toBeGreaterThan(10);
    expect(caller.counters.bytesSent).toBe(caller.counters.packetsSent * 160);
  });
});

describe('media peer as the answerer (outgoing calls)', () => {
  it('answers a browser-like offer with its telephone-event payload type and decodes its digits in order', async () => {
    // The client offers like Chrome: telephone-event/8000 on a dynamic type other than 101.
    const client = new MediaPeer({ toneHz: 600, amplitude: 0.3, telephoneEventPt: 126 });
    const callee = new MediaPeer({ toneHz: 1000, amplitude: 0.5 });
    peers.push(client, callee);
    const offer = await client.createOffer();
    expect(offer).toContain('a=rtpmap:126 telephone-event/8000');
    const answer = await callee.answer(offer);
    // Chrome's canInsertDTMF needs telephone-event in the answer (§6).
    expect(answer).toContain('a=rtpmap:126 telephone-event/8000');
    await client.acceptAnswer(answer);
    await callee.waitFor(() => callee.level(600).samples >= 1280, 'the client’s audio');

    await client.sendDigits('12#*9D');
    await callee.waitFor(() => callee.digits.length >= 6, 'six digits');
    expect(callee.digits).toBe('12#*9D');
    // Audio goes on around the events.
    expect(callee.level(600).tone).toBeGreaterThan(0.2);
  });

  it('re-offers sendonly (held: the other side stops sending) and sendrecv again', async () => {
    const client = new MediaPeer({ toneHz: 600, amplitude: 0.3 });
    const callee = new MediaPeer({ toneHz: 1000, amplitude: 0.5 });
    peers.push(client, callee);
    await client.acceptAnswer(await callee.answer(await client.createOffer()));
    await callee.waitFor(() => callee.counters.packetsReceived > 5, 'the client’s audio');

    const hold = await callee.reoffer('sendonly');
    expect(hold).toContain('a=sendonly');
    const held = await client.answer(hold);
    expect(held).toContain('a=recvonly');
    await callee.acceptAnswer(held);
    expect(client.direction).toBe('recvonly');
    callee.sending = false;
    await sleep(100);
    const before = callee.counters.packetsReceived;
    const heardBefore = client.counters.packetsReceived;
    await sleep(200);
    expect(callee.counters.packetsReceived - before).toBeLessThanOrEqual(1);
    expect(client.counters.packetsReceived - heardBefore).toBeLessThanOrEqual(1);

    const resume = await callee.reoffer('sendrecv');
    expect(resume).toContain('a=sendrecv');
    await callee.acceptAnswer(await client.answer(resume));
    callee.sending = true;
    const again = callee.counters.packetsReceived;
    await callee.waitFor(() => callee.counters.packetsReceived > again + 5, 'audio after resume');
    await client.waitFor(() => client.counters.packetsReceived > heardBefore + 5, 'audio back');
  });
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('rejected m-sections in an offer', () => {
  it('answers the audio and rejects a port-0 video section back in place (the SDK forces it, §5)', async () => {
    const client = new MediaPeer({ toneHz: 600, amplitude: 0.3 });
    const callee = new MediaPeer({ toneHz: 1000, amplitude: 0.5 });
    peers.push(client, callee);
    const offer = await client.createOffer();
    const video =
      'm=video 0 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=inactive\r\na=rtpmap:96 VP8/90000\r\n';
    const munged = `${offer.replace(/^a=group:BUNDLE (.*)$/m, 'a=group:BUNDLE $1 1')}${video}`;
    const answer = await callee.answer(munged);
    const mLines = answer.split('\r\n').filter((l) => l.startsWith('m='));
    expect(mLines).toEqual([
      expect.stringMatching(/^m=audio [1-9]/),
      'm=video 0 UDP/TLS/RTP/SAVPF 96',
    ]);
    expect(answer).toMatch(/a=mid:1\r\na=inactive\r\n$/);
    expect(answer).not.toMatch(/a=group:BUNDLE.* 1\b/);
    await client.acceptAnswer(answer.slice(0, answer.indexOf('m=video')));
    await client.waitFor(() => client.level(1000).samples >= 1280, 'the callee’s audio');

    // A re-offer keeps the rejected section; an answer carrying it back is accepted.
    const hold = await callee.reoffer('sendonly');
    expect(hold.split('\r\n').filter((l) => l.startsWith('m='))).toEqual([
      expect.stringMatching(/^m=audio /),
      'm=video 0 UDP/TLS/RTP/SAVPF 96',
    ]);
    const held = await client.answer(hold.slice(0, hold.indexOf('m=video')));
    await callee.acceptAnswer(`${held}${video}`);
    expect(client.direction).toBe('recvonly');
  });
});
