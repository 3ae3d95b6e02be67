/**
 * Everything the registration engine knows, persisted in the Store. The interpreter loads it for
 * every event, applies the transition table and saves it before performing any effect, so a
 * worker killed at any point resumes from here (never from module or instance variables).
 * Timers are derived from it (`deadlinesOf`), never remembered beside it.
 */
import type { Random, Store } from '../ports';
import type { LineErrorPayload } from '../webex/line-contract';
import type { Flow } from './flow';
import type { RequestTag } from './requests';
import type { EngineState } from './types';

export const RECORD_KEY = 'line:record';
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

/** The one request in flight (the engine makes one at a time). */
export interface Pending {
  /** Matches the outcome event to the request; an outcome for another id is stale. */
  id: string;
  /** The flow that made it (`EngineRecord.flowSeq` at the time). */
  flowSeq: number;
  tag: RequestTag;
  sentAt: number;
  /** The interpreter gives up on the request at this time (an outcome "did not answer"). */
  deadlineAt: number;
  /** For a registration POST: where, so a lost answer is checked there. */
  serverUrl?: string;
  /** For a registration POST: the WDM device it was made as (see `Unconfirmed`). */
  clientDeviceUri?: string;
  /** For a DELETE: the device, so an answer that outlived its flow still settles it. */
  deviceId?: string;
}

/** A registration POST whose answer never arrived: our device may exist at that server. */
export interface Unconfirmed {
  serverUrl: string;
  since: number;
  /**
   * The WDM device the POST was made as: a device listed with it is ours even after a sign-out
   * replaced the WDM device (simulation seed 362). Absent in records saved before.
   */
  clientDeviceUri?: string;
}

/**
 * A sign-out the engine has not finished (its task failed half-way, or its worker died): it
 * resumes at the next event, and ends whatever session is current by then.
 */
export const owesSignOut = (record: EngineRecord): boolean => record.flow?.kind === 'signOut';

/** What a registration POST whose answer never came leaves to check. */
export function unconfirmedOf(
  serverUrl: string,
  since: number,
  clientDeviceUri: string | undefined,
): Unconfirmed {
  return { serverUrl, since, ...(clientDeviceUri ? { clientDeviceUri } : {}) };
}

export interface EngineRecord {
  version: 2;
  state: EngineState;
  /** The user wants the line registered (register, start-up with keep-registered). */
  wanted: boolean;
  /** Set by a user deregistration: the SDK's line status becomes `IDLE`. */
  deregistered: boolean;
  device: DeviceRecord | null;
  /** Devices we no longer want, deleted before the next registration (at most one device). */
  leftovers: DeviceRef[];
  unconfirmed: Unconfirmed[];
  /** The server last registered with (SDK activeMobiusUrl), kept after the device is lost. */
  lastServer: ServerRef | null;
  /** The server being tried right now, for the status snapshot. */
  target: ServerRef | null;
  error: LineErrorPayload | null;
  /** What the engine is working on; null when it only keeps the line alive (or is idle). */
  flow: Flow | null;
  pending: Pending | null;
  /** Counter for request ids. */
  seq: number;
  /** Counts the flows started, so an outcome reaches only the flow that asked for it. */
  flowSeq: number;
  /** When a waiting flow resumes (`line:retry`). */
  retryAt: number | null;
  /** A server's Retry-After runs until then: "Try now" waits for it. */
  retryHoldUntil: number | null;
  keepaliveAt: number | null;
  failbackAt: number | null;
  keepaliveFailures: number;
  failback429Retries: number;
  /** Rehoming window in minutes, from the last registration on a primary. */
  rehoming: { min: number; max: number } | null;
  /** Back-off waits since the last registration: network down, or a transient discovery failure. */
  offlineTries: number;
  /** When Mobius last confirmed the line (a 2xx registration or keepalive). */
  confirmedAt: number | null;
  /** When `state` last changed (a second click soon after must not undo it). */
  stateSince: number | null;
  /** The latest wall-clock time the engine has seen: a clock earlier than this was set back. */
  observedAt: number | null;
  /** When the engine next re-derives what must exist (`line:reconcile`); armed while needed. */
  reconcileAt: number | null;
  /**
   * A re-registration waiting for the calls in progress to end (SDK `reconnectPending`, §11):
   * the device stays (a call may still use it), keepalives and failback stop, the status says
   * reconnecting. `since`: when it was deferred (the maximum wait counts from it).
   */
  restorePending: RestorePending | null;
}

