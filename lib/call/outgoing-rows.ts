/**
 * Rows of an outgoing call (reference/mobius-calls.md §5, SDK `Call.dial` and its call machine):
 * microphone, local OFFER, setup POST, progress (ringback, early media), the remote ANSWER and
 * our OK, connect in either order, and hang-up, failures and timeouts at every step.
 */
import { localRoap } from '../webex/roap';
import { callFailure } from './call-errors';
import { type KeyedEvent, type Row, row, stay } from './rows';
import { endCall, established, postRoap, type Step } from './steps';
import type { CallRecord } from './types';

const outbound = (r: CallRecord) => r.direction === 'outbound';
/** The setup POST is out and Mobius has not named the call yet. */
const setupInFlight = (r: CallRecord) => r.setupSentAt !== null && !r.callIdKnown;

/** Hang-up before Mobius knows the call (microphone or offer still in the making): no DELETE. */
const hangupBeforeSetup = (r: CallRecord): Step => endCall(r, 'localHangup', null);

export const OUTGOING_ROWS: readonly Row<KeyedEvent['kind']>[] = [
  row({
    name: 'dialMicReady',
    on: 'micReady',
    from: ['dialing'],
    run: (r) =>
      stay({ ...r, micReady: true }, [
        { kind: 'media', key: r.key, command: { kind: 'createOffer' } },
      ]),
  }),
  // No call exists at Mobius yet: nothing to delete.
  row({
    name: 'dialMicFailed',
    on: 'micFailed',
    from: ['dialing'],
    run: (r, e) => endCall(r, 'micFailed', null, e.message),
  }),
  // ROAP seq 1, tieBreaker 0xFFFFFFFE: the first OFFER travels inside the setup POST (§3).
  row({
    name: 'sendSetup',
    on: 'localOffer',
    from: ['dialing'],
    when: (r) => r.setupSentAt === null,
    run: (r, e, ctx) =>
      stay({ ...r, seq: 1, setupSentAt: ctx.now }, [
        {
          kind: 'request',
          key: r.key,
          spec: {
            tag: 'setup',
            device: { deviceId: r.deviceId, correlationId: r.key },
            offer: localRoap('OFFER', 1, e.sdp),
            mediaId: ctx.newId(),
            address: r.callerId.number ?? '',
          },
        },
      ]),
  }),
  row({
    name: 'setupDoneAfterHangup',
    on: 'requestDone',
    from: ['releasing'],
    when: (_r, e) => e.tag === 'setup',
    run: (r, e) =>
      endCall(
        e.outcome.ok && e.outcome.callId ? { ...r, callId: e.outcome.callId } : r,
        'localHangup',
        'normal',
      ),
  }),
  row({
    name: 'setupDone',
    on: 'requestDone',
    from: ['dialing', 'ringback', 'connecting', 'connected'],
    when: (r, e) => e.tag === 'setup' && e.outcome.ok && outbound(r),
    run: (r, e) =>
      stay({ ...r, callId: (e.outcome.ok && e.outcome.callId) || r.callId, callIdKnown: true }),
  }),
  // SDK: call_error, then E_UNKNOWN: DELETE (to the placeholder id, §5 step 7), cleared.
  row({
    name: 'setupFailed',
    on: 'requestDone',
    from: ['dialing', 'ringback', 'connecting'],
    when: (_r, e) => e.tag === 'setup' && !e.outcome.ok,
    run: (r, e) => {
      const failure = callFailure(e.outcome);
      return endCall(r, failure.reason, 'normal', failure.detail);
    },
  }),
  row({
    name: 'progress',
    on: 'progress',
    from: ['dialing', 'ringback'],
    run: (r, e, ctx) =>
      stay({
        ...r,
        state: 'ringback',
        progressAt: ctx.now,
        earlyMedia: r.earlyMedia || e.inbandMedia,
        callerId: e.callerId?.name ? { ...r.callerId, name: e.callerId.name } : r.callerId,
      }),
  }),
  // The remote ANSWER to our OFFER (SDK: its seq is overwritten with the call's).
  row({
    name: 'takeAnswer',
    on: 'remoteAnswer',
    from: ['dialing', 'ringback', 'connecting', 'connected'],
    when: (r, e) => outbound(r) && r.setupSentAt !== null && !r.offerTaken && Boolean(e.roap.sdp),
    run: (r, e) =>
      stay({ ...r, offerTaken: true }, [
        { kind: 'media', key: r.key, command: { kind: 'applyAnswer', sdp: e.roap.sdp ?? '' } },
      ]),
  }),
  // Media negotiated before connect (§5 step 4 first): OK now, established on connect.
  row({
    name: 'answerAppliedEarly',
    on: 'answerApplied',
    from: ['dialing', 'ringback', 'connected'],
    run: (r, _e, ctx) =>
      stay({ ...r, mediaNegotiated: true }, [postRoap(r, localRoap('OK', r.seq), ctx)]),
  }),
  row({
    name: 'answerAppliedAfterConnect',
    on: 'answerApplied',
    from: ['connecting'],
    run: (r, _e, ctx) => {
      const step = established({ ...r, mediaNegotiated: true }, ctx.now);
      return { ...step, effects: [postRoap(r, localRoap('OK', r.seq), ctx), ...step.effects] };
    },
  }),
  // SDK handleIncomingCallConnect: early media or negotiated media -> established at once.
  row({
    name: 'connectNegotiated',
    on: 'remoteConnect',
    from: ['dialing', 'ringback'],
    when: (r) => r.mediaNegotiated || r.earlyMedia,
    run: (r, _e, ctx) => established({ ...r, remoteConnectedAt: ctx.now }, ctx.now),
  }),
  row({
    name: 'connectBeforeAnswer',
    on: 'remoteConnect',
    from: ['dialing', 'ringback'],
    run: (r, _e, ctx) => stay({ ...r, state: 'connecting', remoteConnectedAt: ctx.now }),
  }),
  // Hung up while the setup POST is out: the UI is told now; the DELETE waits for the callId.
  row({
    name: 'hangupDuringSetup',
    on: 'hangup',
    from: ['dialing'],
    when: setupInFlight,
    run: (r) => {
      const step = endCall(r, 'localHangup', null);
      return { record: { ...r, state: 'releasing' }, effects: step.effects };
    },
  }),
  row({
    name: 'hangupBeforeSetup',
    on: 'hangup',
    from: ['dialing'],
    when: (r) => r.setupSentAt === null,
    run: hangupBeforeSetup,
  }),
  // SDK setDisconnectReason: outbound is always cause 0.
  row({
    name: 'hangupOutgoing',
    on: 'hangup',
    from: ['dialing', 'ringback', 'connecting'],
    run: (r) => endCall(r, 'localHangup', 'normal'),
  }),
  // The callee ended it before the setup's answer reached us (Mercury can beat the HTTP
  // response): the UI is told now; the DELETE waits for the callId, or the SDK's placeholder
  // would go to Mobius for a call it knows by another id.
  row({
    name: 'remoteEndsDuringSetup',
    on: 'remoteDisconnect',
    from: ['dialing', 'ringback', 'connecting'],
    when: setupInFlight,
    run: (r, e) => {
      const step = endCall(r, e.busy ? 'busy' : 'remoteHangup', null);
      return { record: { ...r, state: 'releasing' }, effects: step.effects };
    },
  }),
  // The callee declined, was busy or gave up: the SDK deletes too.
  row({
    name: 'remoteEndsOutgoing',
    on: 'remoteDisconnect',
    from: ['dialing', 'ringback', 'connecting'],
    run: (r, e) => endCall(r, e.busy ? 'busy' : 'remoteHangup', 'normal'),
  }),
  row({
    name: 'mediaFailedOutgoing',
    on: 'mediaFailed',
    from: ['dialing', 'ringback', 'connecting'],
    run: (r, e) => endCall(r, 'failed', r.setupSentAt === null ? null : 'normal', e.message),
  }),
  row({
    name: 'setupTimeoutAfterHangup',
    on: 'timer',
    from: ['releasing'],
    when: (_r, e) => e.name === 'setup',
    run: (r) => endCall(r, 'localHangup', 'normal'),
  }),
  row({
    name: 'setupTimeout',
    on: 'timer',
    from: ['dialing'],
    when: (_r, e) => e.name === 'setup',
    run: (r) => endCall(r, 'failed', 'normal', 'The call could not be set up in time.'),
  }),
  row({
    name: 'progressTimeout',
    on: 'timer',
    from: ['ringback'],
    when: (_r, e) => e.name === 'progress',
    run: (r) => endCall(r, 'notAnswered', 'normal', 'No answer.'),
  }),
  row({
    name: 'outgoingConnectTimeout',
    on: 'timer',
    from: ['connecting'],
    when: (_r, e) => e.name === 'connect',
    run: (r) => endCall(r, 'failed', 'normal', 'The call did not connect in time.'),
  }),
];
