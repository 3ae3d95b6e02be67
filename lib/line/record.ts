/**
 * Everything the registration engine knows, persisted in the Store. The engine reads it at the
 * start of every task and writes it before any effect that depends on it, so a worker killed at
 * any point resumes from here (never from module or instance variables).
 */
import type { EngineState, LineErrorPayload } from '../messaging/protocol';
import type { Random, Store } from '../ports';

export const RECORD_KEY = 'line:record';
export const INTENT_KEY = 'line:intent';
export const LINE_ID_KEY = 'line:id';

export type ServerRole = 'primary' | 'backup';

export interface ServerRef {
  /** Mobius server URL ending `/calling/web/`. */
  url: string;
  role: ServerRole;
}

/** A device registered at Mobius: the registration response, flattened. */
export interface DeviceRecord {
  serverUrl: string;
  role: ServerRole;
  deviceId: string;
  /** `{serverUrl}devices/{deviceId}`; keepalive goes to `{uri}/status`. */
  uri: string;
  clientDeviceUri: string;
  lastSeen?: string;
  addresses: string[];
  /** Seconds (as sent by Mobius, or the SDK default). */
  keepaliveInterval: number;
  callKeepaliveInterval?: number;
  rehomingIntervalMin?: number;
  rehomingIntervalMax?: number;
  voicePortalNumber?: number;
  voicePortalExtension?: number;
}

/** Enough to DELETE a device. */
export interface DeviceRef {
  serverUrl: string;
  deviceId: string;
  clientDeviceUri: string;
}

/**
 * The step the engine is running or will run when the `line:retry` timer fires. While a step
 * runs, `runAt` is a watchdog deadline: if the worker dies mid-step, the timer re-runs it.
 */
export type Step =
  /** Full registration: primaries, then the failover timer (SDK restartRegistration). */
  | { kind: 'register'; runAt: number }
  /** Failover timer: retry all primaries (SDK startFailoverTimer, interval > 30 s branch). */
  | { kind: 'primaries'; runAt: number; attempt: number; elapsedSec: number; scheduledAt: number }
  /** Failover to backups; `last` = the final try before `service_unavailable`. */
  | { kind: 'backups'; runAt: number; last: boolean }
  /** Re-register on the last server first, then restart (keepalive lost, network back). */
  | { kind: 'restore'; runAt: number; reason: 'keepalive' | 'network' | 'resume' }
  /** Failback to a primary (running; the waiting is done by the `line:failback` timer). */
  | { kind: 'failback'; runAt: number }
  /** The user deregistered (running). */
  | { kind: 'deregister'; runAt: number }
  /** Browser start-up / update: drop the previous session's device, maybe register again. */
  | { kind: 'startup'; runAt: number; thenRegister: boolean };

export interface EngineRecord {
  version: 1;
  state: EngineState;
  /** Set by a user deregistration: the SDK's line status becomes `IDLE`. */
  deregistered: boolean;
  device: DeviceRecord | null;
  /** Devices we no longer want, deleted before the next registration (at most one device). */
  leftovers: DeviceRef[];
  /** The server last registered with (SDK activeMobiusUrl), kept after the device is lost. */
  lastServer: ServerRef | null;
  /** The server being tried right now, for the status snapshot. */
  target: ServerRef | null;
  /** A registration POST that was sent and not yet answered (a kill leaves it here). */
  inflight: { serverUrl: string; since: number } | null;
  error: LineErrorPayload | null;
  step: Step | null;
  /** When a waiting step will run on its own (null while running or idle). */
  nextAttemptAt: number | null;
  keepaliveFailures: number;
  keepaliveAt: number | null;
  failbackAt: number | null;
  failback429Retries: number;
  /** Rehoming window in minutes, from the last registration on a primary. */
  rehoming: { min: number; max: number } | null;
  /** Back-off waits since the last registration: network down, or a transient discovery failure. */
  offlineTries: number;
}

export function emptyRecord(): EngineRecord {
  return {
    version: 1,
    state: 'idle',
    deregistered: false,
    device: null,
    leftovers: [],
    lastServer: null,
    target: null,
    inflight: null,
    error: null,
    step: null,
    nextAttemptAt: null,
    keepaliveFailures: 0,
    keepaliveAt: null,
    failbackAt: null,
    failback429Retries: 0,
    rehoming: null,
    offlineTries: 0,
  };
}

export async function loadRecord(store: Store): Promise<EngineRecord> {
  const stored = await store.get<EngineRecord>(RECORD_KEY);
  if (stored?.version !== 1) return emptyRecord();
  // Fill fields a newer build may have added, so an older record never crashes the engine.
  return { ...emptyRecord(), ...stored };
}

export function saveRecord(store: Store, record: EngineRecord): Promise<void> {
  return store.set(RECORD_KEY, record);
}

export type Intent = 'registered' | 'unregistered';

export async function loadIntent(store: Store): Promise<Intent> {
  return (await store.get<Intent>(INTENT_KEY)) === 'registered' ? 'registered' : 'unregistered';
}

/** The line's id: a random UUID made once and kept, so the line is the same across restarts. */
export async function lineIdOf(store: Store, random: Random): Promise<string> {
  const existing = await store.get<string>(LINE_ID_KEY);
  if (typeof existing === 'string' && existing !== '') return existing;
  const id = random.uuid();
  await store.set(LINE_ID_KEY, id);
  return id;
}

export const deviceRef = (device: DeviceRecord): DeviceRef => ({
  serverUrl: device.serverUrl,
  deviceId: device.deviceId,
  clientDeviceUri: device.clientDeviceUri,
});

/** Forget everything about the current attempt and its timers (not the device or the error). */
export function clearRuntime(record: EngineRecord): void {
  record.step = null;
  record.nextAttemptAt = null;
  record.target = null;
  record.keepaliveAt = null;
  record.failbackAt = null;
  record.keepaliveFailures = 0;
  record.failback429Retries = 0;
  record.offlineTries = 0;
}
