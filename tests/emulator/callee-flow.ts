/**
 * The emulator's remote party after the call is up or placed: the callee of an outgoing call
 * (mobius-calls.md §5, §8.5 item 4) answering the client's OFFER with its werift peer, and the
 * mid-call services of either direction (§6): hold/resume with a ROAP re-offer and the
 * `midCallService` event, and the end of a blind-transferred call.
 */

import { callerEnds, callerId, pushCallEvent } from './call-flow';
import type { Caller, EmuCall } from './call-store';
import { DEFAULT_ANSWER_AFTER_MS } from './callees';
import type { EmulatorState } from './state';

/**
 * The callee's script, started once the setup's 200 is on its way. Every event carries the
 * setup's correlationId (§1.7: callprogress and callconnected are looked up by it).
 */
export async function runCallee(
  state: EmulatorState,
  call: EmuCall,
  offerSdp: string,
): Promise<void> {
  const b = call.behaviour ?? {};
  // The client may have DELETEd it already (a cancel before the first event).
  if (ended(call)) return;
  if (b.busy) {
    // A busy callee refuses at once: no progress, straight to the disconnect (see CalleeBehaviour).
    callerEnds(state, call, 'busy');
    return;
  }
  let answerSdp: string;
  try {
    answerSdp = await call.peer.answer(offerSdp);
  } catch (err) {
    if (ended(call)) return;
    call.roapErrors.push(`emulator could not answer the OFFER: ${String(err)}`);
    // Mobius cannot set the call up without media: it ends it.
    callerEnds(state, call, 'hangup');
    return;
  }
  if (call.state === 'ended') return;
  const order = b.order ?? 'answerThenConnect';
  if (order === 'answerThenConnect') {
    pushCallEvent(state, call, 'mobius.callprogress', {
      callProgressData: { alerting: true, inbandMedia: b.earlyMedia === true },
      callerId: calleeId(call),
    });
    call.alerted = true;
    sendAnswer(state, call, answerSdp);
  }
  if (b.ringForever) return;
  call.ringTimer = setTimeout(() => {
    if (call.state === 'ended') return;
    if (b.decline) {
      callerEnds(state, call, 'declined');
      return;
    }
    connect(state, call);
    if (order === 'connectThenAnswer') sendAnswer(state, call, answerSdp);
  }, b.answerAfterMs ?? DEFAULT_ANSWER_AFTER_MS);
  call.ringTimer.unref?.();
}

/** Read through a call so that TypeScript does not keep a narrowing across awaits. */
function ended(call: EmuCall): boolean {
  return call.state === 'ended';
}

/** §5 step 4: the callee's ANSWER to the client's OFFER seq 1; the client's OK must follow. */
function sendAnswer(state: EmulatorState, call: EmuCall, sdp: string): void {
  pushCallEvent(state, call, 'mobius.media', {
    message: { messageType: 'ANSWER', seq: call.offerSeq, version: '2', sdp },
  });
  call.answered = true;
  call.peer.recheck();
}

/** §5 step 5: the callee answered; its audio starts (early media already flows). */
function connect(state: EmulatorState, call: EmuCall): void {
  pushCallEvent(state, call, 'mobius.callconnected', { callerId: calleeId(call) });
  call.connectedEvent = true;
  call.peer.sending = true;
  call.state = call.okReceived ? 'connected' : 'connecting';
  call.peer.recheck();
}

/** The client's OK for the callee's ANSWER: the call is up once callconnected went out too. */
export function clientOk(call: EmuCall): void {
  call.okReceived = true;
  if (call.connectedEvent && call.state === 'connecting') call.state = 'connected';
}

/**
 * §6 hold/resume after the 200: a ROAP re-offer (seq + 1) from the remote party, and once the
 * client's ANSWER got its OK, `mobius.call` with `midCallService` callState HELD / CONNECTED
 * (the order the unmodified SDK was seen to accept, §9b). The re-offer's direction is
 * `sendonly` for hold and `sendrecv` for resume: what Mobius really offers is unconfirmed
 * (§6), it may as well be `inactive`. The remote party stops sending at once on hold and
 * starts again when the resume completes.
 */
export async function renegotiate(
  state: EmulatorState,
  call: EmuCall,
  kind: 'hold' | 'resume',
): Promise<void> {
  call.midCall = kind;
  if (kind === 'hold') call.peer.sending = false;
  let sdp: string;
  try {
    sdp = await call.peer.reoffer(kind === 'hold' ? 'sendonly' : 'sendrecv');
  } catch (err) {
    call.roapErrors.push(`emulator could not re-offer: ${String(err)}`);
    call.midCall = null;
    return;
  }
  if (call.state === 'ended') return;
  call.offerSeq += 1;
  call.offerBy = 'emulator';
  call.answered = false;
  call.afterOk = () => midCallDone(state, call, kind);
  pushCallEvent(state, call, 'mobius.media', {
    message: { messageType: 'OFFER', seq: call.offerSeq, version: '2', sdp },
  });
  call.peer.recheck();
}

function midCallDone(state: EmulatorState, call: EmuCall, kind: 'hold' | 'resume'): void {
  call.midCall = null;
  if (kind === 'hold') {
    call.held = true;
    call.holds++;
  } else {
    call.held = false;
    call.resumes++;
    call.peer.sending = true;
  }
  // §1.6: the SDK routes it by correlationId and handles each item (callInfo: caller id again).
  pushCallEvent(state, call, 'mobius.call', {
    midCallService: [
      { eventType: 'callInfo', eventData: { callerId: callerId(remoteParty(call)) } },
      { eventType: 'callState', eventData: { callState: kind === 'hold' ? 'HELD' : 'CONNECTED' } },
    ],
  });
}

/** The remote party of the call: the callee of an outgoing call, the caller of an incoming one. */
export function remoteParty(call: EmuCall): Caller {
  return call.direction === 'outbound' && call.callee ? call.callee : call.caller;
}

function calleeId(call: EmuCall) {
  return callerId(remoteParty(call));
}
