/**
 * The call machine: ONE pure table, (calls, event, context) -> (calls, effects), every row
 * named. Incoming calls are built first; outgoing calls, hold/resume, DTMF, transfer and call
 * waiting (reference/mobius-calls.md §5-§6) add rows and states, not code paths.
 */
import { localRoap } from '../webex/roap';
import { type KeyedEvent, REQUEST_ROWS, type Row, row, stay } from './rows';
import { causeFor, endCall, newIncoming, takeOffer } from './steps';
import { CALL_TIMING, type CallTiming } from './timing';
import {
  type CallContext,
  type CallEvent,
  type CallRecord,
  type Calls,
  deviceOf,
  type Effect,
} from './types';

export const CALL_TABLE: readonly Row<KeyedEvent['kind']>[] = [
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
  ...REQUEST_ROWS,
];

export interface Transition {
  name: string;
  calls: Calls;
  effects: Effect[];
}

const withRecord = (calls: Calls, record: CallRecord): Calls => {
  const next = { ...calls.calls };
  if (record.state === 'ended') delete next[record.key];
  else next[record.key] = record;
  return { calls: next };
};

export function transition(
  calls: Calls,
  event: CallEvent,
  ctx: CallContext,
  timing: CallTiming = CALL_TIMING,
): Transition {
  if (event.kind === 'incoming') return incoming(calls, event, ctx);
  if (event.kind === 'mercuryOnline') return statusCheckAll(calls);
  const record = calls.calls[event.key];
  if (!record) return { name: 'unknownCall', calls, effects: [] };
  const match = CALL_TABLE.find(
    (r) =>
      r.on === event.kind && r.from.includes(record.state) && (!r.when || r.when(record, event)),
  );
  if (!match) return { name: 'ignored', calls, effects: [] };
  const step = match.run(record, event, ctx, timing);
  return { name: match.name, calls: withRecord(calls, step.record), effects: step.effects };
}

function incoming(
  calls: Calls,
  e: Extract<CallEvent, { kind: 'incoming' }>,
  ctx: CallContext,
): Transition {
  if (Object.values(calls.calls).some((r) => r.callId === e.callId)) {
    return { name: 'repeatedSetup', calls, effects: [] };
  }
  const record = newIncoming(ctx, e.callId, e.deviceId, e.callerId);
  // One call at a time until call waiting: a second caller gets busy (DELETE 115), the user a
  // missed-call notice. A call still ringing counts too: only one call can ring in the UI.
  if (Object.keys(calls.calls).length > 0) {
    const step = endCall(record, 'busy', 'busy');
    return { name: 'busy', calls, effects: step.effects };
  }
  const alerting: Effect = {
    kind: 'request',
    key: record.key,
    spec: { tag: 'alerting', device: deviceOf(record), callId: record.callId },
  };
  const notice: Effect = {
    kind: 'notify',
    notice: {
      kind: 'incoming',
      key: record.key,
      callerId: record.callerId,
      micBlocked: record.micBlocked,
    },
  };
  return {
    name: record.micBlocked ? 'ringMicBlocked' : 'ring',
    calls: withRecord(calls, record),
    effects: [alerting, notice],
  };
}

function statusCheckAll(calls: Calls): Transition {
  const effects: Effect[] = [];
  let next = calls;
  for (const record of Object.values(calls.calls)) {
    next = withRecord(next, { ...record, statusCheck: true });
    effects.push({
      kind: 'request',
      key: record.key,
      spec: { tag: 'status', device: deviceOf(record), callId: record.callId },
    });
  }
  return { name: 'statusCheckAll', calls: next, effects };
}
