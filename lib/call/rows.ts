/**
 * The row type of the call table, and the rows that react to request outcomes and the call
 * keepalive (SDK `handleCallErrors`, `handleCallKeepaliveError`; reference/mobius-calls.md §2, §6).
 */
import type { CallSpec } from '../webex/calls';
import { causeFor, endCall, type Step } from './steps';
import type { CallTiming } from './timing';
import {
  type CallContext,
  type CallEvent,
  type CallRecord,
  type CallState,
  deviceOf,
  type Effect,
  type RequestOutcome,
} from './types';

export type KeyedEvent = Extract<CallEvent, { key: string }>;
type Of<K extends KeyedEvent['kind']> = Extract<KeyedEvent, { kind: K }>;

export interface Row<K extends KeyedEvent['kind']> {
  name: string;
  on: K;
  from: readonly CallState[];
  when?: (record: CallRecord, event: Of<K>) => boolean;
  run: (record: CallRecord, event: Of<K>, ctx: CallContext, timing: CallTiming) => Step;
}

export const row = <K extends KeyedEvent['kind']>(r: Row<K>) =>
  r as unknown as Row<KeyedEvent['kind']>;
export const stay = (record: CallRecord, effects: Effect[] = []): Step => ({ record, effects });
const isSetupRequest = (tag: CallSpec['tag']) =>
  tag === 'alerting' || tag === 'connected' || tag === 'media';
const keepaliveRetryable = (o: RequestOutcome) => !o.ok && (o.status === 500 || o.status === 503);
const keepaliveFatal = (o: RequestOutcome) =>
  !o.ok && (o.status === 401 || o.status === 403 || o.status === 404);
const failure = (o: RequestOutcome) => (o.ok ? '' : o.message);

export const REQUEST_ROWS: readonly Row<KeyedEvent['kind']>[] = [
  row({
    name: 'keepalive',
    on: 'timer',
    from: ['connected'],
    when: (_r, e) => e.name === 'keepalive',
    run: (r, _e, ctx) =>
      stay({ ...r, keepaliveFrom: ctx.now, keepaliveRetryAt: null }, [
        {
          kind: 'request',
          key: r.key,
          spec: { tag: 'status', device: deviceOf(r), callId: r.callId },
        },
      ]),
  }),
  row({
    name: 'setupRequestFailed',
    on: 'requestDone',
    from: ['ringing', 'answering', 'dialing', 'ringback', 'connecting', 'connected'],
    when: (_r, e) => isSetupRequest(e.tag) && !e.outcome.ok,
    run: (r, e) => endCall(r, 'failed', causeFor(r), failure(e.outcome)),
  }),
  // Mercury came back: the SDK ends every call whose status check fails.
  row({
    name: 'statusCheckFailed',
    on: 'requestDone',
    from: ['ringing', 'answering', 'dialing', 'ringback', 'connecting', 'connected'],
    when: (r, e) => e.tag === 'status' && r.statusCheck && !e.outcome.ok,
    run: (r, e) => endCall({ ...r, statusCheck: false }, 'failed', causeFor(r), failure(e.outcome)),
  }),
  row({
    name: 'keepaliveFatal',
    on: 'requestDone',
    from: ['connected'],
    when: (_r, e) => e.tag === 'status' && keepaliveFatal(e.outcome),
    run: (r, e) => endCall(r, 'failed', 'normal', failure(e.outcome)),
  }),
  row({
    name: 'keepaliveRetry',
    on: 'requestDone',
    from: ['connected'],
    when: (_r, e) => e.tag === 'status' && keepaliveRetryable(e.outcome),
    run: (r, e, ctx, timing) => {
      if (r.keepaliveRetries >= timing.keepaliveMaxRetries)
        return stay({ ...r, keepaliveStopped: true });
      const after =
        !e.outcome.ok && e.outcome.retryAfter !== undefined
          ? e.outcome.retryAfter * 1000
          : timing.keepaliveRetryMs;
      return stay({
        ...r,
        keepaliveRetries: r.keepaliveRetries + 1,
        keepaliveRetryAt: ctx.now + after,
      });
    },
  }),
  // Any other keepalive failure: the keepalive silently stops, the call goes on (SDK).
  row({
    name: 'keepaliveStops',
    on: 'requestDone',
    from: ['connected'],
    when: (_r, e) => e.tag === 'status' && !e.outcome.ok,
    run: (r) => stay({ ...r, keepaliveStopped: true }),
  }),
  row({
    name: 'statusOk',
    on: 'requestDone',
    from: ['ringing', 'answering', 'dialing', 'ringback', 'connecting', 'connected'],
    when: (_r, e) => e.tag === 'status' && e.outcome.ok,
    run: (r) => stay({ ...r, statusCheck: false, keepaliveRetries: 0 }),
  }),
];
