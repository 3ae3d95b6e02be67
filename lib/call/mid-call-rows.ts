/**
 * Rows of a connected call (reference/mobius-calls.md §3, §6): Mobius's mid-call ROAP re-offers
 * (hold/resume renegotiate media), hold and resume with their 10 s confirmation, keypad tones,
 * blind transfer. A failed service leaves the call as it was, with the error in the view.
 */
import type { RoapMessage } from '../webex/roap';
import { localRoap } from '../webex/roap';
import { callFailure, HOLD_TIMEOUT } from './call-errors';
import { type KeyedEvent, type Row, row, stay } from './rows';
import { endCall, postRoap, type Step } from './steps';
import { type CallContext, type CallRecord, deviceOf } from './types';

/** SDK `handleIncomingRoapOffer` with a media connection: take the seq, feed media. */
function takeReoffer(r: CallRecord, roap: RoapMessage): Step {
  return stay({ ...r, seq: roap.seq, midCallRoap: roap.seq, pendingOffer: null }, [
    { kind: 'media', key: r.key, command: { kind: 'answerOffer', sdp: roap.sdp ?? '' } },
  ]);
}

const isService = (tag: string): tag is 'hold' | 'resume' => tag === 'hold' || tag === 'resume';

const serviceRequest = (r: CallRecord, tag: 'hold' | 'resume') =>
  stay({ ...r, holdPending: tag, holdWaitFrom: null, serviceError: null }, [
    { kind: 'request', key: r.key, spec: { tag, device: deviceOf(r), callId: r.callId } },
  ]);

/** Mobius confirmed (`midCallService` callState): held or resumed, the timer stops. */
const holdSettled = (r: CallRecord, held: boolean): Step =>
  stay({ ...r, held, holdPending: null, holdWaitFrom: null });

