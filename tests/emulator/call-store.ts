/** Calls Mobius is carrying to and from a user's line (mobius-calls.md §2, §4, §5), by callId. */
import type { CalleeBehaviour } from './callees';
import type { MediaCounters, MediaPeer, ReceivedLevel } from './media-peer';
import type { MobiusServerName } from './types';

export type CallState =
  /**
   * Incoming: offered (mobius.call + OFFER pushed), not yet answered. Outgoing: the setup was
   * accepted and the callee rings.
   */
  | 'ringing'
  /**
   * Incoming: PATCH sig_connected or the ROAP ANSWER arrived; waiting for the other. Outgoing:
   * callconnected sent, the client's ROAP OK not yet in (or the other way round).
   */
  | 'connecting'
  /** Incoming: sig_connected and ANSWER both in, OK sent. Outgoing: callconnected and OK. */
  | 'connected'
  | 'ended';

export interface CallEnd {
  /**
   * Who ended it: the client's DELETE, the caller of an incoming call (hang-up, gave up
   * ringing), the callee of an outgoing one (hang-up, busy, declined, the setup failed), or
   * the transfer (the call ends for the transferor).
   */
  by: 'client' | 'caller' | 'callee';
  reason: 'deleted' | 'hangup' | 'gaveUp' | 'busy' | 'declined' | 'failed' | 'transferred';
  causecode?: number;
  cause?: string;
  at: number;
}

export interface Caller {
  name: string;
  number: string;
}

export interface Transfer {
  /** `blindTransferContext.destination`, as the client sent it. */
  to: string;
  at: number;
}

export interface EmuCall {
  callId: string;
  direction: 'inbound' | 'outbound';
  userId: string;
  /** The Mobius device (line) the call was offered to. */
  deviceId: string;
  server: MobiusServerName;
  /** Incoming: the remote caller. Outgoing: the line's own user. */
  caller: Caller;
  /** Outgoing: the dialled party (number as sent, without `tel:`). */
  callee?: Caller;
  /** Outgoing: how the callee behaves (from the `callees` registry when the call was placed). */
  behaviour?: CalleeBehaviour;
  state: CallState;
  /** Learnt from the client's first request, echoed in every later event (§1.7). */
  correlationId: string | null;
  alerted: boolean;
  connectedPatch: boolean;
  /** Outgoing: mobius.callconnected was sent. */
  connectedEvent: boolean;
  /** Seq of the latest OFFER (the emulator's, or the client's in the outgoing setup) (§3). */
  offerSeq: number;
  /** Who made that OFFER. */
  offerBy: 'emulator' | 'client';
  /** The latest OFFER has its ANSWER (the client's, or the emulator's for a client offer). */
  answered: boolean;
  /** The emulator's OK for the client's ANSWER went out. */
  okSent: boolean;
  /** The client's OK for the emulator's ANSWER (outgoing setup) came in. */
  okReceived: boolean;
  roapErrors: string[];
  held: boolean;
  /** Completed holds and resumes (HELD / CONNECTED midCallService events sent). */
  holds: number;
  resumes: number;
  /** A hold or resume between its 200 and its midCallService event (re-offer under way). */
  midCall: 'hold' | 'resume' | null;
  transfers: Transfer[];
  /** Outgoing: the setup failed with this (the callee's `fail`), no callId went out. */
  failedSetup?: { status: number; errorCode?: number };
  createdAt: number;
  endedAt: number | null;
  end: CallEnd | null;
  /** The client sent its DELETE (after its own hang-up, or after the caller's). */
  deleted: boolean;
  /**
   * The client named the callId in a request (a call path or a services body): it had the
   * setup's 200. Until then its DELETE goes to `DefaultLocalId_<uuid>` (§5 step 7).
   */
  callIdUsed: boolean;
  /** Call keepalives (`POST …/status`) answered. */
  statusChecks: number;
  /** The client's tone frequency the caller listens for (view: `heard.tone`). */
  listenHz: number;
  peer: MediaPeer;
  ringTimer?: ReturnType<typeof setTimeout>;
  /** Runs once after the emulator's next ROAP OK (a re-offer's continuation). */
  afterOk?: () => void;
}

export interface CallView {
  callId: string;
  direction: 'inbound' | 'outbound';
  userId: string;
  deviceId: string;
  server: MobiusServerName;
  caller: Caller;
  callee?: Caller;
  behaviour?: CalleeBehaviour;
  state: CallState;
  correlationId: string | null;
  alerted: boolean;
  connectedPatch: boolean;
  connectedEvent: boolean;
  offerSeq: number;
  offerBy: 'emulator' | 'client';
  answered: boolean;
  okSent: boolean;
  okReceived: boolean;
  roapErrors: string[];
  held: boolean;
  holds: number;
  resumes: number;
  midCall: 'hold' | 'resume' | null;
  transfers: Transfer[];
  failedSetup?: { status: number; errorCode?: number };
  /** RFC 4733 digits the remote party received, in order. */
  digits: string;
  createdAt: number;
  endedAt: number | null;
  end: CallEnd | null;
  deleted: boolean;
  callIdUsed: boolean;
  statusChecks: number;
  listenHz: number;
  /** The remote party's RTP counters, and the level of what it hears (tone: at listenHz). */
  media: MediaCounters;
  heard: ReceivedLevel;
  /** What the remote party sends: its tone, and whether it sends at all (not while held). */
  sent: { toneHz: number; amplitude: number; sending: boolean };
}

