/**
 * Rows of an incoming call (reference/mobius-calls.md §5, SDK `Call` answering side): the buffered
 * OFFER, Answer with its microphone, our ANSWER and Mobius's OK, decline and hang-up, the remote
 * disconnects (answered elsewhere, the caller gave up) and the ring and connect timeouts.
 */
import { localRoap } from '../webex/roap';
import { type KeyedEvent, type Row, row, stay } from './rows';
import { causeFor, endCall, takeOffer } from './steps';
import { deviceOf } from './types';

export const INCOMING_ROWS: readonly Row<KeyedEvent['kind']>[] = [
  row({
    name: 'bufferOffer',
    on: 'remoteOffer',
    from: ['ringing', 'answering'],
    when: (r) => !r.offerTaken,
    run: (r, e) => {
      const buffered = { ...r, pendingOffer: e.roap, seq: e.roap.seq };
      return buffered.state === 'answering' && buffered.micReady
        ? takeOffer(buffered)
        : stay(buffered);
    },
  }),
  row({
    name: 'answerRefusedMicBlocked',
    on: 'answer',
    from: ['ringing'],
    when: (r) => r.micBlocked,
    run: (r) =>
      stay(r, [
        { kind: 'notify', notice: { kind: 'answerRefused', key: r.key, reason: 'micBlocked' } },
      ]),
  }),
  row({
    name: 'answer',
    on: 'answer',
    from: ['ringing'],
    run: (r, _e, ctx) =>
      stay({ ...r, state: 'answering', answeringSince: ctx.now }, [
        { kind: 'media', key: r.key, command: { kind: 'acquireMic' } },
      ]),
  }),
  // A second Answer (notification and popup both clicked) answers once.
  row({ name: 'answerAgain', on: 'answer', from: ['answering', 'connected'], run: (r) => stay(r) }),
  row({
    name: 'micReady',
    on: 'micReady',
    from: ['answering'],
    // No OFFER yet: the SDK logs "Offer not yet received" and waits; bufferOffer takes it later.
    run: (r) => takeOffer({ ...r, micReady: true }),
  }),
  row({
    name: 'micFailedAtAnswer',
    on: 'micFailed',
    from: ['answering'],
    run: (r, e) => endCall(r, 'micFailed', 'mediaInactivity', e.message),
  }),
  row({
    name: 'sendAnswer',
    on: 'localAnswer',
    from: ['answering'],
    when: (r) => r.offerTaken && !r.answerSent,
    run: (r, e, ctx) =>
      stay({ ...r, answerSent: true }, [
        {
          kind: 'request',
          key: r.key,
          spec: {
            tag: 'media',
            device: deviceOf(r),
            callId: r.callId,
            roap: localRoap('ANSWER', r.seq, e.sdp),
            mediaId: ctx.newId(),
          },
        },
      ]),
  }),
  row({
    name: 'established',
    on: 'remoteOk',
    from: ['answering'],
    when: (r) => r.answerSent,
    run: (r, _e, ctx) =>
      stay({ ...r, state: 'connected', connectedAt: ctx.now, keepaliveFrom: ctx.now }, [
        { kind: 'media', key: r.key, command: { kind: 'established' } },
        { kind: 'notify', notice: { kind: 'established', key: r.key } },
      ]),
  }),
  row({
    name: 'mediaFailed',
    on: 'mediaFailed',
    from: ['answering', 'connected'],
    run: (r, e) => endCall(r, 'failed', causeFor(r), e.message),
  }),
  row({
    name: 'decline',
    on: 'decline',
    from: ['ringing'],
    run: (r) => endCall(r, 'declined', 'busy'),
  }),
  row({
    name: 'hangupWhileRinging',
    on: 'hangup',
    from: ['ringing'],
    run: (r) => endCall(r, 'declined', 'busy'),
  }),
  row({
    name: 'localHangup',
    on: 'hangup',
    from: ['answering', 'connected'],
    run: (r) => endCall(r, 'localHangup', causeFor(r)),
  }),
  // The SDK answers every remote disconnect with a DELETE of its own (115 before connect).
  row({
    name: 'answeredElsewhere',
    on: 'remoteDisconnect',
    from: ['ringing'],
    when: (_r, e) => e.answeredElsewhere,
    run: (r) => endCall(r, 'answeredElsewhere', 'busy'),
  }),
  row({
    name: 'missedWhileMicBlocked',
    on: 'remoteDisconnect',
    from: ['ringing'],
    when: (r) => r.micBlocked,
    run: (r) => endCall(r, 'micBlocked', 'busy'),
  }),
  row({
    name: 'callerGaveUp',
    on: 'remoteDisconnect',
    from: ['ringing'],
    run: (r) => endCall(r, 'missed', 'busy'),
  }),
  row({
    name: 'remoteHangup',
    on: 'remoteDisconnect',
    from: ['answering', 'connected'],
    run: (r) => endCall(r, 'remoteHangup', causeFor(r)),
  }),
  // Without a microphone we neither answer nor decline: no DELETE that could end the call on
  // the user's other devices (what Mobius does with it on a shared line is unconfirmed).
  row({
    name: 'ringTimeoutMicBlocked',
    on: 'timer',
    from: ['ringing'],
    when: (r, e) => e.name === 'ring' && r.micBlocked,
    run: (r) => endCall(r, 'micBlocked', null),
  }),
  // SDK handleTimeout: DELETE with cause 0 (the reason is never set on this path).
  row({
    name: 'ringTimeout',
    on: 'timer',
    from: ['ringing'],
    when: (_r, e) => e.name === 'ring',
    run: (r) => endCall(r, 'missed', 'normal'),
  }),
  row({
    name: 'connectTimeout',
    on: 'timer',
    from: ['answering'],
    when: (_r, e) => e.name === 'connect',
    run: (r) => endCall(r, 'failed', 'normal', 'The call did not connect in time.'),
  }),
];
