import type { Store } from '../../../lib/ports';

/**
 * In-memory Store. Values are structured-cloned in and out, like IndexedDB: a caller that keeps
 * mutating an object after `set` does not change what is stored.
 */
export class MemoryStore implements Store {
  readonly data = new Map<string, unknown>();
  writes = 0;

  async get<T>(key: string): Promise<T | undefined> {
    const value = this.data.get(key);
    return value === undefined ? undefined : (structuredClone(value) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.writes += 1;
    this.data.set(key, structuredClone(value));
  }

  async del(key: string): Promise<void> {
    this.data.delete(key);
  }

  /** Everything stored, as one string (to check no secret leaked into the store's other keys). */
  dump(except: string[] = []): string {
    return JSON.stringify([...this.data].filter(([key]) => !except.includes(key)));
  }
}
