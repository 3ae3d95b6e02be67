/**
 * Call waiting (reference/mobius-calls.md §6): Answer on a waiting call holds the connected one
 * first, and the waiting call is answered once Mobius confirms that hold. The machine's own step
 * is passed in: this module never imports the dispatcher (transition.ts) that calls it.
 */
import { type Transition, withRecord } from './transition-result';
import type { CallEvent, CallRecord, Calls } from './types';

/** One transition of the machine, with the caller's context and timing. */
export type MachineStep = (calls: Calls, event: CallEvent) => Transition;

/** The other call that is up (connected, not held), if any. */
const activeOther = (calls: Calls, key: string): CallRecord | undefined =>
  Object.values(calls.calls).find((r) => r.key !== key && r.state === 'connected' && !r.held);

/**
 * Call waiting: Answer on the waiting call first holds the connected one; the answer itself
 * happens once Mobius confirms the hold (followWaiting). Null when nothing is to be held.
 */
export function answerWaiting(
  calls: Calls,
  record: CallRecord,
  step: MachineStep,
): Transition | null {
  if (record.state !== 'ringing' || record.micBlocked) return null;
  const other = activeOther(calls, record.key);
  if (!other) return null;
  if (record.answerAfterHold !== null) return { name: 'answerAgain', calls, effects: [] };
  const marked = withRecord(calls, { ...record, answerAfterHold: other.key });
  if (other.holdPending === 'hold') return { name: 'answerAfterHold', calls: marked, effects: [] };
  const hold = step(marked, { kind: 'hold', key: other.key, held: true });
  if (hold.name !== 'hold') return { name: 'answerWaitsForOther', calls, effects: [] };
  return { name: 'answerHoldsOther', calls: hold.calls, effects: hold.effects };
}

/**
 * Level-triggered after every transition: a waiting call whose Answer held another call is
 * answered once that call is held (or gone); if the hold failed it rings on.
 */
export function followWaiting(result: Transition, step: MachineStep): Transition {
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
    const answered = step(calls, { kind: 'answer', key: waiting.key });
    calls = answered.calls;
    effects = [...effects, ...answered.effects];
    name = `${name}+${answered.name}`;
  }
  return { name, calls, effects };
}
