import { beforeEach, describe, expect, it } from 'vitest';
import { ROAP_TIE_BREAKER } from '../../../lib/webex/roap';
import { ANSWER_SDP, CallRig, SERVER } from './rig';

describe('outgoing calls (reference/mobius-calls.md §5)', () => {
  let rig: CallRig;
  beforeEach(() => {
    rig = new CallRig();
  });

  it('dials: microphone, OFFER seq 1 in the setup POST, callId from the response', async () => {
    await rig.dial('k1', '+15551234567');
    expect(rig.mediaKinds()).toEqual(['acquireMic', 'createOffer']);
    const [setup] = rig.requests();
    expect(setup).toEqual({
      method: 'POST',
      url: `${SERVER}devices/dev-1/call`,
      body: {
        device: { deviceId: 'dev-1', correlationId: 'k1' },
        localMedia: {
          roap: { messageType: 'OFFER', seq: 1, sdp: 'offer-sdp', tieBreaker: ROAP_TIE_BREAKER },
          mediaId: expect.any(String),
        },
        callee: { type: 'uri', address: 'tel:+15551234567' },
      },
    });
    expect(rig.record()).toMatchObject({
      state: 'dialing',
      direction: 'outbound',
      callId: 'call-out',
      callIdKnown: true,
      callerId: { number: '+15551234567' },
    });
  });

  it('progress -> ANSWER -> OK -> connected: ringback, then established with a keepalive', async () => {
    await rig.dial();
    await rig.progress();
    expect(rig.record().state).toBe('ringback');
    await rig.answer();
    expect(rig.media.at(-1)).toEqual({ kind: 'applyAnswer', sdp: ANSWER_SDP });
    const ok = rig.requests().at(-1);
    expect(ok?.url).toBe(`${SERVER}devices/dev-1/calls/call-out/media`);
    expect(ok?.body).toMatchObject({ localMedia: { roap: { messageType: 'OK', seq: 1 } } });
    expect(rig.record()).toMatchObject({ state: 'ringback', mediaNegotiated: true });
    await rig.connect();
    expect(rig.record()).toMatchObject({ state: 'connected', connectedAt: rig.clock.now() });
    expect(rig.lastNotice()).toEqual({ kind: 'established', key: 'k1' });
    expect(rig.rows()).toContain('connectNegotiated');
    // The call keepalive runs for outgoing calls too (10 min).
    await rig.advance(600_000);
    expect(rig.requests().at(-1)?.url).toBe(`${SERVER}devices/dev-1/calls/call-out/status`);
  });

  it('connected before the ANSWER: waits for the media, then established', async () => {
    await rig.dial();
    await rig.progress();
    await rig.connect();
    expect(rig.record().state).toBe('connecting');
    await rig.answer();
    expect(rig.record().state).toBe('connected');
    expect(rig.tags()).toEqual(['setup', 'media']);
    expect(rig.rows()).toContain('answerAppliedAfterConnect');
  });

  it('connect right after setup (no progress) works in both orders', async () => {
    await rig.dial();
    await rig.connect();
    expect(rig.record().state).toBe('connecting');
    await rig.answer();
    expect(rig.record().state).toBe('connected');

    const other = new CallRig();
    await other.dial();
    await other.answer();
    await other.connect();
    expect(other.record().state).toBe('connected');
  });

  it('early media: inbandMedia marks it, connect establishes even before the ANSWER', async () => {
    await rig.dial();
    await rig.progress('k1', true);
    expect(rig.record()).toMatchObject({ state: 'ringback', earlyMedia: true });
    await rig.connect();
    expect(rig.record().state).toBe('connected');
    await rig.answer(); // the ANSWER late: applied and OK posted, the call stays up
    expect(rig.record()).toMatchObject({ state: 'connected', mediaNegotiated: true });
    expect(rig.tags()).toEqual(['setup', 'media']);
  });

  it('a repeated progress restarts the 60 s progress timer; no answer in 60 s ends it', async () => {
    await rig.dial();
    await rig.progress();
    await rig.advance(50_000);
    await rig.progress();
    await rig.advance(50_000);
    expect(rig.record().state).toBe('ringback');
    await rig.advance(10_000);
    expect(rig.has()).toBe(false);
    expect(rig.deletes()).toEqual([
      expect.objectContaining({
        url: `${SERVER}devices/dev-1/calls/call-out`,
        body: expect.objectContaining({ causecode: 0, cause: 'Normal Disconnect.' }),
      }),
    ]);
    expect(rig.lastNotice()).toMatchObject({
      kind: 'ended',
      reason: 'notAnswered',
      direction: 'outbound',
    });
  });

  it('no progress within 10 s of the setup POST: failed, DELETE', async () => {
    await rig.dial();
    await rig.advance(9_999);
    expect(rig.has()).toBe(true);
    await rig.advance(1);
    expect(rig.has()).toBe(false);
    expect(rig.deletes()).toHaveLength(1);
    expect(rig.lastNotice()).toMatchObject({ reason: 'failed', detail: expect.any(String) });
    expect(rig.media.at(-1)).toEqual({ kind: 'close' });
  });

  it('connected without media within 10 s: failed', async () => {
    await rig.dial();
    await rig.connect();
    await rig.advance(10_000);
    expect(rig.has()).toBe(false);
    expect(rig.rows()).toContain('outgoingConnectTimeout');
  });

  it('the development timing overrides shorten the setup and progress timers', async () => {
    const { callTimingFrom } = await import('../../../lib/call/timing');
    expect(
      callTimingFrom({ callSetupMs: 500, callProgressMs: 700, callHoldMs: 300 }),
    ).toMatchObject({ setupMs: 500, progressMs: 700, holdMs: 300 });
  });

  it('no microphone: refused before any request, clearly', async () => {
    rig.micUsable = false;
    await rig.dial();
    expect(rig.sent).toEqual([]);
    expect(rig.media).toEqual([]);
    expect(rig.lastNotice()).toMatchObject({
      kind: 'ended',
      key: 'k1',
      reason: 'micBlocked',
      direction: 'outbound',
      detail: expect.stringMatching(/microphone/),
    });
  });

  it('the microphone fails at Dial: ended, nothing sent to Mobius', async () => {
    rig.mediaReply = (key) => ({ kind: 'micFailed', key, message: 'NotAllowedError' });
    await rig.dial();
    expect(rig.sent).toEqual([]);
    expect(rig.lastNotice()).toMatchObject({ reason: 'micFailed', detail: 'NotAllowedError' });
  });

  it('the offer cannot be made: failed, nothing sent', async () => {
    rig.mediaReply = (key, command) =>
      command.kind === 'acquireMic'
        ? { kind: 'micReady', key }
        : { kind: 'mediaFailed', key, message: 'no ICE' };
    await rig.dial();
    expect(rig.sent).toEqual([]);
    expect(rig.lastNotice()).toMatchObject({ reason: 'failed', detail: 'no ICE' });
  });

  it('media that never answers is bounded by the interpreter deadline', async () => {
    rig.hangingMedia.add('createOffer');
    await rig.send({ kind: 'dial', key: 'k1', deviceId: 'dev-1', number: '5008' });
    await rig.timers.advance(8_000);
    expect(rig.has()).toBe(false);
    expect(rig.sent).toEqual([]);
    expect(rig.lastNotice()).toMatchObject({ reason: 'failed' });
  });

  it.each([
    [115, 'busy', 'Called user is busy.'],
    [119, 'rejected', expect.stringMatching(/rejected/)],
    [120, 'unavailable', expect.stringMatching(/not available/)],
    [114, 'failed', expect.stringMatching(/processing/)],
  ])(
    'a setup 503 with errorCode %i ends it as %s, deleting the placeholder id',
    async (code, reason, detail) => {
      rig.reply = (spec) =>
        spec.tag === 'setup'
          ? { ok: false, status: 503, errorCode: code, message: 'HTTP 503' }
          : { ok: true };
      await rig.dial();
      expect(rig.has()).toBe(false);
      const [del] = rig.deletes();
      expect(del?.url).toMatch(new RegExp(`${SERVER}devices/dev-1/calls/DefaultLocalId_`));
      expect(del?.body).toMatchObject({ causecode: 0, device: { correlationId: 'k1' } });
      expect(rig.lastNotice()).toMatchObject({ kind: 'ended', reason, detail });
    },
  );

  it.each([
    [401, /expired token/],
    [403, /blocked/],
    [404, /no longer active/],
    [500, /unknown error/],
  ])('a setup %i ends it with the SDK sentence', async (status, detail) => {
    rig.reply = (spec) =>
      spec.tag === 'setup'
        ? { ok: false, status, noBody: true, message: `HTTP ${status}` }
        : { ok: true };
    await rig.dial();
    expect(rig.lastNotice()).toMatchObject({
      reason: 'failed',
      detail: expect.stringMatching(detail),
    });
  });

  it('a network failure of the setup keeps its own message', async () => {
    rig.reply = () => ({ ok: false, message: 'Network down' });
    await rig.dial();
    expect(rig.lastNotice()).toMatchObject({ reason: 'failed', detail: 'Network down' });
  });

  it('the OK post failing before connect ends the call', async () => {
    rig.reply = (spec) =>
      spec.tag === 'setup'
        ? { ok: true, callId: 'call-out' }
        : spec.tag === 'media'
          ? { ok: false, status: 500, message: 'x' }
          : { ok: true };
    await rig.dial();
    await rig.answer();
    expect(rig.has()).toBe(false);
    expect(rig.deletes()).toHaveLength(1);
  });

  it('the callee busy (disconnect saying so) is busy, and not a missed call', async () => {
    await rig.dial();
    await rig.progress();
    await rig.disconnect('k1', { causecode: 115, cause: 'User Busy' });
    expect(rig.lastNotice()).toMatchObject({ reason: 'busy', direction: 'outbound' });
    expect(rig.deletes()[0]?.body).toMatchObject({ causecode: 0 });
    const { endedView } = await import('../../../lib/call/views');
    const notice = rig.lastNotice();
    if (notice?.kind !== 'ended') throw new Error('not ended');
    expect(endedView(notice, 1).missed).toBe(false);
  });

  it('the callee declines or gives up while ringing back: remote hang-up, DELETE', async () => {
    await rig.dial();
    await rig.progress();
    await rig.disconnect();
    expect(rig.lastNotice()).toMatchObject({ reason: 'remoteHangup', direction: 'outbound' });
    expect(rig.deletes()).toHaveLength(1);
    expect(rig.media.at(-1)).toEqual({ kind: 'close' });
  });

  it('remote hang-up of a connected outgoing call: DELETE cause 0, closed', async () => {
    await rig.connected();
    await rig.disconnect();
    expect(rig.lastNotice()).toMatchObject({ reason: 'remoteHangup' });
    expect(rig.deletes()[0]?.body).toMatchObject({ causecode: 0 });
    expect(rig.timers.size).toBe(0);
  });

  describe('hang up at each state', () => {
    it('while the microphone opens: no request; the late microphone is closed', async () => {
      rig.hangingMedia.add('acquireMic');
      await rig.send({ kind: 'dial', key: 'k1', deviceId: 'dev-1', number: '5008' });
      await rig.send({ kind: 'hangup', key: 'k1' });
      expect(rig.sent).toEqual([]);
      expect(rig.lastNotice()).toMatchObject({ reason: 'localHangup' });
      // The microphone opens after all: closed again.
      await rig.send({ kind: 'micReady', key: 'k1' });
      expect(rig.rows().at(-1)).toBe('lateMedia');
      expect(rig.media.at(-1)).toEqual({ kind: 'close' });
      await rig.timers.advance(8_000); // the deadline of the hung command: nothing more
      expect(rig.sent).toEqual([]);
    });

    it('while the setup POST is out: ended for the UI at once, DELETE once the callId is known', async () => {
      rig.deferred.add('setup');
      await rig.send({ kind: 'dial', key: 'k1', deviceId: 'dev-1', number: '5008' });
      await rig.send({ kind: 'hangup', key: 'k1' });
      expect(rig.lastNotice()).toMatchObject({ kind: 'ended', reason: 'localHangup' });
      expect(rig.record().state).toBe('releasing');
      expect(rig.deletes()).toEqual([]);
      await rig.release('setup', { ok: true, callId: 'call-late' });
      expect(rig.deletes().map((r) => r.url)).toEqual([`${SERVER}devices/dev-1/calls/call-late`]);
      expect(rig.has()).toBe(false);
      expect(rig.notices.filter((n) => n.kind === 'ended')).toHaveLength(1);
    });

    it('a call being released does not make the line busy for a new call or a dial', async () => {
      rig.deferred.add('setup');
      await rig.send({ kind: 'dial', key: 'k1', deviceId: 'dev-1', number: '5008' });
      await rig.send({ kind: 'hangup', key: 'k1' });
      await rig.calls.mercury('mobius.call', { callId: 'in-1', deviceId: 'dev-1', callerId: {} });
      await rig.timers.advance(0);
      expect(rig.log).toContain('incoming -> ring');
      const ringing = Object.values(rig.calls.calls.calls).find((r) => r.callId === 'in-1');
      await rig.send({ kind: 'decline', key: ringing?.key as string });
      await rig.send({ kind: 'dial', key: 'k2', deviceId: 'dev-1', number: '5009' });
      expect(rig.log).toContain('dial -> dial');
    });

    it('the callee ends it before the setup answer arrives: ended now, DELETE to the real callId', async () => {
      rig.deferred.add('setup');
      await rig.send({ kind: 'dial', key: 'k1', deviceId: 'dev-1', number: '5008' });
      // (Not rig.disconnect: it waits for the idle machine, and the setup is held.)
      await rig.calls.mercury('mobius.calldisconnected', {
        eventType: 'mobius.calldisconnected',
        callId: 'call-out',
        correlationId: 'k1',
        causecode: 115,
        cause: 'User Busy',
      });
      await rig.timers.advance(0);
      expect(rig.lastNotice()).toMatchObject({ kind: 'ended', reason: 'busy' });
      expect(rig.record().state).toBe('releasing');
      expect(rig.deletes()).toEqual([]);
      await rig.release('setup', { ok: true, callId: 'call-late' });
      expect(rig.deletes().map((r) => r.url)).toEqual([`${SERVER}devices/dev-1/calls/call-late`]);
      expect(rig.notices.filter((n) => n.kind === 'ended')).toHaveLength(1);
      expect(rig.has()).toBe(false);
    });

    it('while the setup POST is out and it fails: the placeholder is deleted (SDK)', async () => {
      rig.deferred.add('setup');
      await rig.send({ kind: 'dial', key: 'k1', deviceId: 'dev-1', number: '5008' });
      await rig.send({ kind: 'hangup', key: 'k1' });
      await rig.release('setup', { ok: false, status: 503, message: 'x' });
      expect(rig.deletes()[0]?.url).toMatch(/DefaultLocalId_/);
      expect(rig.has()).toBe(false);
    });

    it('while the setup POST is out and never answers: the setup timer deletes the placeholder', async () => {
      rig.deferred.add('setup');
      await rig.send({ kind: 'dial', key: 'k1', deviceId: 'dev-1', number: '5008' });
      await rig.send({ kind: 'hangup', key: 'k1' });
      await rig.timers.advance(10_000);
      expect(rig.rows()).toContain('setupTimeoutAfterHangup');
      expect(rig.deletes()[0]?.url).toMatch(/DefaultLocalId_/);
      expect(rig.has()).toBe(false);
      expect(rig.notices.filter((n) => n.kind === 'ended')).toHaveLength(1);
    });

    it.each([
      ['dialing', async (r: CallRig) => r.dial()],
      [
        'ringback',
        async (r: CallRig) => {
          await r.dial();
          await r.progress();
        },
      ],
      [
        'connecting',
        async (r: CallRig) => {
          await r.dial();
          await r.connect();
        },
      ],
      ['connected', async (r: CallRig) => r.connected()],
    ])('in %s: DELETE cause 0 "Normal Disconnect.", media closed', async (state, reach) => {
      await reach(rig);
      expect(rig.record().state).toBe(state);
      await rig.do({ kind: 'hangup', key: 'k1' });
      expect(rig.deletes().map((r) => r.body)).toEqual([
        expect.objectContaining({ causecode: 0, cause: 'Normal Disconnect.', callId: 'call-out' }),
      ]);
      expect(rig.media.at(-1)).toEqual({ kind: 'close' });
      expect(rig.lastNotice()).toMatchObject({ reason: 'localHangup', direction: 'outbound' });
      expect(rig.timers.size).toBe(0);
    });
  });

  it('a Mercury reconnect checks the status of the connected outgoing call too', async () => {
    await rig.connected();
    await rig.do({ kind: 'mercuryOnline' });
    expect(rig.requests().at(-1)?.url).toBe(`${SERVER}devices/dev-1/calls/call-out/status`);
  });

  it('refuses a second dial while a call is up (not held), and a repeated key', async () => {
    await rig.connected();
    const sent = rig.sent.length;
    await rig.dial('k2');
    expect(rig.sent).toHaveLength(sent);
    expect(rig.lastNotice()).toMatchObject({ kind: 'ended', key: 'k2', reason: 'failed' });
    await rig.dial('k1');
    expect(rig.rows().at(-1)).toBe('repeatedDial');
  });

  it('views: outbound with the callee as the other party, dialing/ringback/early media', async () => {
    const { callViews } = await import('../../../lib/call/views');
    await rig.dial();
    expect(callViews([rig.record()], new Set())[0]).toMatchObject({
      state: 'dialing',
      direction: 'outbound',
      callerNumber: '+15551234567',
      held: false,
    });
    await rig.progress('k1', true);
    expect(callViews([rig.record()], new Set())[0]).toMatchObject({
      state: 'ringback',
      earlyMedia: true,
    });
  });
});
