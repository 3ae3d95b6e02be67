/** What one transition of the call machine returns, and how a changed record lands in the calls. */
import type { CallRecord, Calls, Effect } from './types';

export interface Transition {
  name: string;
  calls: Calls;
  effects: Effect[];
}

/** The calls with `record` in its place; an ended record leaves them. */
export const withRecord = (calls: Calls, record: CallRecord): Calls => {
  const next = { ...calls.calls };
  if (record.state === 'ended') delete next[record.key];
  else next[record.key] = record;
  return { calls: next };
};