export const MID_CALL_ROWS: readonly Row<KeyedEvent['kind']>[] = [
  // A seq not above ours: media core answers ERROR OUT_OF_ORDER, the SDK posts it (§3).
  row({
    name: 'reofferOutOfOrder',
    on: 'remoteOffer',
    from: ['connected'],
    when: (r, e) => e.roap.seq <= r.seq,
    run: (r, e, ctx: CallContext) =>
      stay(r, [
        postRoap(r, { messageType: 'ERROR', seq: e.roap.seq, errorType: 'OUT_OF_ORDER' }, ctx),
      ]),
  }),
  // Our ANSWER to an earlier re-offer waits for its OK: buffer, replay after the OK (SDK).
  row({
    name: 'reofferBuffered',
    on: 'remoteOffer',
    from: ['connected'],
    when: (r) => r.midCallRoap !== null,
    run: (r, e) => stay({ ...r, pendingOffer: e.roap }),
  }),
  row({
    name: 'reoffer',
    on: 'remoteOffer',
    from: ['connected'],
    run: (r, e) => takeReoffer(r, e.roap),
  }),
  row({
    name: 'reofferAnswer',
    on: 'localAnswer',
    from: ['connected'],
    when: (r) => r.midCallRoap !== null,
    run: (r, e, ctx) => stay(r, [postRoap(r, localRoap('ANSWER', r.seq, e.sdp), ctx)]),
  }),
  // The OK ends the exchange; the SDK re-establishes (keepalive restarts) and replays a buffer.
  row({
    name: 'reofferOk',
    on: 'remoteOk',
    from: ['connected'],
    when: (r) => r.midCallRoap !== null,
    run: (r, _e, ctx) => {
      const done: CallRecord = {
        ...r,
        midCallRoap: null,
        keepaliveFrom: ctx.now,
        keepaliveRetryAt: null,
        keepaliveRetries: 0,
      };
      const effects = [
        { kind: 'media' as const, key: r.key, command: { kind: 'established' as const } },
      ];
      const buffered = r.pendingOffer;
      if (buffered && buffered.seq > r.seq) {
        const next = takeReoffer(done, buffered);
        return { record: next.record, effects: [...effects, ...next.effects] };
      }
      return stay({ ...done, pendingOffer: null }, effects);
    },
  }),
  // The SDK ends a call on a media failure only before it connected.
  row({
    name: 'reofferFailed',
    on: 'mediaFailed',
    from: ['connected'],
    when: (r) => r.midCallRoap !== null,
    run: (r) => stay({ ...r, midCallRoap: null }),
  }),
  row({
    name: 'reofferAnswerFailed',
    on: 'requestDone',
    from: ['connected'],
    when: (r, e) => e.tag === 'media' && !e.outcome.ok && r.midCallRoap !== null,
    run: (r) => stay({ ...r, midCallRoap: null }),
  }),
  row({
    name: 'hold',
    on: 'hold',
    from: ['connected'],
    when: (r, e) => e.held && !r.held && r.holdPending === null && r.transfer === null,
    run: (r) => serviceRequest(r, 'hold'),
  }),
  row({
    name: 'resume',
    on: 'hold',
    from: ['connected'],
    when: (r, e) => !e.held && r.held && r.holdPending === null && r.transfer === null,
    run: (r) => serviceRequest(r, 'resume'),
  }),
  // The POST is accepted: wait 10 s for Mobius to confirm (unless it already has).
  row({
    name: 'holdAccepted',
    on: 'requestDone',
    from: ['connected'],
    when: (r, e) => isService(e.tag) && e.outcome.ok && r.holdPending === e.tag,
    run: (r, _e, ctx) => stay({ ...r, holdWaitFrom: ctx.now }),
  }),
  row({
    name: 'holdFailed',
    on: 'requestDone',
    from: ['connected'],
    when: (r, e) => isService(e.tag) && !e.outcome.ok && r.holdPending === e.tag,
    run: (r, e) =>
      stay({
        ...r,
        holdPending: null,
        holdWaitFrom: null,
        serviceError: {
          kind: e.tag === 'resume' ? 'resume' : 'hold',
          detail: callFailure(e.outcome).detail,
        },
      }),
  }),
  row({
    name: 'holdTimeout',
    on: 'timer',
    from: ['connected'],
    when: (r, e) => e.name === 'hold' && r.holdPending !== null,
    run: (r) => {
      const kind = r.holdPending === 'resume' ? 'resume' : 'hold';
      return stay({
        ...r,
        holdPending: null,
        holdWaitFrom: null,
        serviceError: { kind, detail: HOLD_TIMEOUT[kind] },
      });
    },
  }),
  row({
    name: 'held',
    on: 'midCall',
    from: ['connected'],
    when: (_r, e) => e.callState === 'HELD',
    run: (r) => holdSettled(r, true),
  }),
  row({
    name: 'resumed',
    on: 'midCall',
    from: ['connected'],
    when: (_r, e) => e.callState === 'CONNECTED',
    run: (r) => holdSettled(r, false),
  }),
  // `callInfo`: the other party changed (e.g. after a transfer on their side).
  row({
    name: 'callInfo',
    on: 'midCall',
    from: ['ringing', 'answering', 'dialing', 'ringback', 'connecting', 'connected'],
    when: (_r, e) => e.callerId !== undefined && Boolean(e.callerId.name || e.callerId.number),
    run: (r, e) => stay({ ...r, callerId: { ...r.callerId, ...e.callerId } }),
  }),
  row({
    name: 'digits',
    on: 'digits',
    from: ['connected'],
    run: (r, e) =>
      stay(r, [{ kind: 'media', key: r.key, command: { kind: 'insertDTMF', tones: e.digits } }]),
  }),
  row({
    name: 'digitsFailed',
    on: 'digitsFailed',
    from: ['connected'],
    run: (r, e) => stay({ ...r, serviceError: { kind: 'digits', detail: e.message } }),
  }),
  row({
    name: 'transfer',
    on: 'transfer',
    from: ['connected'],
    when: (r) => r.transfer === null && r.holdPending === null,
    run: (r, e) =>
      stay({ ...r, transfer: 'pending', serviceError: null }, [
        {
          kind: 'request',
          key: r.key,
          spec: { tag: 'transfer', device: deviceOf(r), callId: r.callId, destination: e.to },
        },
      ]),
  }),
  // Accepted: Mobius disconnects this leg once the transfer is done (SDK: no event of its own).
  row({
    name: 'transferAccepted',
    on: 'requestDone',
    from: ['connected'],
    when: (_r, e) => e.tag === 'transfer' && e.outcome.ok,
    run: (r) => stay({ ...r, transfer: 'done' }),
  }),
  row({
    name: 'transferFailed',
    on: 'requestDone',
    from: ['connected'],
    when: (_r, e) => e.tag === 'transfer' && !e.outcome.ok,
    run: (r, e) =>
      stay({
        ...r,
        transfer: null,
        serviceError: { kind: 'transfer', detail: callFailure(e.outcome).detail },
      }),
  }),
  row({
    name: 'transferred',
    on: 'remoteDisconnect',
    from: ['connected'],
    when: (r) => r.transfer !== null,
    run: (r) => endCall(r, 'transferred', 'normal'),
  }),
];
