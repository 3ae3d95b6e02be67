/**
 * Mercury call events -> call machine events (reference/mobius-calls.md §1.7, SDK
 * `CallManager.dequeueWsEvents`). Unknown calls and malformed events map to null (logged by the
 * host), never to an exception.
 */
import { roapMessage } from '../webex/roap';
import { parseWith } from '../webex/validate';
import { type CallerIdHeaders, callerIdOf } from './caller-id';
import type { CallEvent, CallRecord, Calls } from './types';

export type Routed = { event: CallEvent } | { event: null; why: string };

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const skip = (why: string): Routed => ({ event: null, why });

/**
 * How Mobius says "picked up on another device" is unconfirmed. We read the SIP convention
 * (Reason text "Call completed elsewhere", cause 200) in the disconnect's `cause`/`causecode`;
 * anything else while ringing counts as missed, the safe side (a missed call is not lost).
 */
export const ANSWERED_ELSEWHERE = {
  causeText: /completed elsewhere|answered elsewhere/i,
  causeCodes: [200] as readonly number[],
};

function answeredElsewhere(data: Record<string, unknown>): boolean {
  const code = typeof data.causecode === 'number' ? data.causecode : Number(data.causecode);
  return (
    ANSWERED_ELSEWHERE.causeText.test(text(data.cause)) ||
    ANSWERED_ELSEWHERE.causeCodes.includes(code)
  );
}

/** By our correlation id when the event has one, else by Mobius's call id. */
function find(calls: Calls, data: Record<string, unknown>): CallRecord | undefined {
  const correlationId = text(data.correlationId);
  if (correlationId && calls.calls[correlationId]) return calls.calls[correlationId];
  const callId = text(data.callId);
  return callId ? Object.values(calls.calls).find((r) => r.callId === callId) : undefined;
}

export function route(
  calls: Calls,
  eventType: string,
  data: Record<string, unknown>,
  isOurDevice: (deviceId: string) => boolean,
): Routed {
  switch (eventType) {
    case 'mobius.call': {
      // Hold/resume and caller-id updates (§6) add rows here with the mid-call machine.
      if (data.midCallService !== undefined) return skip('mid-call service not handled yet');
      const callId = text(data.callId);
      const deviceId = text(data.deviceId);
      if (!callId || !deviceId) return skip('call setup without callId or deviceId');
      if (!isOurDevice(deviceId)) return skip('call setup for another device');
      if (find(calls, { callId })) return skip('repeated call setup');
      const headers = typeof data.callerId === 'object' ? (data.callerId as CallerIdHeaders) : {};
      return { event: { kind: 'incoming', callId, deviceId, callerId: callerIdOf(headers) } };
    }
    case 'mobius.media': {
      const record = find(calls, data);
      // The SDK creates an inbound call here; we only ring on `mobius.call` (safe: no ghost).
      if (!record) return skip('media for an unknown call');
      const parsed = parseWith(roapMessage, data.message, 'ROAP message');
      if (!parsed.ok) return skip(parsed.error);
      const roap = parsed.value;
      if (roap.messageType === 'OFFER')
        return { event: { kind: 'remoteOffer', key: record.key, roap } };
      if (roap.messageType === 'OK')
        return { event: { kind: 'remoteOk', key: record.key, seq: roap.seq } };
      return skip(`ROAP ${roap.messageType} not handled`);
    }
    case 'mobius.calldisconnected': {
      const record = find(calls, data);
      if (!record) return skip('disconnect for an unknown call');
      return {
        event: {
          kind: 'remoteDisconnect',
          key: record.key,
          answeredElsewhere: answeredElsewhere(data),
        },
      };
    }
    default:
      // mobius.callprogress / mobius.callconnected belong to outgoing calls (§5).
      return skip(`${eventType} not handled`);
  }
}
