/**
 * Building blocks of the call transitions: start an incoming or outgoing record, end a call with the SDK's
 * request and cause code, take a buffered offer. Each returns the new record and its effects.
 */
import type { CauseName } from '../webex/calls';
import type { RoapMessage } from '../webex/roap';
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
    ...MID_CALL_START,
    callIdKnown: true,
  };
}

/** The fields every record starts with for outgoing setup and mid-call services. */
const MID_CALL_START = {
  callIdKnown: false,
  setupSentAt: null,
  progressAt: null,
  remoteConnectedAt: null,
  mediaNegotiated: false,
  earlyMedia: false,
  midCallRoap: null,
  held: false,
  holdPending: null,
  holdWaitFrom: null,
  answerAfterHold: null,
  transfer: null,
  serviceError: null,
} as const;

/**
 * An outgoing call (SDK `makeCall` + `dial`): the worker's key is the correlationId; the callId
 * is the SDK's `DefaultLocalId_<uuid>` placeholder until the setup response names the call.
 */
export function newOutgoing(
  ctx: CallContext,
  key: string,
  deviceId: string,
  number: string,
): CallRecord {
  return {
    ...newIncoming(ctx, `DefaultLocalId_${ctx.newId()}`, deviceId, { number }),
    key,
    direction: 'outbound',
    state: 'dialing',
    micBlocked: false,
    ...MID_CALL_START,
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
  if (record.state !== 'ringing' && record.state !== 'releasing') {
    effects.push({ kind: 'media', key: record.key, command: { kind: 'close' } });
  }
  const ended: CallRecord = { ...record, state: 'ended', endReason: reason };
  if (detail !== undefined) ended.detail = detail;
  if (record.state === 'releasing') return { record: ended, effects };
  const notice = {
    kind: 'ended' as const,
    key: record.key,
    reason,
    callerId: record.callerId,
    direction: record.direction,
  };
  effects.push({ kind: 'notify', notice: detail === undefined ? notice : { ...notice, detail } });
  return { record: ended, effects };
}

/** The cause the SDK sends when the user or a failure ends this call (`setDisconnectReason`). */
export const causeFor = (record: CallRecord): CauseName =>
  record.connectedAt !== null || record.direction === 'outbound' ? 'normal' : 'busy';

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

/** Media is up: connected, keepalive from now, the UI hears `established` (SDK handleCallEstablished). */
export function established(record: CallRecord, now: number): Step {
  return {
    record: {
      ...record,
      state: 'connected',
      connectedAt: record.connectedAt ?? now,
      keepaliveFrom: now,
      keepaliveRetryAt: null,
    },
    effects: [
      { kind: 'media', key: record.key, command: { kind: 'established' } },
      { kind: 'notify', notice: { kind: 'established', key: record.key } },
    ],
  };
}

/** A ROAP message of ours through `POST …/media` (a new mediaId each time, as the SDK). */
export function postRoap(record: CallRecord, roap: RoapMessage, ctx: CallContext): Effect {
  return {
    kind: 'request',
    key: record.key,
    spec: {
      tag: 'media',
      device: deviceOf(record),
      callId: record.callId,
      roap,
      mediaId: ctx.newId(),
    },
  };
}
