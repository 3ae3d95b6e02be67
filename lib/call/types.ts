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
  /** Outgoing: microphone, local OFFER, setup POST (10 s once sent), no progress yet. */
  | 'dialing'
  /** Outgoing: `mobius.callprogress` seen, the callee rings (60 s, restarted by each progress). */
  | 'ringback'
  /** Outgoing: `mobius.callconnected` seen, waiting for the media to be negotiated (10 s). */
  | 'connecting'
  | 'connected'
  /**
   * Hung up while the setup POST was in flight: the UI has heard the call ended; the record waits
   * (setup timer) for Mobius's callId so the DELETE ends the real call, not a placeholder.
   */
  | 'releasing'
  /** Final; the record is dropped once the effects are out. */
  | 'ended';

/** Why a call ended, as the UI and the call log see it. */
export type EndReason =
  | 'declined'
  /** The caller gave up, or the 60 s ring timeout: a missed-call notification. */
  | 'missed'
  /**
   * Inbound: the line was on another call, the caller got busy (shown as missed). Outbound: the
   * callee was busy (errorCode 115, or a disconnect saying so): never a missed call.
   */
  | 'busy'
  /** Picked up on another of the user's devices: not a missed call. */
  | 'answeredElsewhere'
  /** Rang while no microphone was usable: left to ring elsewhere, logged missed here. */
  | 'micBlocked'
  /** The microphone failed at Answer (DELETE 131). */
  | 'micFailed'
  | 'remoteHangup'
  | 'localHangup'
  /** Outgoing: Mobius said calling services are not available (errorCode 120). */
  | 'unavailable'
  /** Outgoing: Mobius rejected the call (errorCode 119). */
  | 'rejected'
  /** Outgoing: no answer within the progress window (60 s). */
  | 'notAnswered'
  /** Blind transfer accepted, then Mobius disconnected this leg. */
  | 'transferred'
  /** A request, media or deadline failed; `detail` says which. */
  | 'failed';

export interface CallRecord {
  /** Our per-call UUID: the `correlationId` of every request, and the record's key. */
  key: string;
  callId: string;
  deviceId: string;
  direction: 'inbound' | 'outbound';
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
  /**
   * Inbound: media has the offer and produces an answer; PATCH connected sent. Outbound: media
   * has the remote ANSWER to our OFFER.
   */
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
  /** Outgoing: Mobius has given the call its id (setup response); until then a placeholder. */
  callIdKnown: boolean;
  /** Outgoing: the setup POST went out at this time (the 10 s setup timer). */
  setupSentAt: number | null;
  /** Outgoing: the last `mobius.callprogress` (the 60 s progress timer restarts with each). */
  progressAt: number | null;
  /** Outgoing: `mobius.callconnected` arrived at this time (the 10 s connect timer). */
  remoteConnectedAt: number | null;
  /** Outgoing: the remote ANSWER is applied and our OK posted (SDK mediaNegotiationCompleted). */
  mediaNegotiated: boolean;
  /** Outgoing: the callee's network plays audio before the answer (`inbandMedia`). */
  earlyMedia: boolean;
  /** A ROAP exchange started by a mid-call OFFER: our ANSWER is out (or being made) for this seq. */
  midCallRoap: number | null;
  /** Held (Mobius confirmed with `midCallService` HELD; cleared by CONNECTED). */
  held: boolean;
  /** A hold or resume request is out and not yet confirmed. */
  holdPending: 'hold' | 'resume' | null;
  /** The hold/resume POST succeeded at this time: the 10 s confirmation timer runs. */
  holdWaitFrom: number | null;
  /** Call waiting: answer this (ringing) call once the call with this key is held. */
  answerAfterHold: string | null;
  /** Blind transfer: the commit is out ('pending') or accepted ('done', waiting for Mobius). */
  transfer: 'pending' | 'done' | null;
  /** The last mid-call service that failed (the call goes on), for the view. */
  serviceError: ServiceError | null;
  endReason?: EndReason;
  detail?: string;
}

/** A mid-call failure the user sees without the call ending (SDK hold_error, …). */
export interface ServiceError {
  kind: 'hold' | 'resume' | 'transfer' | 'digits';
  detail: string;
}

export interface Calls {
  calls: Record<string, CallRecord>;
}

