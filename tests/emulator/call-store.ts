/** Calls Mobius is carrying to a user's line (mobius-calls.md §2, §4), keyed by callId. */
import type { MediaCounters, MediaPeer, ReceivedLevel } from './media-peer';
import type { MobiusServerName } from './types';

export type CallState =
  /** Offered (mobius.call + OFFER pushed), not yet answered. */
  | 'ringing'
  /** PATCH sig_connected or the ROAP ANSWER arrived; waiting for the other. */
  | 'connecting'
  /** Answered: sig_connected and ANSWER both in, OK sent. */
  | 'connected'
  | 'ended';

export interface CallEnd {
  /** Who ended it: the client's DELETE, or the caller (hang-up, gave up ringing). */
  by: 'client' | 'caller';
  reason: 'deleted' | 'hangup' | 'gaveUp';
  causecode?: number;
  cause?: string;
  at: number;
}

export interface Caller {
  name: string;
  number: string;
}

export interface EmuCall {
  callId: string;
  userId: string;
  /** The Mobius device (line) the call was offered to. */
  deviceId: string;
  server: MobiusServerName;
  caller: Caller;
  state: CallState;
  /** Learnt from the client's first request, echoed in every later event (§1.7). */
  correlationId: string | null;
  alerted: boolean;
  connectedPatch: boolean;
  /** Seq of the emulator's OFFER; the ANSWER must carry it (§3). */
  offerSeq: number;
  answered: boolean;
  okSent: boolean;
  roapErrors: string[];
  createdAt: number;
  endedAt: number | null;
  end: CallEnd | null;
  /** The client sent its DELETE (after its own hang-up, or after the caller's). */
  deleted: boolean;
  /** Call keepalives (`POST …/status`) answered. */
  statusChecks: number;
  /** The client's tone frequency the caller listens for (view: `heard.tone`). */
  listenHz: number;
  peer: MediaPeer;
  ringTimer?: ReturnType<typeof setTimeout>;
}

export interface CallView {
  callId: string;
  userId: string;
  deviceId: string;
  server: MobiusServerName;
  caller: Caller;
  state: CallState;
  correlationId: string | null;
  alerted: boolean;
  connectedPatch: boolean;
  answered: boolean;
  okSent: boolean;
  roapErrors: string[];
  createdAt: number;
  endedAt: number | null;
  end: CallEnd | null;
  deleted: boolean;
  statusChecks: number;
  listenHz: number;
  /** The remote party's RTP counters, and the level of what it hears (tone: at listenHz). */
  media: MediaCounters;
  heard: ReceivedLevel;
}

/** Long demos must not grow without bound. */
const MAX_CALLS = 1000;

export class CallStore {
  private readonly calls = new Map<string, EmuCall>();

  add(call: EmuCall): void {
    if (this.calls.size >= MAX_CALLS) {
      const oldest = [...this.calls.values()].find((c) => c.state === 'ended');
      if (oldest) this.calls.delete(oldest.callId);
    }
    this.calls.set(call.callId, call);
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
    return Promise.all(peers).then(() => {});
  }
}

export function callView(call: EmuCall): CallView {
  const { peer, ringTimer: _, ...rest } = call;
  return {
    ...rest,
    caller: { ...call.caller },
    roapErrors: [...call.roapErrors],
    end: call.end ? { ...call.end } : null,
    media: { ...peer.counters },
    heard: peer.level(call.listenHz),
  };
}
