/**
 * The events that start a call, which no row can take since no record exists yet: Mobius sets
 * up an incoming call (it rings, waits or meets a busy line), the user dials (refused while
 * another call is up or without a microphone).
 */
import { endCall, newIncoming, newOutgoing } from './steps';
import { type Transition, withRecord } from './transition-result';
import {
  type CallContext,
  type CallEvent,
  type CallRecord,
  type Calls,
  deviceOf,
  type Effect,
} from './types';

export function incoming(
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

export function dial(
  calls: Calls,
  e: Extract<CallEvent, { kind: 'dial' }>,
  ctx: CallContext,
): Transition {
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
