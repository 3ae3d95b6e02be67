/**
 * The numbers the user dialled from the popup: the last ten, newest first, each once. The
 * popup keeps them in a database of their own in the extension's origin (no web page or content
 * script can read it, and the worker's cached store is not written behind its back); the worker
 * erases them when the session ends (sign-out, another user, another environment).
 */
import { MAX_NUMBER_LENGTH } from '../call/dial-number';
import type { Store } from '../ports';
import { serialQueue } from '../serial-queue';

/** The IndexedDB database the list lives in (lib/platform/store.ts `createIdbStore`). */
export const RECENT_NUMBERS_DB = 'webex-recent-numbers';
export const RECENT_NUMBERS_KEY = 'recent:numbers';
export const MAX_RECENT_NUMBERS = 10;

export interface RecentNumbers {
  /** Newest first. */
  list(): Promise<string[]>;
  /** Puts `number` first (once), keeps the newest ten, and returns the new list. */
  record(number: string): Promise<string[]>;
  erase(): Promise<void>;
}

/** What was stored, if it is a list of numbers; anything else reads as an empty list. */
function parsed(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (item): item is string =>
        typeof item === 'string' && item !== '' && item.length <= MAX_NUMBER_LENGTH,
    )
    .slice(0, MAX_RECENT_NUMBERS);
}

export function createRecentNumbers(store: Store): RecentNumbers {
  // Two quick dials must not lose one another's write.
  const inOrder = serialQueue();
  const list = async () => parsed(await store.get<unknown>(RECENT_NUMBERS_KEY));
  return {
    list,
    record: (number) =>
      inOrder(async () => {
        const next = [number, ...(await list()).filter((item) => item !== number)].slice(
          0,
          MAX_RECENT_NUMBERS,
        );
        await store.set(RECENT_NUMBERS_KEY, next);
        return next;
      }),
    erase: () => inOrder(() => store.del(RECENT_NUMBERS_KEY)),
  };
}
