import { describe, expect, it } from 'vitest';
import { cachedStore } from '../../../lib/platform/cached-store';
import type { Store } from '../../../lib/ports';
import { MemoryStore } from '../fakes/store';

function counting(disk: MemoryStore) {
  const reads: string[] = [];
  const store: Store = {
    get: (key) => {
      reads.push(key);
      return disk.get(key);
    },
    set: (key, value) => disk.set(key, value),
    del: (key) => disk.del(key),
  };
  return { store, reads };
}

describe('cached store', () => {
  it('reads the disk once per key, then from memory; writes go through', async () => {
    const disk = new MemoryStore();
    await disk.set('a', { n: 1 });
    const { store, reads } = counting(disk);
    const cache = cachedStore(store);
    expect(await cache.get('a')).toEqual({ n: 1 });
    expect(await cache.get('a')).toEqual({ n: 1 });
    expect(await cache.get('missing')).toBeUndefined();
    expect(await cache.get('missing')).toBeUndefined();
    expect(reads).toEqual(['a', 'missing']);
    await cache.set('a', { n: 2 });
    expect(await disk.get('a')).toEqual({ n: 2 });
    expect(await cache.get('a')).toEqual({ n: 2 });
    await cache.del('a');
    expect(await cache.get('a')).toBeUndefined();
    expect(disk.data.has('a')).toBe(false);
    expect(reads).toEqual(['a', 'missing']);
  });

  it('copies in and out: a caller mutating what it read or wrote changes nothing stored', async () => {
    const cache = cachedStore(new MemoryStore());
    const value = { list: [1] };
    await cache.set('k', value);
    value.list.push(2);
    const read = await cache.get<{ list: number[] }>('k');
    read?.list.push(3);
    expect(await cache.get('k')).toEqual({ list: [1] });
  });

  it('a failed write leaves no phantom value: the next read goes to the disk', async () => {
    const disk = new MemoryStore();
    await disk.set('k', 'old');
    const failing: Store = {
      get: (key) => disk.get(key),
      set: async () => {
        throw new Error('QuotaExceededError');
      },
      del: (key) => disk.del(key),
    };
    const cache = cachedStore(failing);
    await expect(cache.set('k', 'new')).rejects.toThrow('QuotaExceededError');
    expect(await cache.get('k')).toBe('old');
  });

  it('a new worker (a new cache) reads what the last one wrote', async () => {
    const disk = new MemoryStore();
    await cachedStore(disk).set('record', { state: 'active' });
    expect(await cachedStore(disk).get('record')).toEqual({ state: 'active' });
  });
});
