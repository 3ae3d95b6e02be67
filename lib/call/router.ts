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

/** Outgoing: a disconnect that says the callee was busy (cause 115 / "busy"; unconfirmed). */
export const CALLEE_BUSY = { causeText: /busy/i, causeCodes: [115, 17] as readonly number[] };

function calleeBusy(data: Record<string, unknown>): boolean {
  const code = typeof data.causecode === 'number' ? data.causecode : Number(data.causecode);
  return CALLEE_BUSY.causeText.test(text(data.cause)) || CALLEE_BUSY.causeCodes.includes(code);
}

const headersOf = (value: unknown): CallerIdHeaders =>
  typeof value === 'object' && value !== null ? (value as CallerIdHeaders) : {};

/**
 * `midCallService` items (SDK `handleMidCallEvent`): `callState` (HELD, CONNECTED) and
 * `callInfo` (caller id), folded into one event.
 */
function midCall(key: string, items: unknown[]): Routed {
  const event: Extract<CallEvent, { kind: 'midCall' }> = { kind: 'midCall', key };
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const { eventType, eventData } = item as { eventType?: unknown; eventData?: unknown };
    const data = typeof eventData === 'object' && eventData !== null ? eventData : {};
    if (eventType === 'callState') {
      const state = (data as { callState?: unknown }).callState;
      if (typeof state === 'string') event.callState = state;
    } else if (eventType === 'callInfo') {
      event.callerId = callerIdOf(headersOf((data as { callerId?: unknown }).callerId));
    }
  }
  if (event.callState === undefined && event.callerId === undefined)
    return skip('mid-call service without callState or callInfo');
  return { event };
}

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
      // Hold/resume and caller-id updates (§6); the SDK finds the call by correlationId.
      if (data.midCallService !== undefined) {
        if (!Array.isArray(data.midCallService)) return skip('midCallService is not a list');
        const record = find(calls, data);
        if (!record) return skip('mid-call service for an unknown call');
        return midCall(record.key, data.midCallService);
      }
      const callId = text(data.callId);
      const deviceId = text(data.deviceId);
      if (!callId || !deviceId) return skip('call setup without callId or deviceId');
      if (!isOurDevice(deviceId)) return skip('call setup for another device');
      if (find(calls, { callId })) return skip('repeated call setup');
      const callerId = callerIdOf(headersOf(data.callerId));
      return { event: { kind: 'incoming', callId, deviceId, callerId } };
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
      if (roap.messageType === 'ANSWER')
        return { event: { kind: 'remoteAnswer', key: record.key, roap } };
      if (roap.messageType === 'OK')
        return { event: { kind: 'remoteOk', key: record.key, seq: roap.seq } };
      // ERROR is only logged by the SDK; OFFER_REQUEST is not handled here (unconfirmed use).
      return skip(`ROAP ${roap.messageType} not handled`);
    }
    case 'mobius.callprogress': {
      const record = find(calls, data);
      if (!record) return skip('progress for an unknown call');
      const progress = data.callProgressData;
      const inbandMedia =
        typeof progress === 'object' && progress !== null
          ? (progress as { inbandMedia?: unknown }).inbandMedia === true
          : false;
      const event: Extract<CallEvent, { kind: 'progress' }> = {
        kind: 'progress',
        key: record.key,
        inbandMedia,
      };
      if (data.callerId !== undefined) event.callerId = callerIdOf(headersOf(data.callerId));
      return { event };
    }
    case 'mobius.callconnected': {
      const record = find(calls, data);
      if (!record) return skip('connect for an unknown call');
      return { event: { kind: 'remoteConnect', key: record.key } };
    }
    case 'mobius.calldisconnected': {
      const record = find(calls, data);
      if (!record) return skip('disconnect for an unknown call');
      return {
        event: {
          kind: 'remoteDisconnect',
          key: record.key,
          answeredElsewhere: answeredElsewhere(data),
          busy: calleeBusy(data),
        },
      };
    }
    default:
      return skip(`${eventType} not handled`);
  }
}