/** Long demos must not grow without bound. */
const MAX_CALLS = 1000;

export class CallStore {
  private readonly calls = new Map<string, EmuCall>();
  private readonly added = new Set<(call: EmuCall) => void>();
  /** Outgoing calls already handed out by `nextOutgoing`. */
  private readonly handedOut = new WeakSet<EmuCall>();
  private readonly faultedSetups = new Set<string>();

  add(call: EmuCall): void {
    if (this.calls.size >= MAX_CALLS) {
      const oldest = [...this.calls.values()].find((c) => c.state === 'ended');
      if (oldest) this.calls.delete(oldest.callId);
    }
    this.calls.set(call.callId, call);
    for (const listener of [...this.added]) listener(call);
  }

  /**
   * The oldest outgoing call to `number` not yet handed out by an earlier call of this, once
   * it is placed: each call is handed out once, so a test placing two calls in a row gets both.
   */
  nextOutgoing(matches: (call: EmuCall) => boolean, timeoutMs: number): Promise<EmuCall> {
    const take = (call: EmuCall) => {
      if (call.direction !== 'outbound' || this.handedOut.has(call) || !matches(call)) return false;
      this.handedOut.add(call);
      return true;
    };
    const found = [...this.calls.values()].find(take);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const listener = (call: EmuCall) => {
        if (!take(call)) return;
        clearTimeout(timer);
        this.added.delete(listener);
        resolve(call);
      };
      const timer = setTimeout(() => {
        this.added.delete(listener);
        reject(new Error('emulator: timed out waiting for an outgoing call'));
      }, timeoutMs);
      this.added.add(listener);
    });
  }

  /** A failed setup's call, found by the correlationId its DefaultLocalId DELETE carries. */
  failedSetup(deviceId: string, correlationId: unknown): EmuCall | undefined {
    return [...this.calls.values()].find(
      (c) => c.failedSetup && c.deviceId === deviceId && c.correlationId === correlationId,
    );
  }

  /**
   * An outgoing call whose 200 the client had not read when it hung up: the SDK DELETEs its
   * placeholder with the call's correlationId when `mobius.calldisconnected` (or its own
   * `end()`) comes before the setup's response is processed (§5 step 7, the same path).
   */
  unreadSetup(deviceId: string, correlationId: unknown): EmuCall | undefined {
    return [...this.calls.values()].find(
      (c) =>
        c.direction === 'outbound' &&
        !c.failedSetup &&
        !c.callIdUsed &&
        !c.deleted &&
        c.deviceId === deviceId &&
        c.correlationId === correlationId,
    );
  }

  /** A setup an injected fault answered: no call exists, but its DefaultLocalId DELETE is due. */
  noteFaultedSetup(deviceId: string, correlationId: string): void {
    if (this.faultedSetups.size >= MAX_CALLS) this.faultedSetups.clear();
    this.faultedSetups.add(`${deviceId} ${correlationId}`);
  }

  /** True once per faulted setup (its DELETE). */
  takeFaultedSetup(deviceId: string, correlationId: unknown): boolean {
    return this.faultedSetups.delete(`${deviceId} ${String(correlationId)}`);
  }

  get(callId: string): EmuCall | undefined {
    return this.calls.get(callId);
  }

  list(userId?: string): EmuCall[] {
    return [...this.calls.values()].filter((c) => userId === undefined || c.userId === userId);
  }

  /** Ends every call and its media (reset, close). */
  clear(): Promise<void> {
    const peers = [...this.calls.values()].map((c) => {
      if (c.ringTimer) clearTimeout(c.ringTimer);
      return c.peer.close().catch(() => {});
    });
    this.calls.clear();
    this.faultedSetups.clear();
    return Promise.all(peers).then(() => {});
  }
}

export function callView(call: EmuCall): CallView {
  const { peer, ringTimer: _, afterOk: __, ...rest } = call;
  return {
    ...rest,
    caller: { ...call.caller },
    ...(call.callee ? { callee: { ...call.callee } } : {}),
    ...(call.behaviour ? { behaviour: { ...call.behaviour } } : {}),
    ...(call.failedSetup ? { failedSetup: { ...call.failedSetup } } : {}),
    roapErrors: [...call.roapErrors],
    transfers: call.transfers.map((t) => ({ ...t })),
    digits: peer.digits,
    end: call.end ? { ...call.end } : null,
    media: { ...peer.counters },
    heard: peer.level(call.listenHz),
    sent: { toneHz: peer.tone.frequencyHz, amplitude: peer.tone.amplitude, sending: peer.sending },
  };
}
