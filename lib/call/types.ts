/**
 * The call machine's data: one record per call, the events it reacts to, and the effects it asks
 * for (requests, media commands, call events for the UI). Transitions (transition.ts) are pure
 * functions of these; the interpreter (interpreter.ts) performs the effects.
 */
import type { CallDevice, CallSpec } from '../webex/calls';
import type { RoapMessage } from '../webex/roap';
import type { CallerId } from './caller-id';

export type CallState =
  /** Incoming, alerting (PATCH sig_alerting sent); the 60 s ring timer runs. */
  | 'ringing'
  /** Answer clicked: microphone, PATCH sig_connected, ROAP ANSWER, waiting for OK (10 s). */
  | 'answering'
  | 'connected'
  /** Final; the record is dropped once the effects are out. */
  | 'ended';

/** Why a call ended, as the UI and the call log see it. */
export type EndReason =
  | 'declined'
  /** The caller gave up, or the 60 s ring timeout: a missed-call notification. */
  | 'missed'
  /** The line was on another call: the caller got busy; shown as missed. */
  | 'busy'
  /** Picked up on another of the user's devices: not a missed call. */
  | 'answeredElsewhere'
  /** Rang while no microphone was usable: left to ring elsewhere, logged missed here. */
  | 'micBlocked'
  /** The microphone failed at Answer (DELETE 131). */
  | 'micFailed'
  | 'remoteHangup'
  | 'localHangup'
  /** A request, media or deadline failed; `detail` says which. */
  | 'failed';

export interface CallRecord {
  /** Our per-call UUID: the `correlationId` of every request, and the record's key. */
  key: string;
  callId: string;
  deviceId: string;
  direction: 'inbound';
  state: CallState;
  callerId: CallerId;
  /** The microphone was unusable when the call arrived: Answer is refused, nothing sent. */
  micBlocked: boolean;
  /** ROAP (SDK `Call.seq`): last seq received in an OFFER. */
  seq: number;
  /** An OFFER that arrived before Answer, fed to media at Answer (SDK `remoteRoapMessage`). */
  pendingOffer: RoapMessage | null;
  /** The microphone was acquired after Answer. */
  micReady: boolean;
  /** Media has the offer and produces an answer; PATCH connected sent. */
  offerTaken: boolean;
  /** ANSWER posted, waiting for the remote OK. */
  answerSent: boolean;
  ringingSince: number;
  answeringSince: number | null;
  connectedAt: number | null;
  /** Last call keepalive (`POST …/status`) sent, or the time the call connected. */
  keepaliveFrom: number | null;
  /** Retries after a 500/503 on the keepalive (SDK: at most 4). */
  keepaliveRetries: number;
  /** A retry was asked for at this time (Retry-After or 30 s). */
  keepaliveRetryAt: number | null;
  /** The keepalive stopped for good (a failure the SDK does not retry); the call goes on. */
  keepaliveStopped: boolean;
  /** A status check (Mercury back online) is in flight. */
  statusCheck: boolean;
  endReason?: EndReason;
  detail?: string;
}

export interface Calls {
  calls: Record<string, CallRecord>;
}

export type TimerName = 'ring' | 'connect' | 'keepalive';

export type RequestOutcome =
  | { ok: true }
  | { ok: false; status?: number; retryAfter?: number; message: string };

/** Events the machine reacts to (Mercury events are routed into these by router.ts). */
export type CallEvent =
  | {
      kind: 'incoming';
      callId: string;
      deviceId: string;
      callerId: CallerId;
    }
  | { kind: 'remoteOffer'; key: string; roap: RoapMessage }
  | { kind: 'remoteOk'; key: string; seq: number }
  | { kind: 'remoteDisconnect'; key: string; answeredElsewhere: boolean }
  | { kind: 'answer'; key: string }
  | { kind: 'decline'; key: string }
  | { kind: 'hangup'; key: string }
  | { kind: 'micReady'; key: string }
  | { kind: 'micFailed'; key: string; message: string }
  | { kind: 'localAnswer'; key: string; sdp: string }
  | { kind: 'mediaFailed'; key: string; message: string }
  | { kind: 'requestDone'; key: string; tag: CallSpec['tag']; outcome: RequestOutcome }
  | { kind: 'timer'; key: string; name: TimerName }
  /** Mercury is back after a drop: every active call checks its status (§1.5). */
  | { kind: 'mercuryOnline' };

export type MediaCommand =
  /** getUserMedia for the chosen microphone; answers micReady / micFailed. */
  | { kind: 'acquireMic' }
  /** Create the peer connection with the remote OFFER; answers localAnswer / mediaFailed. */
  | { kind: 'answerOffer'; sdp: string }
  /** The remote OK arrived: media is established. */
  | { kind: 'established' }
  /** Close the peer connection and stop the microphone. */
  | { kind: 'close' };

/** What the UI, the notifications and the call log hear. */
export type CallNotice =
  | { kind: 'incoming'; key: string; callerId: CallerId; micBlocked: boolean }
  | { kind: 'answerRefused'; key: string; reason: 'micBlocked' }
  | { kind: 'established'; key: string }
  | { kind: 'ended'; key: string; reason: EndReason; callerId: CallerId; detail?: string };

export type Effect =
  | { kind: 'request'; key: string; spec: CallSpec }
  | { kind: 'media'; key: string; command: MediaCommand }
  | { kind: 'notify'; notice: CallNotice };

export interface CallContext {
  now: number;
  /** Whether a microphone is usable now (permission granted, a device present). */
  micUsable: boolean;
  /** A fresh UUID (correlation ids, media ids). */
  newId(): string;
}

export const deviceOf = (record: CallRecord): CallDevice => ({
  deviceId: record.deviceId,
  correlationId: record.key,
});
