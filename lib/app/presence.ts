import type { StatusBroadcast, StatusSnapshot } from '../messaging/protocol';
import type { Store } from '../ports';
import { serialQueue } from '../serial-queue';

/** What a notification decision is judged by: the condition of the previous broadcast. */
export type NotifiedCondition = Pick<StatusSnapshot, 'state' | 'error'>;

const PRESENCE_KEY = 'presence:notifications';

interface PresenceRecord {
  /** The condition of the last broadcast, so a restarted worker does not notify it again. */
  last: NotifiedCondition | null;
  /** Notifications on screen (ids), to take down once their condition is over. */
  shown: string[];
}

export interface PresenceDeps<Decision extends { id: string }> {
  store: Store;
  /** The user's `notifications` preference. */
  enabled(): Promise<boolean>;
  /** Which notification a broadcast calls for, given the previous condition (ui/notify.ts). */
  decide(previous: NotifiedCondition | null, broadcast: StatusBroadcast): Decision | null;
  /** Whether the condition of a shown notification is over. */
  resolved(id: string, next: StatusSnapshot): boolean;
  show(decision: Decision): Promise<void>;
  clear(id: string): Promise<void>;
}

export interface PresenceNotifier {
  onBroadcast(broadcast: StatusBroadcast): Promise<void>;
}

/**
 * System notifications for status changes. The previous condition lives in the store, not in
 * the worker: Chrome stops an idle worker every few minutes, and the first broadcast after each
 * wake must not announce a token error the user has already been told about.
 */
export function createPresenceNotifier<Decision extends { id: string }>(
  deps: PresenceDeps<Decision>,
): PresenceNotifier {
  const inOrder = serialQueue();

  async function handle(broadcast: StatusBroadcast): Promise<void> {
    const next = broadcast.snapshot;
    const record = (await deps.store.get<PresenceRecord>(PRESENCE_KEY)) ?? {
      last: null,
      shown: [],
    };
    const decision = deps.decide(record.last, broadcast);
    const resolved = record.shown.filter((id) => deps.resolved(id, next));
    const shown = record.shown.filter((id) => !resolved.includes(id));
    const show = decision !== null && (await deps.enabled());
    if (show && !shown.includes(decision.id)) shown.push(decision.id);
    // Written first: a worker killed right after showing must not show it again on wake. Not
    // rewritten when nothing changed (a keepalive's broadcast only moves the confirmed time).
    const updated: PresenceRecord = { last: { state: next.state, error: next.error }, shown };
    if (JSON.stringify(updated) !== JSON.stringify(record))
      await deps.store.set(PRESENCE_KEY, updated);
    for (const id of resolved) await deps.clear(id);
    if (show) await deps.show(decision);
  }

  return {
    onBroadcast(broadcast) {
      // In order: each decision depends on the condition the previous broadcast left.
      return inOrder(() => handle(broadcast));
    },
  };
}
