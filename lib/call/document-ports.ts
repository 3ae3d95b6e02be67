/**
 * What the offscreen document's calls app (calls-app.ts) is given: the worker's messages, the
 * media and the ringtone as ports, with the clock, timers, fetch and socket. lib/platform
 * implements the media and ringtone ports against these types, never against the app itself.
 */
import type { CallingView, HeldCall, LineForCalls, MicPermission } from '../messaging/calls';
import type { Clock, Fetch, Random } from '../ports';
import type { SocketLike, Timers } from './mercury-client';
import type { CallEvent, MediaCommand } from './types';

export interface WorkerPort {
  line(): Promise<LineForCalls | null>;
  /** `Bearer …`; `rejected` is the one a server just refused (the worker refreshes). */
  token(rejected?: string): Promise<string | null>;
  update(view: CallingView, held: HeldCall[]): void;
  /** Orphans (by key) this document ended at Mobius. */
  orphansEnded(keys: string[]): void;
}

export interface MediaPort {
  run(key: string, command: MediaCommand): Promise<CallEvent | null>;
  setMuted(key: string, muted: boolean): void;
  micPermission(): Promise<MicPermission>;
  /** The user's devices ('' = default): the microphone from the next Answer, the speaker now. */
  configure(devices: { microphone: string; speaker: string }): void;
}

export interface RingtonePort {
  start(): void;
  stop(): void;
  /** Ring volume (0 to 1) and ringer device ('' = default), from the next burst. */
  configure(settings: { volume: number; device: string }): void;
}

export interface CallsAppDeps {
  clock: Clock;
  random: Random;
  timers: Timers;
  fetch: Fetch;
  openSocket(url: string): SocketLike;
  worker: WorkerPort;
  media: MediaPort;
  ringtone: RingtonePort;
  log(line: string): void;
}
