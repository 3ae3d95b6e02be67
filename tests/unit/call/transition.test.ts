import { describe, expect, it } from 'vitest';
import { newIncoming } from '../../../lib/call/steps';
import { deadlinesOf } from '../../../lib/call/timing';
import { CALL_TABLE, transition } from '../../../lib/call/transition';
import type { CallContext, CallRecord, Calls } from '../../../lib/call/types';

const ctx = (now = 1_000): CallContext => ({ now, micUsable: true, newId: () => 'id-1' });
const offer = { messageType: 'OFFER' as const, seq: 1, sdp: 'v=0' };

function withCall(patch: Partial<CallRecord> = {}): { calls: Calls; record: CallRecord } {
  const record = { ...newIncoming(ctx(), 'call-1', 'dev-1', {}), ...patch };
  return { calls: { calls: { [record.key]: record } }, record };
}

describe('call table', () => {
  it('names every row once', () => {
    const names = CALL_TABLE.map((row) => row.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('takes an OFFER that arrives after the microphone is ready (no PATCH before it)', () => {
    const { calls, record } = withCall({
      state: 'answering',
      answeringSince: 1_000,
      micReady: true,
    });
    const result = transition(calls, { kind: 'remoteOffer', key: record.key, roap: offer }, ctx());
    expect(result.name).toBe('bufferOffer');
    expect(result.effects.map((e) => (e.kind === 'request' ? e.spec.tag : e.kind))).toEqual([
      'media',
      'connected',
    ]);
    expect(result.calls.calls[record.key]).toMatchObject({ offerTaken: true, seq: 1 });
  });

  it('waits for the OFFER when the microphone is ready first', () => {
    const { calls, record } = withCall({ state: 'answering', answeringSince: 1_000 });
    const result = transition(calls, { kind: 'micReady', key: record.key }, ctx());
    expect(result.effects).toEqual([]);
    expect(result.calls.calls[record.key]).toMatchObject({ micReady: true, offerTaken: false });
  });

  it('ends the call when the alerting PATCH fails (SDK call_error then DELETE)', () => {
    const { calls, record } = withCall();
    const result = transition(
      calls,
      {
        kind: 'requestDone',
        key: record.key,
        tag: 'alerting',
        outcome: { ok: false, status: 503, message: 'x' },
      },
      ctx(),
    );
    expect(result.name).toBe('setupRequestFailed');
    expect(result.calls.calls).toEqual({});
    expect(result.effects[0]).toMatchObject({
      kind: 'request',
      spec: { tag: 'delete', cause: 'busy' },
    });
  });

  it('ends an answer that does not connect within 10 s', () => {
    const { calls, record } = withCall({ state: 'answering', answeringSince: 1_000 });
    expect(deadlinesOf(record)).toEqual({ connect: 11_000 });
    const result = transition(
      calls,
      { kind: 'timer', key: record.key, name: 'connect' },
      ctx(11_000),
    );
    expect(result.name).toBe('connectTimeout');
    expect(result.effects.map((e) => e.kind)).toEqual(['request', 'media', 'notify']);
  });

  it('ignores a ROAP OK before the answer was sent, and events for unknown calls', () => {
    const { calls, record } = withCall({ state: 'answering', answeringSince: 1_000 });
    expect(transition(calls, { kind: 'remoteOk', key: record.key, seq: 1 }, ctx()).name).toBe(
      'ignored',
    );
    expect(transition(calls, { kind: 'decline', key: 'other' }, ctx()).name).toBe('unknownCall');
  });

  it('derives the ring deadline 60 s after ringing and the keepalive 10 min after connect', () => {
    const { record } = withCall();
    expect(deadlinesOf(record)).toEqual({ ring: 61_000 });
    expect(
      deadlinesOf({ ...record, state: 'connected', connectedAt: 5_000, keepaliveFrom: 5_000 }),
    ).toEqual({
      keepalive: 605_000,
    });
    expect(
      deadlinesOf({ ...record, state: 'connected', keepaliveFrom: 5_000, keepaliveStopped: true }),
    ).toEqual({});
  });

  it('inbound rows: hang-up while ringing declines, a mic-blocked call given up is micBlocked', () => {
    const { calls, record } = withCall();
    const hung = transition(calls, { kind: 'hangup', key: record.key }, ctx());
    expect(hung.name).toBe('hangupWhileRinging');
    expect(hung.effects[0]).toMatchObject({ spec: { tag: 'delete', cause: 'busy' } });
    const blocked = withCall({ micBlocked: true });
    const gone = transition(
      blocked.calls,
      { kind: 'remoteDisconnect', key: blocked.record.key, answeredElsewhere: false },
      ctx(),
    );
    expect(gone.name).toBe('missedWhileMicBlocked');
  });

  it('inbound rows: a media failure while answering ends the call; a repeated setup is ignored', () => {
    const { calls, record } = withCall({ state: 'answering', answeringSince: 1_000 });
    const failed = transition(calls, { kind: 'mediaFailed', key: record.key, message: 'x' }, ctx());
    expect(failed.name).toBe('mediaFailed');
    expect(failed.calls.calls).toEqual({});
    const again = transition(
      calls,
      { kind: 'incoming', callId: 'call-1', deviceId: 'dev-1', callerId: {} },
      ctx(),
    );
    expect(again.name).toBe('repeatedSetup');
  });

  it('the ended notice carries the direction (missed-call semantics are inbound only)', () => {
    const { calls, record } = withCall();
    const result = transition(calls, { kind: 'decline', key: record.key }, ctx());
    expect(result.effects.at(-1)).toMatchObject({
      kind: 'notify',
      notice: { kind: 'ended', direction: 'inbound', reason: 'declined' },
    });
  });
});
