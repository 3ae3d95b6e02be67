import type { Store } from '../ports';

/**
 * A write-through memory cache in front of the extension's IndexedDB store. The service worker
 * is the only context that writes it (pages and content scripts ask the worker), so within one
 * worker the memory copy is the store's content: every engine event, snapshot and timer reads it
 * without an IndexedDB round trip. A new worker starts empty and reads the disk. Values are
 * copied in and out (like IndexedDB), and a failed write drops its entry so the next read goes
 * to the disk again.
 */
export function cachedStore(disk: Store): Store {
  const memory = new Map<string, unknown>();
  const copy = <T>(value: T): T => (value === undefined ? value : structuredClone(value));
  return {
    async get<T>(key: string) {
      if (memory.has(key)) return copy(memory.get(key)) as T | undefined;
      const value = await disk.get<T>(key);
      // A write that started meanwhile is newer than this read.
      if (!memory.has(key)) memory.set(key, copy(value));
      return value;
    },
    async set(key, value) {
      memory.set(key, copy(value));
      try {
        await disk.set(key, value);
      } catch (error) {
        memory.delete(key);
        throw error;
      }
    },
    async del(key) {
      memory.set(key, undefined);
      try {
        await disk.del(key);
      } catch (error) {
        memory.delete(key);
        throw error;
      }
    },
  };
}