export type TimerName = 'ring' | 'connect' | 'keepalive' | 'setup' | 'progress' | 'hold';

export type RequestOutcome =
  /** `callId`: the setup POST's `body.callId`. */
  | { ok: true; callId?: string }
  | {
      ok: false;
      status?: number;
      retryAfter?: number;
      /** Mobius `errorCode` of a 403/503 body (§2: 115 busy, 119 rejected, 120 not available…). */
      errorCode?: number;
      /** The body had no content (the SDK's "no body" rows). */
      noBody?: boolean;
      message: string;
    };

/** Events the machine reacts to (Mercury events are routed into these by router.ts). */
export type CallEvent =
  | {
      kind: 'incoming';
      callId: string;
      deviceId: string;
      callerId: CallerId;
    }
  | { kind: 'remoteOffer'; key: string; roap: RoapMessage }
  | { kind: 'remoteAnswer'; key: string; roap: RoapMessage }
  | { kind: 'remoteOk'; key: string; seq: number }
  /** `busy`: the disconnect says the other side was busy (outgoing calls). */
  | { kind: 'remoteDisconnect'; key: string; answeredElsewhere: boolean; busy?: boolean }
  /** `mobius.callprogress` (outgoing). */
  | { kind: 'progress'; key: string; inbandMedia: boolean; callerId?: CallerId }
  /** `mobius.callconnected` (outgoing). */
  | { kind: 'remoteConnect'; key: string }
  /** `mobius.call` with `midCallService`: the call state Mobius reports, and caller id news. */
  | { kind: 'midCall'; key: string; callState?: string; callerId?: CallerId }
  /** Place a call: `key` (the worker's) becomes the record key and correlationId. */
  | { kind: 'dial'; key: string; deviceId: string; number: string }
  | { kind: 'hold'; key: string; held: boolean }
  | { kind: 'digits'; key: string; digits: string }
  | { kind: 'transfer'; key: string; to: string }
  | { kind: 'answer'; key: string }
  | { kind: 'decline'; key: string }
  | { kind: 'hangup'; key: string }
  | { kind: 'micReady'; key: string }
  | { kind: 'micFailed'; key: string; message: string }
  | { kind: 'localAnswer'; key: string; sdp: string }
  | { kind: 'localOffer'; key: string; sdp: string }
  /** The remote ANSWER to our OFFER is applied. */
  | { kind: 'answerApplied'; key: string }
  /** insertDTMF failed (reported only, as the SDK logs it). */
  | { kind: 'digitsFailed'; key: string; message: string }
  | { kind: 'mediaFailed'; key: string; message: string }
  | { kind: 'requestDone'; key: string; tag: CallSpec['tag']; outcome: RequestOutcome }
  | { kind: 'timer'; key: string; name: TimerName }
  /** Mercury is back after a drop: every active call checks its status (§1.5). */
  | { kind: 'mercuryOnline' };

export type MediaCommand =
  /** getUserMedia for the chosen microphone; answers micReady / micFailed. */
  | { kind: 'acquireMic' }
  /**
   * Answer a remote OFFER: the first one creates the peer connection, a later one (mid-call
   * re-offer, e.g. hold/resume) renegotiates it; answers localAnswer / mediaFailed.
   */
  | { kind: 'answerOffer'; sdp: string }
  /** Outgoing: create the peer connection and our OFFER; answers localOffer / mediaFailed. */
  | { kind: 'createOffer' }
  /** Outgoing: apply the remote ANSWER to our OFFER; answers answerApplied / mediaFailed. */
  | { kind: 'applyAnswer'; sdp: string }
  /** Keypad tones on the audio sender (RFC 4733); answers null or digitsFailed. */
  | { kind: 'insertDTMF'; tones: string }
  /** The remote OK arrived: media is established. */
  | { kind: 'established' }
  /** Close the peer connection and stop the microphone. */
  | { kind: 'close' };

/** What the UI, the notifications and the call log hear. */
export type CallNotice =
  | { kind: 'incoming'; key: string; callerId: CallerId; micBlocked: boolean }
  | { kind: 'answerRefused'; key: string; reason: 'micBlocked' }
  | { kind: 'established'; key: string }
  | {
      kind: 'ended';
      key: string;
      reason: EndReason;
      callerId: CallerId;
      direction: CallRecord['direction'];
      detail?: string;
    };

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
