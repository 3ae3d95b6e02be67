/**
 * The calls the calls document holds, as the worker keeps them: the document's last report
 * ("held"), and the calls a lost document left behind ("orphans") until they are ended at
 * Mobius, by the worker itself before the line's start-up touches the old device, or by the
 * next document.
 */
import { endOrphans, type SendTo } from '../call/orphans';
import type { HeldCall } from '../messaging/calls';
import type { Store } from '../ports';

export const HELD_CALLS_KEY = 'calls:held';
export const ORPHAN_CALLS_KEY = 'calls:orphans';

export interface OrphanBook {
  /** The document's report; written only when it changed (a view changes far more often). */
  keepHeld(held: unknown): Promise<void>;
  /** The document ended its calls itself (closed on purpose). */
  clearHeld(): Promise<void>;
  /** The document is gone: what it held becomes orphans; resolves with how many. */
  adopt(): Promise<number>;
  orphans(): Promise<HeldCall[]>;
  /** Whether any call is held or orphaned (two reads; most starts have none). */
  any(): Promise<boolean>;
  ended(keys: readonly unknown[]): Promise<void>;
  /** End the orphans now through `sendTo`; resolves with how many are done. */
  endNow(sendTo: SendTo): Promise<number>;
}

export function createOrphanBook(store: Store): OrphanBook {
  let heldJson: string | null = null;
  const list = async (key: string) => (await store.get<HeldCall[]>(key)) ?? [];

  const book: OrphanBook = {
    async keepHeld(held) {
      if (!Array.isArray(held) || !held.every(isHeldCall)) throw new Error('Not a list of calls.');
      const json = JSON.stringify(held);
      if (json === heldJson) return;
      await store.set(HELD_CALLS_KEY, held);
      heldJson = json;
    },
    async clearHeld() {
      await store.set(HELD_CALLS_KEY, []);
      heldJson = '[]';
    },
    async adopt() {
      const held = await list(HELD_CALLS_KEY);
      if (held.length === 0) return 0;
      const orphans = await list(ORPHAN_CALLS_KEY);
      const known = new Set(orphans.map((orphan) => orphan.key));
      await store.set(ORPHAN_CALLS_KEY, [...orphans, ...held.filter((c) => !known.has(c.key))]);
      await book.clearHeld();
      return held.length;
    },
    orphans: () => list(ORPHAN_CALLS_KEY),
    async any() {
      return (await list(HELD_CALLS_KEY)).length > 0 || (await list(ORPHAN_CALLS_KEY)).length > 0;
    },
    async ended(keys) {
      const orphans = await list(ORPHAN_CALLS_KEY);
      await store.set(
        ORPHAN_CALLS_KEY,
        orphans.filter((orphan) => !keys.includes(orphan.key)),
      );
    },
    async endNow(sendTo) {
      const orphans = await list(ORPHAN_CALLS_KEY);
      if (orphans.length === 0) return 0;
      const done = await endOrphans(orphans, sendTo);
      await book.ended(done);
      return done.length;
    },
  };
  return book;
}

function isHeldCall(value: unknown): value is HeldCall {
  const call = value as Partial<HeldCall> | null;
  return (
    typeof call?.key === 'string' &&
    typeof call.callId === 'string' &&
    typeof call.deviceId === 'string' &&
    typeof call.serverUrl === 'string' &&
    typeof call.clientDeviceUri === 'string' &&
    typeof call.answered === 'boolean'
  );
}