export interface RestorePending {
  /** What asked for the re-registration: the keepalive threshold, or the network back. */
  reason: 'keepalive' | 'network';
  since: number;
}

export function emptyRecord(): EngineRecord {
  return {
    version: 2,
    state: 'idle',
    wanted: false,
    deregistered: false,
    device: null,
    leftovers: [],
    unconfirmed: [],
    lastServer: null,
    target: null,
    error: null,
    flow: null,
    pending: null,
    seq: 0,
    flowSeq: 0,
    retryAt: null,
    retryHoldUntil: null,
    keepaliveAt: null,
    failbackAt: null,
    keepaliveFailures: 0,
    failback429Retries: 0,
    rehoming: null,
    offlineTries: 0,
    confirmedAt: null,
    stateSince: null,
    observedAt: null,
    reconcileAt: null,
    restorePending: null,
  };
}

/** The previous build's record (version 1) and its separately stored intent. */
interface RecordV1 {
  version: 1;
  state: EngineState;
  deregistered: boolean;
  device: DeviceRecord | null;
  leftovers?: DeviceRef[];
  inflight?: { serverUrl: string; since: number } | null;
  lastServer?: ServerRef | null;
  rehoming?: { min: number; max: number } | null;
}
const INTENT_KEY_V1 = 'line:intent';

/**
 * A record from an older build keeps what matters for "at most one device": its device and
 * leftovers go to the leftovers (deleted before the next registration), an unanswered POST to
 * `unconfirmed`, and the user's intent; the start-up that follows an update registers again.
 */
function fromV1(old: RecordV1, intent: unknown): EngineRecord {
  const record = emptyRecord();
  record.leftovers = [...(old.leftovers ?? []), ...(old.device ? [deviceRef(old.device)] : [])];
  if (old.inflight) record.unconfirmed = [old.inflight];
  record.wanted = intent === 'registered';
  record.deregistered = old.deregistered;
  record.lastServer = old.lastServer ?? null;
  record.rehoming = old.rehoming ?? null;
  return record;
}

export async function loadRecord(store: Store): Promise<EngineRecord> {
  const stored = await store.get<EngineRecord | RecordV1>(RECORD_KEY);
  if (stored?.version === 2) return { ...emptyRecord(), ...stored };
  if (stored?.version === 1) return fromV1(stored, await store.get(INTENT_KEY_V1));
  return emptyRecord();
}

export function saveRecord(store: Store, record: EngineRecord): Promise<void> {
  return store.set(RECORD_KEY, record);
}

/**
 * The line's id: a random UUID made once and kept, so the line is the same across restarts.
 * Callers may cache the resolved id, never a rejected read.
 */
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

/** The device the line is registered with (keepalives may be failing below the threshold). */
export const registeredDevice = (record: EngineRecord): DeviceRecord | null =>
  record.state === 'active' || record.state === 'reconnecting' ? record.device : null;

export const isRegistered = (record: EngineRecord): boolean => registeredDevice(record) !== null;

export const LINE_TIMERS = {
  keepalive: 'line:keepalive',
  retry: 'line:retry',
  failback: 'line:failback',
  watchdog: 'line:watchdog',
  reconcile: 'line:reconcile',
} as const;
export type LineTimer = keyof typeof LINE_TIMERS;

/** The timers the record implies: exactly these are armed after every transition. */
export function deadlinesOf(
  record: EngineRecord,
  watchdogSlackMs: number,
): Record<string, number | null> {
  return {
    [LINE_TIMERS.keepalive]: record.keepaliveAt,
    [LINE_TIMERS.retry]: record.retryAt,
    [LINE_TIMERS.failback]: record.failbackAt,
    // Its own timer: wakes a worker that died with a request in flight.
    [LINE_TIMERS.watchdog]: record.pending ? record.pending.deadlineAt + watchdogSlackMs : null,
    [LINE_TIMERS.reconcile]: record.reconcileAt,
  };
}
