/**
 * Building blocks of the call transitions: start an incoming record, end a call with the SDK's
 * request and cause code, take a buffered offer. Each returns the new record and its effects.
 */
import type { CauseName } from '../webex/calls';
import type { CallerId } from './caller-id';
import { type CallContext, type CallRecord, deviceOf, type Effect, type EndReason } from './types';

export interface Step {
  record: CallRecord;
  effects: Effect[];
}

export function newIncoming(
  ctx: CallContext,
  callId: string,
  deviceId: string,
  callerId: CallerId,
): CallRecord {
  return {
    key: ctx.newId(),
    callId,
    deviceId,
    direction: 'inbound',
    state: 'ringing',
    callerId,
    micBlocked: !ctx.micUsable,
    seq: 1,
    pendingOffer: null,
    micReady: false,
    offerTaken: false,
    answerSent: false,
    ringingSince: ctx.now,
    answeringSince: null,
    connectedAt: null,
    keepaliveFrom: null,
    keepaliveRetries: 0,
    keepaliveRetryAt: null,
    keepaliveStopped: false,
    statusCheck: false,
  };
}

/**
 * End a call: DELETE with `cause` (null = no DELETE at all), close media if it was started,
 * tell the UI. Cause per SDK `setDisconnectReason`: 0 once connected, 115 inbound never
 * connected, 131 microphone failure at Answer.
 */
export function endCall(
  record: CallRecord,
  reason: EndReason,
  cause: CauseName | null,
  detail?: string,
): Step {
  const effects: Effect[] = [];
  if (cause !== null) {
    effects.push({
      kind: 'request',
      key: record.key,
      spec: { tag: 'delete', device: deviceOf(record), callId: record.callId, cause },
    });
  }
  if (record.state !== 'ringing') {
    effects.push({ kind: 'media', key: record.key, command: { kind: 'close' } });
  }
  const ended: CallRecord = { ...record, state: 'ended', endReason: reason };
  if (detail !== undefined) ended.detail = detail;
  const notice = { kind: 'ended' as const, key: record.key, reason, callerId: record.callerId };
  effects.push({ kind: 'notify', notice: detail === undefined ? notice : { ...notice, detail } });
  return { record: ended, effects };
}

/** The cause the SDK sends when the user or a failure ends this call. */
export const causeFor = (record: CallRecord): CauseName =>
  record.connectedAt !== null ? 'normal' : 'busy';

/** Feed the buffered OFFER to media and PATCH sig_connected in parallel (SDK order). */
export function takeOffer(record: CallRecord): Step {
  const offer = record.pendingOffer;
  if (!offer?.sdp) return { record, effects: [] };
  return {
    record: { ...record, pendingOffer: null, offerTaken: true, seq: offer.seq },
    effects: [
      { kind: 'media', key: record.key, command: { kind: 'answerOffer', sdp: offer.sdp } },
      {
        kind: 'request',
        key: record.key,
        spec: { tag: 'connected', device: deviceOf(record), callId: record.callId },
      },
    ],
  };
}
