/**
 * The status broadcaster: builds the snapshot every page and the badge read, delivers line events
 * with it, and broadcasts snapshot changes that have no event. Reads the Store each time, so a
 * freshly started worker tells exactly what the killed one would have.
 */
import { CLOCK_STEP_TOLERANCE_MS, steppedBackMs } from '../line/clock-step';
import { lineProperties } from '../line/line';
import { type EngineRecord, lineIdOf, loadRecord } from '../line/record';
import type {
  DisplayStatus,
  EngineState,
  LineErrorPayload,
  LineEventName,
  LineProperties,
  StatusSnapshot,
} from '../messaging/protocol';
import type { Clock, Random, Store } from '../ports';
import { isConfigured, type Settings } from '../settings';
import type { PeopleMe } from '../webex/people';

export interface LineBroadcast {
  event?: LineEventName;
  error?: LineErrorPayload;
  snapshot: StatusSnapshot;
}

/**
 * What the pill and the badge say. Registered only while confirmed in time: an overdue
 * keepalive (`confirmBy` passed) shows `reconnecting`.
 */
export function displayOf(
  state: EngineState,
  error: LineErrorPayload | null,
  overdue = false,
): DisplayStatus {
  switch (state) {
    case 'active':
      return overdue ? 'reconnecting' : 'registered';
    case 'connecting':
      return 'connecting';
    case 'reconnecting':
      return 'reconnecting';
    default:
      return error ? 'error' : 'inactive';
  }
}

export interface StatusDeps {
  store: Store;
  clock: Clock;
  random: Random;
  loadSettings(): Promise<Settings>;
  isSignedIn(): Promise<boolean>;
  signingIn(): boolean;
  cachedPeople(settings: Settings): Promise<PeopleMe | undefined>;
  /** How late a keepalive may be before the line is shown reconnecting (Timing). */
  overdueToleranceMs(): number;
  log(kind: string, message: string, data?: Record<string, unknown>): void;
}

export interface StatusBroadcaster {
  snapshot(): Promise<StatusSnapshot>;
  /** Deliver a line event (to the seed's Line too) with the snapshot it leaves. */
  emit(event: LineEventName, error?: LineErrorPayload): Promise<void>;
  /** Broadcast the snapshot when it differs from the last one broadcast. */
  notifyIfChanged(): Promise<StatusSnapshot>;
  subscribe(listener: (broadcast: LineBroadcast) => void): () => void;
}

export function createStatusBroadcaster(deps: StatusDeps): StatusBroadcaster {
  const { store, clock, random, loadSettings } = deps;
  const listeners = new Set<(broadcast: LineBroadcast) => void>();
  let lastNotified: string | null = null;

  // One read (or creation) per worker: concurrent first snapshots must agree on the id. A read
  // that fails is not kept: the next snapshot tries again.
  let lineIdOnce: Promise<string> | null = null;
  const lineId = () => {
    lineIdOnce ??= lineIdOf(store, random).catch((error: unknown) => {
      lineIdOnce = null;
      throw error;
    });
    return lineIdOnce;
  };

  async function lineState(): Promise<{
    settings: Settings;
    record: EngineRecord;
    props: LineProperties;
    people: PeopleMe | undefined;
    signedIn: boolean;
  }> {
    // Independent reads in parallel: every popup open and status message waits for them.
    const [settings, record, signedIn, id] = await Promise.all([
      loadSettings(),
      loadRecord(store),
      deps.isSignedIn(),
      lineId(),
    ]);
    const people = signedIn ? await deps.cachedPeople(settings) : undefined;
    const props = lineProperties(id, record, people);
    return { settings, record, props, people, signedIn };
  }

  async function snapshot(): Promise<StatusSnapshot> {
    const { settings, record, props, people, signedIn } = await lineState();
    const server = record.device
      ? { url: record.device.serverUrl, role: record.device.role }
      : record.target;
    const now = clock.now();
    const confirmBy =
      record.state === 'active' && record.keepaliveAt !== null
        ? record.keepaliveAt + deps.overdueToleranceMs()
        : null;
    // The clock was set back since the engine last looked: its times are not to be trusted
    // until it has moved them (its next event); never "registered" on a confirmation that
    // seems to lie in the future.
    const clockBack =
      steppedBackMs(record, now) > 0 ||
      (record.confirmedAt !== null && record.confirmedAt > now + CLOCK_STEP_TOLERANCE_MS);
    return {
      state: record.state,
      display: displayOf(
        record.state,
        record.error,
        clockBack || (confirmBy !== null && now > confirmBy),
      ),
      auth: deps.signingIn() ? 'signingIn' : signedIn ? 'signedIn' : 'signedOut',
      user: people ? { displayName: people.displayName, email: people.email } : null,
      line: signedIn ? props : null,
      error: record.error,
      server: server ? { url: server.url, role: server.role } : null,
      nextAttemptAt: record.flow?.kind === 'attempt' ? record.retryAt : null,
      retryHoldUntil: record.flow?.kind === 'attempt' ? record.retryHoldUntil : null,
      confirmedAt: record.device ? record.confirmedAt : null,
      since: record.stateSince,
      confirmBy,
      configured: isConfigured(settings),
      keepRegistered: settings.keepRegistered,
      at: now,
    };
  }

  const keyOf = (snap: StatusSnapshot) => JSON.stringify({ ...snap, at: 0 });

  function notify(broadcast: LineBroadcast): void {
    lastNotified = keyOf(broadcast.snapshot);
    for (const listener of [...listeners]) {
      try {
        listener(broadcast);
      } catch (error) {
        deps.log('error', 'A status listener failed', { error: String(error) });
      }
    }
  }

  return {
    snapshot,
    async emit(event, error) {
      const snap = await snapshot();
      deps.log('event', `Line ${event}`, error ? { type: error.type, msg: error.msg } : undefined);
      notify({ event, ...(error ? { error } : {}), snapshot: snap });
    },
    async notifyIfChanged() {
      const snap = await snapshot();
      if (keyOf(snap) !== lastNotified) notify({ snapshot: snap });
      return snap;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
