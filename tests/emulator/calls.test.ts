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

const CORRELATION = '7f3c2a10-0000-4000-8000-00000000c0de';
const reasons = () => emu.deviations().map((d) => d.reason);

/** A registered line with Mercury connected: the browser's side, played from Node. */
async function line() {
  const { token, deviceUrl, body } = await registeredLine(emu);
  const wdm = (await (
    await fetch(deviceUrl, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as {
    webSocketUrl: string;
  };
  const mercury = await TestMercury.connect(wdm.webSocketUrl, token);
  cleanup.push(() => mercury.close());
  const deviceUri = body.device.uri;
  const request = (method: string, path: string, payload?: unknown) =>
    fetch(`${deviceUri}/calls/${path}`, {
      method,
      headers: { ...mobiusHeaders(token, deviceUrl), 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
    });
  return { token, deviceUrl, deviceId: body.device.deviceId, mercury, request };
}

type Line = Awaited<ReturnType<typeof line>>;

function device(l: Line, correlationId = CORRELATION) {
  return { deviceId: l.deviceId, correlationId };
}

/** The incoming call as the client sees it: setup event, then the OFFER. */
async function ringing(
  l: Line,
  options: Parameters<Emulator['callMe']>[0] = { email: 'alice@example.com' },
) {
  const call = await emu.callMe(options);
  const setup = await l.mercury.event('mobius.call', (f) => f.data?.callId === call.callId);
  const offer = await l.mercury.event('mobius.media', (f) => f.data?.callId === call.callId);
  return { call, setup, offer: (offer.data?.message ?? {}) as { sdp: string; seq: number } };
}

async function answer(l: Line, callId: string, offerSdp: string, browser: MediaPeer) {
  const alerting = { device: device(l), callId, callState: 'sig_alerting', inbandMedia: false };
  expect((await l.request('PATCH', callId, alerting)).status).toBe(200);
  const sdp = await browser.answer(offerSdp);
  const connected = { ...alerting, callState: 'sig_connected' };
  expect((await l.request('PATCH', callId, connected)).status).toBe(200);
  const roap = { messageType: 'ANSWER', seq: 1, sdp };
  const media = { device: device(l), callId, localMedia: { roap, mediaId: crypto.randomUUID() } };
  expect((await l.request('POST', `${callId}/media`, media)).status).toBe(200);
  return l.mercury.event('mobius.media', (f) => (f.data?.message as Frame)?.messageType === 'OK');
}

function del(l: Line, callId: string, causecode: number, cause: string) {
  return l.request('DELETE', callId, { device: device(l), callId, metrics: {}, causecode, cause });
}

function browserPeer(options: ConstructorParameters<typeof MediaPeer>[0]) {
  const peer = new MediaPeer(options);
  cleanup.push(() => peer.close());
  return peer;
}

describe('incoming call (§4) with a real remote party', () => {
  it('rings with the SDK shapes, answers with audio proven by content both ways, and hangs up', async () => {
    const l = await line();
    const { call, setup, offer } = await ringing(l, {
      email: 'alice@example.com',
      callerName: 'Carol Caller',
      callerNumber: '+1 (408) 555-0199',
      toneHz: 1000,
      listenHz: 600,
    });
    expect(setup.data).toMatchObject({
      eventType: 'mobius.call',
      callId: call.callId,
      deviceId: l.deviceId,
      correlationId: '',
      callerId: { from: expect.stringMatching(/^"Carol Caller" <sip:\+14085550199@/) },
    });
    expect(offer).toMatchObject({ messageType: 'OFFER', seq: 1, version: '2' });
    expect(offer.sdp).toContain('a=rtpmap:101 telephone-event/8000');

    const browser = browserPeer({ toneHz: 600, amplitude: 0.3 });
    const ok = await answer(l, call.callId, offer.sdp, browser);
    expect(ok.data).toMatchObject({
      correlationId: CORRELATION,
      message: { messageType: 'OK', seq: 1 },
    });

    // The caller's tone where the user would hear it, and the user's tone at the caller.
    await browser.waitFor(() => browser.level(1000).samples >= 1280, 'the caller’s audio');
    expect(browser.level(1000).tone).toBeGreaterThan(0.4);
    const heard = await emu.waitForCall(
      call.callId,
      (c) => c.heard.samples >= 1280,
      'the user’s audio',
    );
    expect(heard.heard.tone).toBeGreaterThan(0.2);
    expect(heard.state).toBe('connected');
    browser.tone.amplitude = 0;
    await emu.waitForCall(call.callId, (c) => c.heard.rms < 0.001, 'silence from a muted user');

    const status = await l.request('POST', `${call.callId}/status`, {
      device: device(l),
      callId: call.callId,
    });
    expect(status.status).toBe(200);
    expect((await del(l, call.callId, 0, 'Normal Disconnect.')).status).toBe(200);
    const [ended] = emu.calls();
    // By the user's email too (a user id once passed for an error there).
    expect(emu.calls('alice@example.com').map((c) => c.callId)).toEqual([call.callId]);
    expect(emu.calls('bob@example.com')).toEqual([]);
    expect(ended).toMatchObject({
      state: 'ended',
      deleted: true,
      statusChecks: 1,
      end: { by: 'client', reason: 'deleted', causecode: 0 },
    });
    expect(ended?.media.packetsSent).toBeGreaterThan(10);
    expect(ended?.media.packetsReceived).toBeGreaterThan(10);
    expect(reasons()).toEqual([]);
  });

  it('caller hangs up: calldisconnected carries the correlationId, the DELETE 115 is expected', async () => {
    const l = await line();
    const { call } = await ringing(l);
    const alerting = {
      device: device(l),
      callId: call.callId,
      callState: 'sig_alerting',
      inbandMedia: false,
    };
    await l.request('PATCH', call.callId, alerting);
    emu.hangUp(call.callId);
    const gone = await l.mercury.event('mobius.calldisconnected');
    expect(gone.data).toMatchObject({ callId: call.callId, correlationId: CORRELATION });
    expect((await del(l, call.callId, 115, 'User Busy.')).status).toBe(200);
    expect(emu.calls()[0]).toMatchObject({
      state: 'ended',
      deleted: true,
      end: { by: 'caller', reason: 'hangup', causecode: 115 },
    });
    expect(reasons()).toEqual([]);
  });

  it('waitForCall sees signalling: a wait started while it rings ends at the PATCH and the DELETE', async () => {
    const l = await line();
    const { call } = await ringing(l);
    // No media flows while it rings: only the requests themselves can end these waits.
    const alerted = emu.waitForCall(call.callId, (c) => c.alerted, 'PATCH sig_alerting', 1000);
    const body = { device: device(l), callId: call.callId, inbandMedia: false };
    await l.request('PATCH', call.callId, { ...body, callState: 'sig_alerting' });
    expect((await alerted).alerted).toBe(true);
    const hungUp = emu.waitForCall(call.callId, (c) => c.end?.by === 'caller', 'hang-up', 1000);
    emu.hangUp(call.callId);
    expect((await hungUp).end?.reason).toBe('hangup');
    const deleted = emu.waitForCall(call.callId, (c) => c.deleted, 'the DELETE', 1000);
    await del(l, call.callId, 115, 'User Busy.');
    expect((await deleted).deleted).toBe(true);
    expect(reasons()).toEqual([]);
  });

  it('caller gives up after its ring timeout', async () => {
    const l = await line();
    const { call } = await ringing(l, { email: 'alice@example.com', ringTimeoutMs: 30 });
    await l.mercury.event('mobius.calldisconnected');
    expect(emu.calls()[0]).toMatchObject({ callId: call.callId, end: { reason: 'gaveUp' } });
  });

  it('decline and busy end with DELETE 115, recorded per call', async () => {
    const l = await line();
    const first = await ringing(l);
    const browser = browserPeer({});
    await answer(l, first.call.callId, first.offer.sdp, browser);
    const second = await ringing(l);
    expect((await del(l, second.call.callId, 115, 'User Busy.')).status).toBe(200);
    const views = emu.calls();
    expect(views.find((c) => c.callId === second.call.callId)?.end).toMatchObject({
      by: 'client',
      causecode: 115,
      cause: 'User Busy.',
    });
    expect(views.find((c) => c.callId === first.call.callId)?.state).toBe('connected');
    expect(reasons()).toEqual([]);
  });

  it('cannot ring a line without Mercury (admin 409), and rings through the admin API', async () => {
    await registeredLine(emu);
    const refused = await admin(emu, 'POST', '/calls', { email: 'alice@example.com' });
    expect(refused.status).toBe(409);
    const l = await line();
    const rung = await admin(emu, 'POST', '/calls', {
      email: 'alice@example.com',
      callerName: 'Eve',
    });
    expect(rung.status).toBe(201);
    await l.mercury.event('mobius.call', (f) => f.data?.callId === rung.body.callId);
    const listed = await admin(emu, 'GET', '/calls?email=alice@example.com');
    expect((listed.body.calls as unknown[]).length).toBe(1);
    const hung = await admin(emu, 'POST', `/calls/${rung.body.callId}/hangup`);
    expect(hung.body.state).toBe('ended');
    const demo = await (await fetch(emu.urls.demo)).text();
    expect(demo).toContain('<form id="call-me">');
    expect(demo).toContain("fetch('/_emulator/calls'");
  });
});

describe('call API strictness (§2-§4)', () => {
  it('records a PATCH for an unknown call (404)', async () => {
    const l = await line();
    const res = await l.request('PATCH', 'no-such-call', {
      device: device(l),
      callId: 'x',
      callState: 'sig_alerting',
      inbandMedia: false,
    });
    expect(res.status).toBe(404);
    expect(reasons()).toEqual(['PATCH for an unknown call no-such-call']);
  });

  it('records a missing correlationId, connected before alerting, a ROAP seq out of order', async () => {
    const l = await line();
    const { call, offer } = await ringing(l);
    const id = call.callId;
    await l.request('PATCH', id, {
      device: { deviceId: l.deviceId },
      callId: id,
      callState: 'sig_connected',
      inbandMedia: false,
    });
    const sdp = await browserPeer({}).answer(offer.sdp);
    const roap = { messageType: 'ANSWER', seq: 2, sdp };
    await l.request('POST', `${id}/media`, {
      device: device(l),
      callId: id,
      localMedia: { roap, mediaId: 'm1' },
    });
    expect(reasons()).toEqual([
      'PATCH: missing device.correlationId',
      'PATCH sig_connected before sig_alerting',
      'ROAP ANSWER seq 2 out of order (offer seq 1)',
    ]);
  });

  it('records a DELETE without a body, a wrong cause, and requests after the DELETE', async () => {
    const l = await line();
    const a = await ringing(l);
    expect((await l.request('DELETE', a.call.callId)).status).toBe(200);
    const b = await ringing(l);
    await del(l, b.call.callId, 115, 'Normal Disconnect.');
    const again = await l.request('POST', `${b.call.callId}/status`, {
      device: device(l),
      callId: b.call.callId,
    });
    expect(again.status).toBe(404);
    expect(reasons()).toEqual([
      'DELETE without a body',
      'DELETE: causecode/cause [115,"Normal Disconnect."] not one of §2\'s',
      'status for a call that already ended',
    ]);
  });

  it('answers an injected call fault with the Mobius errorCode body (error table)', async () => {
    const l = await line();
    const { call } = await ringing(l);
    emu.injectFault({
      endpoint: 'callPatch',
      status: 503,
      body: { errorCode: 114 },
      retryAfter: 1,
    });
    const res = await l.request('PATCH', call.callId, {
      device: device(l),
      callId: call.callId,
      callState: 'sig_alerting',
      inbandMedia: false,
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ errorCode: 114 });
  });
});

describe('Mercury faults through the admin API', () => {
  it('closes the user’s socket with the asked code', async () => {
    const l = await line();
    const res = await admin(emu, 'POST', '/mercury/faults', {
      email: 'alice@example.com',
      action: 'close',
      code: 4000,
    });
    expect(res).toEqual({ status: 201, body: { affected: 1 } });
    expect((await l.mercury.whenClosed()).code).toBe(4000);
    expect(
      (await admin(emu, 'POST', '/mercury/faults', { action: 'close', code: 1234 })).status,
    ).toBe(400);
  });
});
