import type { Store } from '../ports';
import { withinMs } from '../within';

/**
 * Every storage call answers or fails within this. IndexedDB can stall (a busy disk, a profile
 * being closed); a read or write that never ends must not hold the work queued behind it: the
 * simulation's seed 262 lost every timer to one hung write of the deadline list.
 */
export const STORE_DEADLINE_MS = 5_000;

/**
 * The store with a deadline on each call. The call itself may still land later (IndexedDB
 * cannot be cancelled); the caller has been told it failed, and the write-through cache in
 * front of this drops its copy, so the next read asks the disk what really happened.
 */
export function deadlineStore(disk: Store, ms = STORE_DEADLINE_MS): Store {
  return {
    get: <T>(key: string) => withinMs(disk.get<T>(key), ms, `Storage (read of ${key})`),
    set: (key, value) => withinMs(disk.set(key, value), ms, `Storage (write of ${key})`),
    del: (key) => withinMs(disk.del(key), ms, `Storage (delete of ${key})`),
  };
}
