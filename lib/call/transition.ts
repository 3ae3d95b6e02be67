/**
 * The call machine: ONE pure table, (calls, event, context) -> (calls, effects), every row
 * named. Incoming calls are built first; outgoing calls, hold/resume, DTMF, transfer and call
 * waiting (reference/mobius-calls.md §5-§6) add rows and states, not code paths.
 */
import { localRoap } from '../webex/roap';
import { MID_CALL_ROWS } from './mid-call-rows';
import { OUTGOING_ROWS } from './outgoing-rows';
import { type KeyedEvent, REQUEST_ROWS, type Row, row, stay } from './rows';
import { causeFor, endCall, newIncoming, newOutgoing, takeOffer } from './steps';
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
  ...MID_CALL_ROWS,
  ...OUTGOING_ROWS,
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
  const first = step(calls, event, ctx, timing);
  return followWaiting(first, ctx, timing);
}

/** Media results that may come back after their call ended: the media is closed again. */
const MEDIA_RESULTS: ReadonlySet<CallEvent['kind']> = new Set([
  'micReady',
  'localOffer',
  'localAnswer',
  'answerApplied',
]);

function step(calls: Calls, event: CallEvent, ctx: CallContext, timing: CallTiming): Transition {
  if (event.kind === 'incoming') return incoming(calls, event, ctx);
  if (event.kind === 'mercuryOnline') return statusCheckAll(calls);
  if (event.kind === 'dial') return dial(calls, event, ctx);
  const record = calls.calls[event.key];
  if (!record) {
    // A microphone opened (or a peer made) for a call hung up meanwhile: close it, no leak.
    if (MEDIA_RESULTS.has(event.kind)) {
      return {
        name: 'lateMedia',
        calls,
        effects: [{ kind: 'media', key: event.key, command: { kind: 'close' } }],
      };
    }
    return { name: 'unknownCall', calls, effects: [] };
  }
  if (event.kind === 'answer') {
    const waiting = answerWaiting(calls, record, ctx, timing);
    if (waiting) return waiting;
  }
  const match = CALL_TABLE.find(
    (r) =>
      r.on === event.kind && r.from.includes(record.state) && (!r.when || r.when(record, event)),
  );
  if (!match) return { name: 'ignored', calls, effects: [] };
  const next = match.run(record, event, ctx, timing);
  return { name: match.name, calls: withRecord(calls, next.record), effects: next.effects };
}

/** The other call that is up (connected, not held), if any. */
const activeOther = (calls: Calls, key: string): CallRecord | undefined =>
  Object.values(calls.calls).find((r) => r.key !== key && r.state === 'connected' && !r.held);

/**
 * Call waiting: Answer on the waiting call first holds the connected one; the answer itself
 * happens once Mobius confirms the hold (followWaiting). Null when nothing is to be held.
 */
function answerWaiting(
  calls: Calls,
  record: CallRecord,
  ctx: CallContext,
  timing: CallTiming,
): Transition | null {
  if (record.state !== 'ringing' || record.micBlocked) return null;
  const other = activeOther(calls, record.key);
  if (!other) return null;
  if (record.answerAfterHold !== null) return { name: 'answerAgain', calls, effects: [] };
  const marked = withRecord(calls, { ...record, answerAfterHold: other.key });
  if (other.holdPending === 'hold') return { name: 'answerAfterHold', calls: marked, effects: [] };
  const hold = step(marked, { kind: 'hold', key: other.key, held: true }, ctx, timing);
  if (hold.name !== 'hold') return { name: 'answerWaitsForOther', calls, effects: [] };
  return { name: 'answerHoldsOther', calls: hold.calls, effects: hold.effects };
}

/**
 * Level-triggered after every transition: a waiting call whose Answer held another call is
 * answered once that call is held (or gone); if the hold failed it rings on.
 */
function followWaiting(result: Transition, ctx: CallContext, timing: CallTiming): Transition {
  let { calls, effects } = result;
  let name = result.name;
  for (const waiting of Object.values(calls.calls)) {
    const otherKey = waiting.answerAfterHold;
    if (otherKey === null || waiting.state !== 'ringing') continue;
    const other = calls.calls[otherKey];
    if (other && !other.held && other.holdPending === 'hold') continue;
    calls = withRecord(calls, { ...waiting, answerAfterHold: null });
    if (other && !other.held) {
      name = `${name}+waitingRingsOn`;
      continue;
    }
    const answered = step(calls, { kind: 'answer', key: waiting.key }, ctx, timing);
    calls = answered.calls;
    effects = [...effects, ...answered.effects];
    name = `${name}+${answered.name}`;
  }
  return { name, calls, effects };
}

function dial(calls: Calls, e: Extract<CallEvent, { kind: 'dial' }>, ctx: CallContext): Transition {
  if (calls.calls[e.key]) return { name: 'repeatedDial', calls, effects: [] };
  const refuse = (name: string, detail: string): Transition => ({
    name,
    calls,
    effects: [
      {
        kind: 'notify',
        notice: {
          kind: 'ended',
          key: e.key,
          reason: name === 'dialMicBlocked' ? 'micBlocked' : 'failed',
          callerId: { number: e.number },
          direction: 'outbound',
          detail,
        },
      },
    ],
  });
  // A new call only while every other call is on hold (one call is set up at a time).
  const busy = (r: CallRecord) => r.state !== 'releasing' && !(r.state === 'connected' && r.held);
  if (Object.values(calls.calls).some(busy)) {
    return refuse('dialRefusedBusy', 'Another call is in progress: hang it up or hold it first.');
  }
  if (!ctx.micUsable) {
    return refuse(
      'dialMicBlocked',
      'The microphone is not available: allow it for the extension, then call again.',
    );
  }
  const record = newOutgoing(ctx, e.key, e.deviceId, e.number);
  return {
    name: 'dial',
    calls: withRecord(calls, record),
    effects: [{ kind: 'media', key: record.key, command: { kind: 'acquireMic' } }],
  };
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
  // Call waiting: a call arriving while exactly one other call is connected (held or not) rings.
  // Busy (DELETE 115, a missed-call notice) for a third call, and while the other call is still
  // being set up (ringing, answering, dialing, ringback): only one call is set up at a time.
  // A call being released (already ended for the user) does not make the line busy.
  const others = Object.values(calls.calls).filter((r) => r.state !== 'releasing');
  const waiting = others.length === 1 && others[0]?.state === 'connected';
  if (others.length > 0 && !waiting) {
    const busy = endCall(record, 'busy', 'busy');
    return { name: others.length > 1 ? 'busyThirdCall' : 'busy', calls, effects: busy.effects };
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
    name: waiting ? 'callWaiting' : record.micBlocked ? 'ringMicBlocked' : 'ring',
    calls: withRecord(calls, record),
    effects: [alerting, notice],
  };
}

function statusCheckAll(calls: Calls): Transition {
  const effects: Effect[] = [];
  let next = calls;
  for (const record of Object.values(calls.calls)) {
    // A call Mobius has not named yet has nothing to check (its setup timer bounds it).
    if (!record.callIdKnown || record.state === 'releasing') continue;
    next = withRecord(next, { ...record, statusCheck: true });
    effects.push({
      kind: 'request',
      key: record.key,
      spec: { tag: 'status', device: deviceOf(record), callId: record.callId },
    });
  }
  return { name: 'statusCheckAll', calls: next, effects };
}
