import { beforeEach, describe, expect, it } from 'vitest';
import { callViews } from '../../../lib/call/views';
import { CallRig, SERVER } from './rig';

describe('mid-call services (reference/mobius-calls.md §3, §6)', () => {
  let rig: CallRig;
  beforeEach(async () => {
    rig = new CallRig();
    await rig.connected();
  });

  const view = () => callViews([rig.record()], new Set())[0];

  describe('hold and resume', () => {
    it('hold: POST callhold/hold, pending until Mobius says HELD; resume likewise', async () => {
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      expect(rig.requests().at(-1)).toEqual({
        method: 'POST',
        url: `${SERVER}services/callhold/hold`,
        body: { device: { deviceId: 'dev-1', correlationId: 'k1' }, callId: 'call-out' },
      });
      expect(view()).toMatchObject({ held: false, holdPending: 'hold' });
      await rig.midCall('k1', 'HELD');
      expect(view()).toMatchObject({ held: true });
      expect(view()?.holdPending).toBeUndefined();
      await rig.advance(10_000); // the confirmation timer is gone
      expect(view()?.error).toBeUndefined();

      await rig.do({ kind: 'hold', key: 'k1', held: false });
      expect(rig.requests().at(-1)?.url).toBe(`${SERVER}services/callhold/resume`);
      expect(view()).toMatchObject({ held: true, holdPending: 'resume' });
      await rig.midCall('k1', 'CONNECTED');
      expect(view()).toMatchObject({ held: false });
      expect(rig.record().state).toBe('connected');
    });

    it('HELD before the POST answers: no timer is left running', async () => {
      rig.deferred.add('hold');
      await rig.send({ kind: 'hold', key: 'k1', held: true });
      await rig.calls.mercury('mobius.call', {
        callId: 'call-out',
        correlationId: 'k1',
        midCallService: [{ eventType: 'callState', eventData: { callState: 'HELD' } }],
      });
      await rig.release('hold', { ok: true });
      expect(rig.record()).toMatchObject({ held: true, holdPending: null, holdWaitFrom: null });
    });

    it('no HELD within 10 s: hold error in the view, the call goes on', async () => {
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      await rig.advance(9_999);
      expect(view()?.holdPending).toBe('hold');
      await rig.advance(1);
      expect(view()).toMatchObject({
        held: false,
        state: 'connected',
        error: { kind: 'hold', detail: expect.stringMatching(/on hold/) },
      });
      expect(view()?.holdPending).toBeUndefined();
      expect(rig.deletes()).toEqual([]);
    });

    it('no CONNECTED within 10 s: resume error, still held', async () => {
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      await rig.midCall('k1', 'HELD');
      await rig.do({ kind: 'hold', key: 'k1', held: false });
      await rig.advance(10_000);
      expect(view()).toMatchObject({ held: true, error: { kind: 'resume' } });
    });

    it('a failed hold request: hold error with the SDK sentence, the call goes on', async () => {
      rig.reply = (spec) =>
        spec.tag === 'hold'
          ? { ok: false, status: 503, errorCode: 114, message: 'x' }
          : { ok: true };
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      expect(view()).toMatchObject({
        held: false,
        error: { kind: 'hold', detail: expect.stringMatching(/processing the call/) },
      });
      expect(rig.record().state).toBe('connected');
      // A new attempt clears the error.
      rig.reply = () => ({ ok: true });
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      expect(view()?.error).toBeUndefined();
    });

    it('no request for an invalid command: resume when not held, hold twice, hold while dialing', async () => {
      const sent = rig.sent.length;
      await rig.do({ kind: 'hold', key: 'k1', held: false });
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      expect(rig.sent.length).toBe(sent + 1);
      const other = new CallRig();
      await other.dial();
      await other.do({ kind: 'hold', key: 'k1', held: true });
      await other.do({ kind: 'digits', key: 'k1', digits: '1' });
      await other.do({ kind: 'transfer', key: 'k1', to: '5008' });
      expect(other.tags()).toEqual(['setup']);
      expect(other.mediaKinds()).not.toContain('insertDTMF');
    });

    it('mute stays local: no request', async () => {
      const sent = rig.sent.length;
      await rig.do({ kind: 'hold', key: 'nope', held: true });
      expect(rig.sent.length).toBe(sent);
    });
  });

  describe('ROAP re-offers mid-call (SDK seq rules)', () => {
    it('re-offer seq 2: media answers, ANSWER seq 2 posted, OK re-establishes (keepalive restarts)', async () => {
      await rig.advance(300_000);
      await rig.offer('k1', 2);
      expect(rig.media.at(-1)).toEqual({ kind: 'answerOffer', sdp: 'offer-2' });
      expect(rig.requests().at(-1)?.body).toMatchObject({
        localMedia: { roap: { messageType: 'ANSWER', seq: 2, sdp: 'answer-sdp' } },
      });
      await rig.ok('k1', 2);
      expect(rig.record()).toMatchObject({ midCallRoap: null, seq: 2 });
      expect(rig.media.at(-1)).toEqual({ kind: 'established' });
      // The session timer was reset at the OK: no keepalive 10 min after connect.
      const statuses = () => rig.requests().filter((r) => r.url.endsWith('/status')).length;
      await rig.advance(300_000);
      expect(statuses()).toBe(0);
      await rig.advance(300_000);
      expect(statuses()).toBe(1);
    });

    it('an offer not above the current seq is refused with ERROR OUT_OF_ORDER', async () => {
      await rig.offer('k1', 1);
      expect(rig.requests().at(-1)?.body).toMatchObject({
        localMedia: { roap: { messageType: 'ERROR', seq: 1, errorType: 'OUT_OF_ORDER' } },
      });
      expect(rig.mediaKinds()).not.toContain('answerOffer');
    });

    it('an offer while our ANSWER waits for its OK is buffered and replayed after the OK', async () => {
      await rig.offer('k1', 2);
      await rig.offer('k1', 3);
      expect(rig.media.filter((m) => m.kind === 'answerOffer')).toHaveLength(1);
      await rig.ok('k1', 2);
      expect(rig.media.at(-1)).toEqual({ kind: 'answerOffer', sdp: 'offer-3' });
      expect(rig.requests().at(-1)?.body).toMatchObject({
        localMedia: { roap: { messageType: 'ANSWER', seq: 3 } },
      });
      await rig.ok('k1', 3);
      expect(rig.record()).toMatchObject({ midCallRoap: null, pendingOffer: null, seq: 3 });
    });

    it('hold with its re-offer, in either order with HELD', async () => {
      await rig.do({ kind: 'hold', key: 'k1', held: true });
      await rig.offer('k1', 2);
      await rig.ok('k1', 2);
      await rig.midCall('k1', 'HELD');
      expect(rig.record()).toMatchObject({ held: true, seq: 2 });
      await rig.do({ kind: 'hold', key: 'k1', held: false });
      await rig.midCall('k1', 'CONNECTED');
      await rig.offer('k1', 3);
      await rig.ok('k1', 3);
      expect(rig.record()).toMatchObject({ held: false, seq: 3, state: 'connected' });
    });

    it('a re-offer media failure or ANSWER post failure does not end a connected call', async () => {
      rig.mediaReply = (key, command) =>
        command.kind === 'answerOffer' ? { kind: 'mediaFailed', key, message: 'bad sdp' } : null;
      await rig.offer('k1', 2);
      expect(rig.record()).toMatchObject({ state: 'connected', midCallRoap: null });
      rig.mediaReply = (key) => ({ kind: 'localAnswer', key, sdp: 'a' });
      rig.reply = () => ({ ok: false, status: 500, message: 'x' });
      await rig.offer('k1', 3);
      expect(rig.record()).toMatchObject({ state: 'connected', midCallRoap: null });
      expect(rig.deletes()).toEqual([]);
    });
  });

  describe('keypad tones', () => {
    it('digits -> insertDTMF on the media; no request', async () => {
      const sent = rig.sent.length;
      await rig.do({ kind: 'digits', key: 'k1', digits: '12#' });
      expect(rig.media.at(-1)).toEqual({ kind: 'insertDTMF', tones: '12#' });
      expect(rig.sent.length).toBe(sent);
    });

    it('a failure is reported in the view, the call goes on', async () => {
      rig.mediaReply = (key, command) =>
        command.kind === 'insertDTMF' ? { kind: 'digitsFailed', key, message: 'no DTMF' } : null;
      await rig.do({ kind: 'digits', key: 'k1', digits: '1' });
      expect(view()).toMatchObject({
        state: 'connected',
        error: { kind: 'digits', detail: 'no DTMF' },
      });
    });

    it('tones that never finish are a reported failure, never an ended call', async () => {
      rig.hangingMedia.add('insertDTMF');
      await rig.send({ kind: 'digits', key: 'k1', digits: '1' });
      await rig.timers.advance(8_000);
      expect(rig.record()).toMatchObject({ state: 'connected', serviceError: { kind: 'digits' } });
    });
  });

  describe('blind transfer', () => {
    it('commit, then Mobius disconnects the leg: ended as transferred (DELETE as the SDK)', async () => {
      await rig.do({ kind: 'transfer', key: 'k1', to: '+15550001111' });
      expect(rig.requests().at(-1)).toEqual({
        method: 'POST',
        url: `${SERVER}services/calltransfer/commit`,
        body: {
          device: { deviceId: 'dev-1', correlationId: 'k1' },
          callId: 'call-out',
          transferType: 'BLIND',
          blindTransferContext: { transferorCallId: 'call-out', destination: '+15550001111' },
        },
      });
      expect(view()).toMatchObject({ transferPending: true });
      await rig.disconnect();
      expect(rig.lastNotice()).toMatchObject({ kind: 'ended', reason: 'transferred' });
      expect(rig.deletes()).toHaveLength(1);
    });

    it('a failed commit: transfer error in the view, the call goes on', async () => {
      rig.reply = (spec) =>
        spec.tag === 'transfer' ? { ok: false, status: 404, message: 'x' } : { ok: true };
      await rig.do({ kind: 'transfer', key: 'k1', to: '5008' });
      expect(view()).toMatchObject({ state: 'connected', error: { kind: 'transfer' } });
      expect(view()?.transferPending).toBeUndefined();
      await rig.disconnect();
      expect(rig.lastNotice()).toMatchObject({ reason: 'remoteHangup' });
    });

    it('one transfer at a time', async () => {
      rig.deferred.add('transfer');
      await rig.send({ kind: 'transfer', key: 'k1', to: '5008' });
      await rig.send({ kind: 'transfer', key: 'k1', to: '5009' });
      expect(rig.tags().filter((t) => t === 'transfer')).toHaveLength(1);
    });
  });

  it('the keepalive of a connected outgoing call: 404 ends it, another failure stops it', async () => {
    rig.reply = (spec) =>
      spec.tag === 'status' ? { ok: false, status: 400, message: 'x' } : { ok: true };
    await rig.advance(600_000);
    expect(rig.record()).toMatchObject({ state: 'connected', keepaliveStopped: true });
    const other = new CallRig();
    await other.connected();
    other.reply = (spec) =>
      spec.tag === 'status' ? { ok: false, status: 404, message: 'gone' } : { ok: true };
    await other.advance(600_000);
    expect(other.has()).toBe(false);
    expect(other.rows()).toContain('keepaliveFatal');
  });

  it('caller id news (callInfo) updates the other party', async () => {
    await rig.mercury('mobius.call', {
      callId: 'call-out',
      correlationId: 'k1',
      midCallService: [
        { eventType: 'callInfo', eventData: { callerId: { from: '"Alice" <sip:5009@h>' } } },
      ],
    });
    expect(view()).toMatchObject({ callerName: 'Alice', callerNumber: '5009' });
  });
});

