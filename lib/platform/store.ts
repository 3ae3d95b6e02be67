import { createStore, del, get, set } from 'idb-keyval';
import type { Store } from '../ports';

/**
 * The extension's durable store: IndexedDB in the extension's own origin, which web pages and
 * content scripts cannot read. Tokens and engine state live here.
 */
export function createIdbStore(dbName = 'webex-line', storeName = 'kv'): Store {
  const idb = createStore(dbName, storeName);
  return {
    get: <T>(key: string) => get<T>(key, idb),
    set: (key, value) => set(key, value, idb),
    del: (key) => del(key, idb),
  };
}
