/**
 * The call machine: ONE pure table, (calls, event, context) -> (calls, effects), every row
 * named. Incoming calls are built first; outgoing calls, hold/resume, DTMF, transfer and call
 * waiting (reference/mobius-calls.md §5-§6) add rows and states, not code paths. This module is
 * the dispatcher: the rows live in *-rows.ts, the events that start a call in new-call-events.ts,
 * call waiting in call-waiting.ts.
 */
import { answerWaiting, followWaiting, type MachineStep } from './call-waiting';
import { INCOMING_ROWS } from './incoming-rows';
import { MID_CALL_ROWS } from './mid-call-rows';
import { dial, incoming } from './new-call-events';
import { OUTGOING_ROWS } from './outgoing-rows';
import { type KeyedEvent, REQUEST_ROWS, type Row } from './rows';
import { CALL_TIMING, type CallTiming } from './timing';
import { type Transition, withRecord } from './transition-result';
import { type CallContext, type CallEvent, type Calls, deviceOf, type Effect } from './types';

export const CALL_TABLE: readonly Row<KeyedEvent['kind']>[] = [
  ...MID_CALL_ROWS,
  ...OUTGOING_ROWS,
  ...INCOMING_ROWS,
  ...REQUEST_ROWS,
];

export function transition(
  calls: Calls,
  event: CallEvent,
  ctx: CallContext,
  timing: CallTiming = CALL_TIMING,
): Transition {
  const machineStep: MachineStep = (c, e) => step(c, e, ctx, timing);
  return followWaiting(machineStep(calls, event), machineStep);
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
    const waiting = answerWaiting(calls, record, (c, e) => step(c, e, ctx, timing));
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

/** Mercury is back after a drop: every call Mobius has named checks its status there (§1.5). */
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