describe('call waiting', () => {
  let rig: CallRig;
  const FROM = '"Carol" <sip:5010@example.com>';

  beforeEach(async () => {
    rig = new CallRig();
    await rig.connected('k1');
    await rig.mercury('mobius.call', {
      callId: 'call-2',
      deviceId: 'dev-1',
      correlationId: '',
      callerId: { from: FROM },
    });
    await rig.mercury('mobius.media', {
      callId: 'call-2',
      correlationId: '',
      message: { messageType: 'OFFER', seq: 1, version: '2', sdp: 'offer-in' },
    });
  });

  const waitingKey = () =>
    Object.values(rig.calls.calls.calls).find((r) => r.callId === 'call-2')?.key as string;

  it('a second call rings while the first is connected', async () => {
    expect(rig.record(waitingKey()).state).toBe('ringing');
    expect(rig.notices.at(-1)).toMatchObject({ kind: 'incoming', callerId: { name: 'Carol' } });
    expect(rig.requests().at(-1)?.body).toMatchObject({ callState: 'sig_alerting' });
  });

  it('answering it holds the first, waits for HELD, then answers', async () => {
    const key = waitingKey();
    await rig.do({ kind: 'answer', key });
    expect(rig.requests().at(-1)?.url).toBe(`${SERVER}services/callhold/hold`);
    expect(rig.record(key)).toMatchObject({ state: 'ringing', answerAfterHold: 'k1' });
    expect(callViews([rig.record(key)], new Set())[0]?.state).toBe('answering');
    expect(rig.mediaKinds()).not.toContain('answerOffer');
    await rig.midCall('k1', 'HELD');
    expect(rig.mediaKinds().at(-1)).toBe('answerOffer');
    expect(rig.record(key).state).toBe('answering');
    await rig.ok(key, 1, 'call-2');
    expect(rig.record(key).state).toBe('connected');
    expect(rig.record('k1')).toMatchObject({ state: 'connected', held: true });
  });

  it('answering it while the first is already held answers at once', async () => {
    await rig.do({ kind: 'hold', key: 'k1', held: true });
    await rig.midCall('k1', 'HELD');
    await rig.do({ kind: 'answer', key: waitingKey() });
    expect(rig.record(waitingKey()).state).toBe('answering');
  });

  it('if the hold fails the waiting call rings on, with the hold error on the first', async () => {
    rig.reply = (spec) =>
      spec.tag === 'hold' ? { ok: false, status: 503, noBody: true, message: 'x' } : { ok: true };
    await rig.do({ kind: 'answer', key: waitingKey() });
    expect(rig.record(waitingKey())).toMatchObject({ state: 'ringing', answerAfterHold: null });
    expect(rig.record('k1')).toMatchObject({ serviceError: { kind: 'hold' } });
  });

  it('if the first call ends while its hold is pending, the waiting call is answered', async () => {
    await rig.do({ kind: 'answer', key: waitingKey() });
    await rig.disconnect('k1');
    expect(rig.record(waitingKey()).state).toBe('answering');
  });

  it('answering it while a hold of the first is already out waits for that hold', async () => {
    await rig.do({ kind: 'hold', key: 'k1', held: true });
    await rig.do({ kind: 'answer', key: waitingKey() });
    expect(rig.rows().at(-1)).toBe('answerAfterHold');
    expect(rig.tags().filter((t) => t === 'hold')).toHaveLength(1);
    await rig.midCall('k1', 'HELD');
    expect(rig.record(waitingKey()).state).toBe('answering');
  });

  it('answering it while the first is being transferred does nothing (no hold, no answer)', async () => {
    rig.deferred.add('transfer');
    await rig.send({ kind: 'transfer', key: 'k1', to: '5008' });
    await rig.send({ kind: 'answer', key: waitingKey() });
    expect(rig.rows().at(-1)).toBe('answerWaitsForOther');
    expect(rig.tags()).not.toContain('hold');
    expect(rig.record(waitingKey())).toMatchObject({ state: 'ringing', answerAfterHold: null });
  });

  it('declining it (DELETE 115) leaves the first call as it is', async () => {
    const key = waitingKey();
    await rig.do({ kind: 'decline', key });
    expect(rig.deletes()).toEqual([
      expect.objectContaining({
        url: `${SERVER}devices/dev-1/calls/call-2`,
        body: expect.objectContaining({ causecode: 115 }),
      }),
    ]);
    expect(rig.record('k1')).toMatchObject({ state: 'connected', held: false, holdPending: null });
    expect(rig.tags()).not.toContain('hold');
  });
});
