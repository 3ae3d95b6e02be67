import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from './index';
import { MediaPeer } from './media-peer';
import { type Frame, TestMercury } from './mercury-client';
import { admin, FakeClock, mobiusHeaders, registeredLine } from './test-support';

let emu: Emulator;
let cleanup: Array<() => unknown>;
beforeEach(async () => {
  emu = await startEmulator({ clock: new FakeClock() });
  cleanup = [];
});
afterEach(async () => {
  for (const c of cleanup) await c();
  await emu.close();
});

const NUMBER = '+14085550123';
const reasons = () => emu.deviations().map((d) => d.reason);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A registered line with Mercury connected: the browser's side, played from Node. */
async function line() {
  const { token, deviceUrl, body } = await registeredLine(emu);
  const wdm = (await (
    await fetch(deviceUrl, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { webSocketUrl: string };
  const mercury = await TestMercury.connect(wdm.webSocketUrl, token);
  cleanup.push(() => mercury.close());
  const deviceUri = body.device.uri;
  const deviceId = body.device.deviceId;
  const api = deviceUri.slice(0, deviceUri.indexOf('devices/'));
  const send = (method: string, url: string, payload?: unknown) =>
    fetch(url, {
      method,
      headers: { ...mobiusHeaders(token, deviceUrl), 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
  return {
    deviceId,
    mercury,
    send,
    call: (method: string, path: string, payload?: unknown) =>
      send(method, `${deviceUri}/calls/${path}`, payload),
    service: (path: string, payload: unknown) => send('POST', `${api}services/${path}`, payload),
    setup: (payload: unknown) => send('POST', `${deviceUri}/call`, payload),
  };
}

type Line = Awaited<ReturnType<typeof line>>;

function browserPeer(options: ConstructorParameters<typeof MediaPeer>[0] = {}) {
  const peer = new MediaPeer({ toneHz: 600, amplitude: 0.3, telephoneEventPt: 126, ...options });
  cleanup.push(() => peer.close());
  return peer;
}

/** The SDK's setup POST (§5 step 2) with a real OFFER from the client's peer. */
async function dial(
  l: Line,
  number: string,
  client: MediaPeer,
  correlationId = crypto.randomUUID(),
) {
  const sdp = await client.createOffer();
  const res = await l.setup({
    device: { deviceId: l.deviceId, correlationId },
    localMedia: {
      roap: { messageType: 'OFFER', seq: 1, sdp, tieBreaker: 4294967294 },
      mediaId: crypto.randomUUID(),
    },
    callee: { type: 'uri', address: `tel:${number}` },
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { res, body, correlationId, callId: String(body.callId) };
}

type Dialled = Awaited<ReturnType<typeof dial>>;

const ofCall = (d: Dialled) => (f: Frame) => f.data?.correlationId === d.correlationId;
const roap = (f: Frame) =>
  (f.data?.message ?? {}) as { messageType: string; seq: number; sdp: string };

function mediaEvent(l: Line, d: Dialled, messageType: string, seq: number) {
  return l.mercury.event(
    'mobius.media',
    (f) => ofCall(d)(f) && roap(f).messageType === messageType && roap(f).seq === seq,
  );
}

function device(l: Line, d: Dialled) {
  return { deviceId: l.deviceId, correlationId: d.correlationId };
}

function postRoap(l: Line, d: Dialled, message: Record<string, unknown>) {
  return l.call('POST', `${d.callId}/media`, {
    device: device(l, d),
    callId: d.callId,
    localMedia: { roap: message, mediaId: crypto.randomUUID() },
  });
}

/** §5 step 4: the callee's ANSWER into the client's peer, and the client's OK. */
async function takeAnswer(l: Line, d: Dialled, client: MediaPeer) {
  const answer = roap(await mediaEvent(l, d, 'ANSWER', 1));
  await client.acceptAnswer(answer.sdp);
  expect((await postRoap(l, d, { messageType: 'OK', seq: 1 })).status).toBe(200);
  return answer;
}

function del(l: Line, d: Dialled, causecode = 0, cause = 'Normal Disconnect.') {
  return l.call('DELETE', d.callId, {
    device: device(l, d),
    callId: d.callId,
    metrics: {},
    causecode,
    cause,
  });
}

/** Dialled, answered and connected, with audio flowing both ways. */
async function connected(l: Line, number = NUMBER, client = browserPeer()) {
  emu.setCallee(number, { name: 'Dana Callee', answerAfterMs: 20 });
  const d = await dial(l, number, client);
  await takeAnswer(l, d, client);
  await emu.waitForCall(d.callId, (c) => c.state === 'connected', 'connected');
  await client.waitFor(() => client.level(1000).samples >= 1280, 'the callee’s audio');
  return { d, client };
}

function eventIndex(l: Line, d: Dialled, eventType: string) {
  return l.mercury.frames.findIndex((f) => f.data?.eventType === eventType && ofCall(d)(f));
}

describe('outgoing call (§5) to a scripted callee', () => {
  it('places a call with the SDK shapes, hears the callee both ways, and hangs up', async () => {
    const l = await line();
    emu.setCallee('+1 408-555-0123', {
      name: 'Dana Callee',
      answerAfterMs: 50,
      toneHz: 1000,
      listenHz: 600,
    });
    const client = browserPeer();
    const d = await dial(l, NUMBER, client);
    expect(d.res.status).toBe(200);
    expect(d.body).toEqual({
      device: { deviceId: l.deviceId, correlationId: d.correlationId },
      callId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      callData: { callState: 'sig_proceeding' },
    });
    const view = await emu.waitForOutgoing(NUMBER);
    expect(view).toMatchObject({
      callId: d.callId,
      direction: 'outbound',
      callee: { name: 'Dana Callee', number: NUMBER },
      caller: { name: 'Alice Example', number: '+14085550101' },
      state: 'ringing',
      held: false,
      holds: 0,
      resumes: 0,
      digits: '',
      transfers: [],
    });

    const progress = await l.mercury.event('mobius.callprogress', ofCall(d));
    expect(progress.data).toMatchObject({
      callId: d.callId,
      deviceId: l.deviceId,
      callProgressData: { alerting: true, inbandMedia: false },
      callerId: { from: expect.stringMatching(/^"Dana Callee" <sip:\+14085550123@/) },
    });
    const answer = await takeAnswer(l, d, client);
    expect(answer).toMatchObject({ messageType: 'ANSWER', seq: 1, version: '2' });
    // Chrome's canInsertDTMF needs telephone-event in the answer (§6): the offer's type.
    expect(answer.sdp).toContain('a=rtpmap:126 telephone-event/8000');
    const connect = await l.mercury.event('mobius.callconnected', ofCall(d));
    expect(connect.data).toMatchObject({ callId: d.callId, correlationId: d.correlationId });
    expect(eventIndex(l, d, 'mobius.callprogress')).toBeLessThan(eventIndex(l, d, 'mobius.media'));
    expect(eventIndex(l, d, 'mobius.media')).toBeLessThan(eventIndex(l, d, 'mobius.callconnected'));

    await client.waitFor(() => client.level(1000).samples >= 1280, 'the callee’s audio');
    expect(client.level(1000).tone).toBeGreaterThan(0.4);
    const heard = await emu.waitForCall(
      d.callId,
      (c) => c.heard.samples >= 1280,
      'the user’s audio',
    );
    expect(heard.heard.tone).toBeGreaterThan(0.2);
    expect(heard).toMatchObject({ state: 'connected', okReceived: true, connectedEvent: true });
    expect(heard.sent).toEqual({ toneHz: 1000, amplitude: 0.5, sending: true });

    await client.sendDigits('19#*');
    const keyed = await emu.waitForCall(d.callId, (c) => c.digits.length >= 4, 'the digits');
    expect(keyed.digits).toBe('19#*');

    expect((await del(l, d)).status).toBe(200);
    expect(emu.calls()[0]).toMatchObject({
      state: 'ended',
      deleted: true,
      end: { by: 'client', reason: 'deleted', causecode: 0 },
    });
    expect(reasons()).toEqual([]);
  });

  it('a busy callee: 200, then calldisconnected with no progress; the client DELETEs', async () => {
    const l = await line();
    emu.setCallee(NUMBER, { busy: true });
    const d = await dial(l, NUMBER, browserPeer());
    expect(d.res.status).toBe(200);
    const gone = await l.mercury.event('mobius.calldisconnected', ofCall(d));
    expect(gone.data).toMatchObject({ callId: d.callId, causecode: 115 });
    expect(eventIndex(l, d, 'mobius.callprogress')).toBe(-1);
    expect((await del(l, d)).status).toBe(200);
    expect((await emu.waitForOutgoing(NUMBER)).end).toMatchObject({ by: 'callee', reason: 'busy' });
    expect(reasons()).toEqual([]);
  });

  it('a DELETE to DefaultLocalId with the call’s correlationId, before the client used the callId, is the call’s DELETE', async () => {
    // The unmodified SDK does this when calldisconnected overtakes the setup's 200 (§5 step 7).
    const l = await line();
    emu.setCallee(NUMBER, { busy: true });
    emu.setCallee('5550199', { ringForever: true });
    const placeholderDelete = (d: Dialled) => {
      const placeholder = `DefaultLocalId_${crypto.randomUUID()}`;
      return l.call('DELETE', placeholder, {
        device: device(l, d),
        callId: placeholder,
        metrics: {},
        causecode: 0,
        cause: 'Normal Disconnect.',
      });
    };
    const busy = await dial(l, NUMBER, browserPeer());
    await l.mercury.event('mobius.calldisconnected', ofCall(busy));
    expect((await placeholderDelete(busy)).status).toBe(200);
    expect(await emu.waitForOutgoing(NUMBER)).toMatchObject({
      deleted: true,
      end: { by: 'callee', reason: 'busy', causecode: 0 },
    });
    // Hung up before the 200 was read: the call ends by the client.
    const early = await dial(l, '5550199', browserPeer());
    expect((await placeholderDelete(early)).status).toBe(200);
    expect(await emu.waitForOutgoing('5550199')).toMatchObject({
      deleted: true,
      state: 'ended',
      end: { by: 'client', reason: 'deleted', causecode: 0 },
    });
    expect(reasons()).toEqual([]);
    // Once the client has named the callId, the placeholder is no longer the call's.
    const client = browserPeer();
    const used = await dial(l, '5550199', client);
    await takeAnswer(l, used, client);
    expect((await placeholderDelete(used)).status).toBe(404);
    expect(reasons()).toEqual([
      expect.stringMatching(/^DELETE for an unknown call DefaultLocalId_/),
    ]);
  });

  it('a declining callee rings, then refuses', async () => {
    const l = await line();
    emu.setCallee(NUMBER, { decline: true, answerAfterMs: 30 });
    const d = await dial(l, NUMBER, browserPeer());
    await l.mercury.event('mobius.callprogress', ofCall(d));
    await l.mercury.event('mobius.calldisconnected', ofCall(d));
    expect(eventIndex(l, d, 'mobius.callconnected')).toBe(-1);
    expect((await del(l, d)).status).toBe(200);
    expect(emu.calls()[0]?.end).toMatchObject({ by: 'callee', reason: 'declined' });
    expect(reasons()).toEqual([]);
  });

  it('no answer: it rings with a silent callee until the client gives up (DELETE)', async () => {
    const l = await line();
    emu.setCallee(NUMBER, { ringForever: true });
    const client = browserPeer();
    const d = await dial(l, NUMBER, client);
    await takeAnswer(l, d, client);
    // Media is negotiated but the callee says nothing before it answers.
    await emu.waitForCall(d.callId, (c) => c.media.connectionState === 'connected', 'ICE/DTLS');
    await sleep(300);
    expect(client.counters.packetsReceived).toBe(0);
    expect(eventIndex(l, d, 'mobius.callconnected')).toBe(-1);
    const view = await emu.waitForCall(d.callId, (c) => c.okReceived, 'the OK');
    expect(view).toMatchObject({ state: 'ringing', sent: { sending: false } });
    expect((await del(l, d)).status).toBe(200);
    expect(emu.calls()[0]?.end).toMatchObject({ by: 'client', reason: 'deleted' });
    expect(reasons()).toEqual([]);
  });

  it('a failed setup answers the error table, and the DefaultLocalId DELETE is expected', async () => {
    const l = await line();
    emu.setCallee(NUMBER, { fail: { status: 503, errorCode: 115 } });
    emu.setCallee('5003', { fail: { status: 404 } });
    const d = await dial(l, NUMBER, browserPeer());
    expect(d.res.status).toBe(503);
    expect(d.body).toEqual({ errorCode: 115 });
    const placeholder = `DefaultLocalId_${crypto.randomUUID()}`;
    const res = await l.call('DELETE', placeholder, {
      device: device(l, d),
      callId: placeholder,
      metrics: {},
      causecode: 0,
      cause: 'Normal Disconnect.',
    });
    expect(res.status).toBe(200);
    const view = await emu.waitForOutgoing(NUMBER);
    expect(view).toMatchObject({
      state: 'ended',
      deleted: true,
      failedSetup: { status: 503, errorCode: 115 },
      end: { by: 'callee', reason: 'failed' },
    });
    const other = await dial(l, '5003', browserPeer());
    expect(other.res.status).toBe(404);
    expect(other.body).toMatchObject({
      errors: [{ description: 'The call could not be placed.' }],
    });
    expect(eventIndex(l, d, 'mobius.callprogress')).toBe(-1);
    expect(reasons()).toEqual([]);
  });

  it('an injected setup fault is a failed setup too: its DefaultLocalId DELETE is expected', async () => {
    const l = await line();
    emu.injectFault({
      endpoint: 'callSetup',
      status: 503,
      body: { errorCode: 120 },
      retryAfter: 2,
    });
    const d = await dial(l, NUMBER, browserPeer());
    expect(d.res.status).toBe(503);
    expect(d.res.headers.get('retry-after')).toBe('2');
    const placeholder = `DefaultLocalId_${crypto.randomUUID()}`;
    const body = {
      device: device(l, d),
      callId: placeholder,
      metrics: {},
      causecode: 0,
      cause: 'Normal Disconnect.',
    };
    expect((await l.call('DELETE', placeholder, body)).status).toBe(200);
    // Only once: a second DELETE for it is one too many.
    expect((await l.call('DELETE', placeholder, body)).status).toBe(404);
    expect(reasons()).toEqual([`DELETE for an unknown call ${placeholder}`]);
    expect(emu.calls()).toEqual([]);
  });

  it('connectThenAnswer: callconnected right after setup, then the ANSWER', async () => {
    const l = await line();
    emu.setCallee(NUMBER, { order: 'connectThenAnswer', answerAfterMs: 10 });
    const client = browserPeer();
    const d = await dial(l, NUMBER, client);
    await l.mercury.event('mobius.callconnected', ofCall(d));
    expect(await emu.waitForOutgoing(NUMBER)).toMatchObject({ state: 'connecting' });
    await takeAnswer(l, d, client);
    expect(eventIndex(l, d, 'mobius.callconnected')).toBeLessThan(eventIndex(l, d, 'mobius.media'));
    expect(eventIndex(l, d, 'mobius.callprogress')).toBe(-1);
    await emu.waitForCall(d.callId, (c) => c.state === 'connected', 'connected');
    await client.waitFor(() => client.level(1000).samples >= 1280, 'the callee’s audio');
    expect(reasons()).toEqual([]);
  });

  it('early media: inbandMedia true and the callee heard before it connects', async () => {
    const l = await line();
    emu.setCallee(NUMBER, { earlyMedia: true, answerAfterMs: 1500 });
    const client = browserPeer();
    const d = await dial(l, NUMBER, client);
    const progress = await l.mercury.event('mobius.callprogress', ofCall(d));
    expect(progress.data?.callProgressData).toEqual({ alerting: true, inbandMedia: true });
    await takeAnswer(l, d, client);
    await client.waitFor(() => client.level(1000).samples >= 1280, 'early media');
    expect(client.level(1000).tone).toBeGreaterThan(0.4);
    expect(eventIndex(l, d, 'mobius.callconnected')).toBe(-1);
    await l.mercury.event('mobius.callconnected', ofCall(d));
    await emu.waitForCall(d.callId, (c) => c.state === 'connected', 'connected');
    expect(reasons()).toEqual([]);
  });

  it('the callee hangs up: calldisconnected with the correlationId, then the client DELETEs', async () => {
    const l = await line();
    const { d } = await connected(l);
    const ended = emu.hangUp(d.callId);
    expect(ended.end).toMatchObject({ by: 'callee', reason: 'hangup' });
    const gone = await l.mercury.event('mobius.calldisconnected', ofCall(d));
    expect(gone.data).toMatchObject({ callId: d.callId, causecode: 0, cause: 'Normal disconnect' });
    expect((await del(l, d)).status).toBe(200);
    expect(emu.calls()[0]).toMatchObject({
      deleted: true,
      end: { by: 'callee', reason: 'hangup' },
    });
    expect(reasons()).toEqual([]);
  });

  it('takes every number the SDK sends: parentheses, dots, star and hash codes', async () => {
    const l = await line();
    emu.setDefaultCallee({ ringForever: true });
    for (const number of ['(408)555.0123', '*86#', '+44.20.7946.0000']) {
      const d = await dial(l, number, browserPeer());
      expect(d.res.status).toBe(200);
      expect((await emu.waitForOutgoing(number)).callee).toEqual({ name: number, number });
      expect((await del(l, d)).status).toBe(200);
    }
    expect(reasons()).toEqual([]);
  });

  it('hands each placed call out once, and unknown numbers reach the default callee', async () => {
    const l = await line();
    const first = await dial(l, '5003', browserPeer());
    const second = await dial(l, '5003', browserPeer());
    expect((await emu.waitForOutgoing('5003')).callId).toBe(first.callId);
    expect((await emu.waitForOutgoing('5003')).callId).toBe(second.callId);
    await expect(emu.waitForOutgoing('5003', 50)).rejects.toThrow(/timed out/);
    // Default: answered after about 500 ms.
    await l.mercury.event('mobius.callconnected', ofCall(first));
    expect(() => emu.setCallee('5003', { answerAfterMs: -1 })).toThrow(/answerAfterMs/);
    expect(() => emu.setCallee('5003', { busy: true, decline: true })).toThrow(/exclude/);
  });
});

describe('mid-call services (§6)', () => {
  it('hold and resume: 200, a re-offer answered and OKed in seq order, then HELD / CONNECTED; media stops and returns', async () => {
    const l = await line();
    const { d, client } = await connected(l);
    const hold = await l.service('callhold/hold', { device: device(l, d), callId: d.callId });
    expect(hold.status).toBe(200);
    const offer = roap(await mediaEvent(l, d, 'OFFER', 2));
    expect(offer).toMatchObject({ messageType: 'OFFER', seq: 2, version: '2' });
    expect(offer.sdp).toContain('a=sendonly');
    const answer = await client.answer(offer.sdp);
    expect(answer).toContain('a=recvonly');
    expect((await postRoap(l, d, { messageType: 'ANSWER', seq: 2, sdp: answer })).status).toBe(200);
    await mediaEvent(l, d, 'OK', 2);
    const held = await l.mercury.event(
      'mobius.call',
      (f) => ofCall(d)(f) && !!f.data?.midCallService,
    );
    expect(held.data).toMatchObject({
      callId: d.callId,
      midCallService: [
        {
          eventType: 'callInfo',
          eventData: { callerId: { from: expect.stringContaining('Dana Callee') } },
        },
        { eventType: 'callState', eventData: { callState: 'HELD' } },
      ],
    });
    expect(emu.calls()[0]).toMatchObject({
      held: true,
      holds: 1,
      resumes: 0,
      sent: { sending: false },
    });
    // Neither side sends while held.
    await sleep(100);
    const heardAt = client.counters.packetsReceived;
    const gotAt = emu.calls()[0]?.media.packetsReceived ?? 0;
    await sleep(250);
    expect(client.counters.packetsReceived - heardAt).toBeLessThanOrEqual(1);
    expect((emu.calls()[0]?.media.packetsReceived ?? 0) - gotAt).toBeLessThanOrEqual(1);

    const resume = await l.service('callhold/resume', { device: device(l, d), callId: d.callId });
    expect(resume.status).toBe(200);
    const again = roap(await mediaEvent(l, d, 'OFFER', 3));
    expect(again.sdp).toContain('a=sendrecv');
    await postRoap(l, d, { messageType: 'ANSWER', seq: 3, sdp: await client.answer(again.sdp) });
    await mediaEvent(l, d, 'OK', 3);
    await l.mercury.event(
      'mobius.call',
      (f) =>
        ofCall(d)(f) &&
        JSON.stringify(f.data?.midCallService ?? '').includes('"callState":"CONNECTED"'),
    );
    await client.waitFor(() => client.counters.packetsReceived > heardAt + 20, 'the callee again');
    await emu.waitForCall(d.callId, (c) => c.media.packetsReceived > gotAt + 20, 'the user again');
    expect(client.level(1000).tone).toBeGreaterThan(0.4);
    expect(emu.calls()[0]).toMatchObject({ held: false, holds: 1, resumes: 1, midCall: null });
    expect(reasons()).toEqual([]);
  });

  it('holds an incoming call the same way', async () => {
    const l = await line();
    const ring = await emu.callMe({ email: 'alice@example.com' });
    const offerFrame = await l.mercury.event('mobius.media', (f) => f.data?.callId === ring.callId);
    const d = { correlationId: crypto.randomUUID(), callId: ring.callId } as Dialled;
    const client = browserPeer();
    const patch = { device: device(l, d), callId: d.callId, inbandMedia: false };
    await l.call('PATCH', d.callId, { ...patch, callState: 'sig_alerting' });
    await l.call('PATCH', d.callId, { ...patch, callState: 'sig_connected' });
    await postRoap(l, d, {
      messageType: 'ANSWER',
      seq: 1,
      sdp: await client.answer(roap(offerFrame).sdp),
    });
    await emu.waitForCall(d.callId, (c) => c.state === 'connected', 'connected');
    expect(
      (await l.service('callhold/hold', { device: device(l, d), callId: d.callId })).status,
    ).toBe(200);
    const offer = roap(await mediaEvent(l, d, 'OFFER', 2));
    await postRoap(l, d, { messageType: 'ANSWER', seq: 2, sdp: await client.answer(offer.sdp) });
    await l.mercury.event('mobius.call', (f) => ofCall(d)(f) && !!f.data?.midCallService);
    expect(emu.calls()[0]).toMatchObject({ direction: 'inbound', held: true, holds: 1 });
    expect(reasons()).toEqual([]);
  });

  it('blind transfer: recorded, then the call ends for the transferor', async () => {
    const l = await line();
    const { d } = await connected(l);
    const res = await l.service('calltransfer/commit', {
      device: device(l, d),
      callId: d.callId,
      transferType: 'BLIND',
      blindTransferContext: { transferorCallId: d.callId, destination: '+14085550199' },
    });
    expect(res.status).toBe(200);
    await l.mercury.event('mobius.calldisconnected', ofCall(d));
    expect((await del(l, d)).status).toBe(200);
    expect(emu.calls()[0]).toMatchObject({
      transfers: [{ to: '+14085550199', at: expect.any(Number) }],
      end: { by: 'client', reason: 'transferred' },
      deleted: true,
    });
    expect(reasons()).toEqual([]);
  });
});

describe('strictness of placing calls (§2, §3, §5, §6)', () => {
  it('records a setup without callee, with a number the SDK would not send, without correlationId', async () => {
    const l = await line();
    const client = browserPeer();
    const sdp = await client.createOffer();
    const base = {
      device: { deviceId: l.deviceId, correlationId: crypto.randomUUID() },
      localMedia: { roap: { messageType: 'OFFER', seq: 1, sdp }, mediaId: 'm1' },
    };
    const noCallee = await l.setup(base);
    expect(noCallee.status).toBe(400);
    expect(await noCallee.json()).toEqual({ errorCode: 116, message: 'Parsing error.' });
    expect(
      (await l.setup({ ...base, callee: { type: 'uri', address: 'tel:555 0123' } })).status,
    ).toBe(400);
    expect(
      (await l.setup({ ...base, callee: { type: 'uri', address: 'sip:bob@example.com' } })).status,
    ).toBe(400);
    const noCorrelation = {
      ...base,
      device: { deviceId: l.deviceId },
      callee: { type: 'uri', address: 'tel:5003' },
    };
    expect((await l.setup(noCorrelation)).status).toBe(400);
    const badOffer = {
      ...base,
      localMedia: { roap: { messageType: 'OFFER', seq: 2, sdp }, mediaId: 'm' },
    };
    expect(
      (await l.setup({ ...badOffer, callee: { type: 'uri', address: 'tel:5003' } })).status,
    ).toBe(400);
    expect(reasons()).toEqual([
      'call setup without callee',
      'call setup: callee.address "tel:555 0123" is not tel:<number> as the SDK sends it (digits and ()*#+. only)',
      'call setup: callee.address "sip:bob@example.com" is not tel:<number> as the SDK sends it (digits and ()*#+. only)',
      'call setup: missing device.correlationId',
      'call setup: localMedia.roap is not an OFFER seq 1 (["OFFER",2])',
    ]);
    expect(emu.calls()).toEqual([]);
  });

  it('records hold/transfer/media for unknown calls, an OK out of order, hold twice, resume not held, PATCH and a bodiless DELETE', async () => {
    const l = await line();
    emu.setCallee(NUMBER, { answerAfterMs: 20 });
    const client = browserPeer();
    const d = await dial(l, NUMBER, client);
    const answer = roap(await mediaEvent(l, d, 'ANSWER', 1));
    await client.acceptAnswer(answer.sdp);
    await postRoap(l, d, { messageType: 'OK', seq: 2 });
    await emu.waitForCall(d.callId, (c) => c.state === 'connected', 'connected');
    const unknown = { device: device(l, d), callId: 'no-such-call' };
    expect((await l.service('callhold/hold', unknown)).status).toBe(404);
    const transfer = {
      ...unknown,
      transferType: 'BLIND',
      blindTransferContext: { transferorCallId: 'no-such-call', destination: '5003' },
    };
    expect((await l.service('calltransfer/commit', transfer)).status).toBe(404);
    expect((await l.call('POST', 'no-such-call/media', unknown)).status).toBe(404);
    const ids = { device: device(l, d), callId: d.callId };
    expect((await l.service('callhold/resume', ids)).status).toBe(503);
    expect((await l.service('callhold/hold', ids)).status).toBe(200);
    const twice = await l.service('callhold/hold', ids);
    expect(twice.status).toBe(503);
    expect(await twice.json()).toEqual({ errorCode: 118, message: 'Not acceptable.' });
    const patch = { ...ids, callState: 'sig_alerting', inbandMedia: false };
    expect((await l.call('PATCH', d.callId, patch)).status).toBe(400);
    expect((await l.call('DELETE', d.callId)).status).toBe(200);
    expect(reasons()).toEqual([
      'ROAP OK seq 2 out of order (answer seq 1)',
      'hold for an unknown call no-such-call',
      'transfer for an unknown call no-such-call',
      'media for an unknown call no-such-call',
      'resume of a call that is not held',
      'hold while a hold is under way',
      'PATCH on an outgoing call',
      'DELETE without a body',
    ]);
  });

  it('records a ROAP ANSWER with no OFFER to answer, a re-offer ANSWER out of order, and an unknown DefaultLocalId DELETE', async () => {
    const l = await line();
    const { d, client } = await connected(l);
    await postRoap(l, d, { messageType: 'ANSWER', seq: 1, sdp: 'v=0' });
    await l.service('callhold/hold', { device: device(l, d), callId: d.callId });
    const offer = roap(await mediaEvent(l, d, 'OFFER', 2));
    await postRoap(l, d, { messageType: 'ANSWER', seq: 1, sdp: await client.answer(offer.sdp) });
    await mediaEvent(l, d, 'OK', 2);
    const placeholder = 'DefaultLocalId_00000000-0000-4000-8000-000000000000';
    const res = await l.call('DELETE', placeholder, {
      device: { deviceId: l.deviceId, correlationId: 'never-seen' },
      callId: placeholder,
      metrics: {},
      causecode: 0,
      cause: 'Normal Disconnect.',
    });
    expect(res.status).toBe(404);
    expect(reasons()).toEqual([
      'ROAP ANSWER with no OFFER from the emulator to answer',
      'ROAP ANSWER seq 1 out of order (offer seq 2)',
      `DELETE for an unknown call ${placeholder}`,
    ]);
  });
});

describe('callees through the admin API', () => {
  it('sets, lists and clears callees and the default, and hangs up an outgoing call', async () => {
    const l = await line();
    const set = await admin(emu, 'POST', '/callees', {
      number: '+1 408-555-0123',
      name: 'Dana',
      busy: true,
    });
    expect(set).toEqual({ status: 201, body: { number: NUMBER, name: 'Dana', busy: true } });
    expect(
      (await admin(emu, 'POST', '/callees', { number: '5003', order: 'sideways' })).status,
    ).toBe(400);
    expect((await admin(emu, 'POST', '/callees', { busy: true })).status).toBe(400);
    const dflt = await admin(emu, 'POST', '/callees/default', {
      answerAfterMs: 10,
      name: 'Anyone',
    });
    expect(dflt.body).toEqual({
      default: { answerAfterMs: 10, name: 'Anyone' },
      callees: [{ number: NUMBER, name: 'Dana', busy: true }],
    });
    const d = await dial(l, '5003', browserPeer());
    await l.mercury.event('mobius.callconnected', ofCall(d));
    const hung = await admin(emu, 'POST', `/calls/${d.callId}/hangup`);
    expect(hung.body).toMatchObject({
      direction: 'outbound',
      end: { by: 'callee', reason: 'hangup' },
    });
    const listed = await admin(emu, 'GET', '/calls?email=alice@example.com');
    expect((listed.body.calls as Array<{ callee: unknown }>)[0]?.callee).toEqual({
      name: 'Anyone',
      number: '5003',
    });
    const cleared = await admin(emu, 'DELETE', '/callees');
    expect(cleared.body).toEqual({ default: { answerAfterMs: 500 }, callees: [] });
  });
});
