import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cachedStore } from '../../../lib/platform/cached-store';
import { deadlineStore, STORE_DEADLINE_MS } from '../../../lib/platform/deadline-store';
import type { Store } from '../../../lib/ports';
import { memoryStore } from './memory-store';

/** A disk whose calls on `stuck` keys never answer. */
function stallingDisk(stuck: Set<string>): Store {
  const disk = memoryStore();
  const never = new Promise<never>(() => {});
  return {
    get: (key) => (stuck.has(key) ? never : disk.get(key)),
    set: (key, value) => (stuck.has(key) ? never : disk.set(key, value)),
    del: (key) => (stuck.has(key) ? never : disk.del(key)),
  };
}

describe('deadline store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes answers through, and fails a call that has not answered by the deadline', async () => {
    const stuck = new Set<string>();
    const store = deadlineStore(stallingDisk(stuck));
    await store.set('a', 1);
    expect(await store.get('a')).toBe(1);
    stuck.add('a');
    const calls = [() => store.get('a'), () => store.set('a', 2), () => store.del('a')];
    for (const call of calls) {
      const failed = expect(call()).rejects.toThrow(
        /Storage \((read|write|delete) of a\) did not answer/,
      );
      await vi.advanceTimersByTimeAsync(STORE_DEADLINE_MS);
      await failed;
    }
  });

  it('behind the write-through cache, a write that timed out leaves no copy that says it landed', async () => {
    const stuck = new Set(['record']);
    const disk = stallingDisk(stuck);
    const store = cachedStore(deadlineStore(disk));
    const write = expect(store.set('record', { state: 'active' })).rejects.toThrow(
      /did not answer/,
    );
    await vi.advanceTimersByTimeAsync(STORE_DEADLINE_MS);
    await write;
    stuck.clear();
    expect(await store.get('record')).toBeUndefined(); // asked the disk again
  });
});
