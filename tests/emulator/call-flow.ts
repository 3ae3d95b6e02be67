/**
 * The emulator's side of an incoming call (mobius-calls.md §4, §8.5 item 3): ring a user's
 * line from a named caller with a real media peer, answer the client's ROAP ANSWER with OK,
 * and let the caller hang up or give up. Events go out over Mercury with the SDK's shapes.
 */
import { type Caller, callView, type EmuCall } from './call-store';
import { newUuid } from './ids';
import { MediaPeer } from './media-peer';
import type { EmulatorState } from './state';
import { userByEmail } from './users';

export interface RingOptions {
  email: string;
  callerName?: string;
  callerNumber?: string;
  /**
   * The caller gives up after this long unanswered (mobius.calldisconnected). Mobius's own
   * ring-no-answer timer is unconfirmed (§4): by default the caller never gives up, and the
   * client's own 60 s timeout (SDK) is what ends an unanswered call.
   */
  ringTimeoutMs?: number;
  toneHz?: number;
  /** The frequency the caller listens for in what the client sends (default 440 Hz). */
  listenHz?: number;
  /** 0..1 of full scale; 0 = the caller says nothing. */
  amplitude?: number;
}

export const DEFAULT_CALLER: Caller = { name: 'Bob Marley', number: '+12142865895' };

/** Rings the user's newest live line; a string says why it cannot. */
export async function ringUser(
  state: EmulatorState,
  options: RingOptions,
): Promise<EmuCall | string> {
  const user = userByEmail(options.email);
  if (!user) return `no test user ${options.email}`;
  const lines = state.mobius.list(state.liveness(), user.id).filter((d) => !d.keptAliveElsewhere);
  const line = lines[lines.length - 1];
  if (!line) return `${options.email} has no registered line`;
  if (!state.mercury.reachable(user.id)) return `${options.email} has no authorized Mercury socket`;
  const caller: Caller = {
    name: options.callerName ?? DEFAULT_CALLER.name,
    number: options.callerNumber ?? DEFAULT_CALLER.number,
  };
  const peer = new MediaPeer({
    ...(options.toneHz !== undefined ? { toneHz: options.toneHz } : {}),
    ...(options.amplitude !== undefined ? { amplitude: options.amplitude } : {}),
  });
  let sdp: string;
  try {
    sdp = await peer.createOffer();
  } catch (err) {
    await peer.close().catch(() => {});
    return `media peer failed: ${String(err)}`;
  }
  const call: EmuCall = {
    ...newCallFields(state),
    callId: newUuid(),
    direction: 'inbound',
    userId: user.id,
    deviceId: line.deviceId,
    server: line.server,
    caller,
    listenHz: options.listenHz ?? 440,
    peer,
  };
  state.calls.add(call);
  // §1.6 fixture shapes; the OFFER follows the setup event at once (29 ms apart in the fixture).
  pushCallEvent(state, call, 'mobius.call', {
    callerId: callerId(caller),
    callUrl: `[${state.mobiusApiUrl(call.server)}/calling/web/devices/${call.deviceId}]`,
    broadworksCorrelationInfo: `emulator_${call.callId}`,
  });
  pushCallEvent(state, call, 'mobius.media', {
    message: { messageType: 'OFFER', seq: call.offerSeq, version: '2', sdp },
  });
  if (options.ringTimeoutMs !== undefined) {
    call.ringTimer = setTimeout(() => {
      if (call.state === 'ringing') callerEnds(state, call, 'gaveUp');
    }, options.ringTimeoutMs);
    call.ringTimer.unref?.();
  }
  return call;
}

/** What every new call starts with, whichever way it goes. */
export function newCallFields(state: EmulatorState) {
  return {
    state: 'ringing' as const,
    correlationId: null,
    alerted: false,
    connectedPatch: false,
    connectedEvent: false,
    offerSeq: 1,
    offerBy: 'emulator' as const,
    answered: false,
    okSent: false,
    okReceived: false,
    roapErrors: [],
    held: false,
    holds: 0,
    resumes: 0,
    midCall: null,
    transfers: [],
    createdAt: state.now(),
    endedAt: null,
    end: null,
    deleted: false,
    callIdUsed: false,
    statusChecks: 0,
  };
}

/**
 * The remote party hangs up (or the caller gives up ringing): mobius.calldisconnected with the
 * learnt correlationId; the client is then expected to DELETE the call (§4 "Missed", §5 step
 * 6). The remote party is the caller of an incoming call and the callee of an outgoing one.
 */
export function callerEnds(
  state: EmulatorState,
  call: EmuCall,
  reason: 'hangup' | 'gaveUp' | 'busy' | 'declined' | 'transferred',
): void {
  if (call.state === 'ended') return;
  // The fixture's cause for a hang-up; busy and decline carry the SDK's own 115 "User Busy"
  // (unconfirmed: the SDK reads neither field).
  const refused = reason === 'busy' || reason === 'declined';
  pushCallEvent(state, call, 'mobius.calldisconnected', {
    causecode: refused ? 115 : 0,
    cause: refused ? 'User busy' : 'Normal disconnect',
  });
  const by =
    reason === 'transferred' ? 'client' : call.direction === 'outbound' ? 'callee' : 'caller';
  endCall(state, call, { by, reason, at: state.now() });
  call.peer.recheck();
}

export function endCall(state: EmulatorState, call: EmuCall, end: EmuCall['end']): void {
  if (call.ringTimer) clearTimeout(call.ringTimer);
  call.state = 'ended';
  call.end = end;
  call.endedAt = state.now();
  // A closed peer keeps its counters and the last window heard, so the view still reads them.
  call.peer.close().catch(() => {});
}

/** The client's ANSWER: set it on the peer, then ROAP OK with the same seq (§3, §4 step 5). */
export async function acceptAnswer(
  state: EmulatorState,
  call: EmuCall,
  sdp: string,
): Promise<void> {
  try {
    await call.peer.acceptAnswer(sdp);
  } catch (err) {
    call.roapErrors.push(`emulator could not apply the ANSWER: ${String(err)}`);
    return;
  }
  if (call.state === 'ended') return;
  pushCallEvent(state, call, 'mobius.media', {
    message: { messageType: 'OK', seq: call.offerSeq, version: '2' },
  });
  call.okSent = true;
  if (call.direction === 'inbound' && call.connectedPatch && call.state === 'connecting') {
    call.state = 'connected';
  }
  const next = call.afterOk;
  call.afterOk = undefined;
  next?.();
  call.peer.recheck();
}

export function pushCallEvent(
  state: EmulatorState,
  call: EmuCall,
  eventType: string,
  extra: Record<string, unknown>,
): number {
  return state.mercury.push(call.userId, {
    eventType,
    callId: call.callId,
    deviceId: call.deviceId,
    // "" until the client has sent its own; after that every event must carry it (§1.7).
    correlationId: call.correlationId ?? '',
    ...extra,
  });
}

/** The SDK's caller-id sources (§1.6 fixture): `from` and the BroadWorks remote party info. */
export function callerId(caller: Caller) {
  const digits = caller.number.replace(/[^\d+]/g, '');
  return {
    from: `"${caller.name.replace(/"/g, '')}" <sip:${digits}@127.0.0.1;user=phone>;tag=${newUuid()}`,
    'x-broadworks-remote-party-info': `userId="emulator@example.com";userDn="tel:${digits};country-code=1"`,
  };
}

export { callView };
