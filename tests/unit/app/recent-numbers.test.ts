import { describe, expect, it } from 'vitest';
import {
  createRecentNumbers,
  MAX_RECENT_NUMBERS,
  RECENT_NUMBERS_KEY,
} from '../../../lib/app/recent-numbers';
import type { Store } from '../../../lib/ports';
import { createLineService } from '../../../lib/service/line-service';
import { Harness } from '../fakes/harness';
import { MemoryStore } from '../fakes/store';

describe('recent numbers', () => {
  it('newest first, each number once', async () => {
    const recent = createRecentNumbers(new MemoryStore());
    expect(await recent.list()).toEqual([]);
    await recent.record('+14085550100');
    await recent.record('5001');
    expect(await recent.record('+14085550100')).toEqual(['+14085550100', '5001']);
    expect(await recent.list()).toEqual(['+14085550100', '5001']);
  });

  it('keeps the last ten', async () => {
    const recent = createRecentNumbers(new MemoryStore());
    for (let n = 0; n < 15; n += 1) await recent.record(`555${n}`);
    const list = await recent.list();
    expect(MAX_RECENT_NUMBERS).toBe(10);
    expect(list).toHaveLength(10);
    expect(list[0]).toBe('55514');
    expect(list.at(-1)).toBe('5555');
  });

  it('two dials at once keep both (writes in order)', async () => {
    const recent = createRecentNumbers(new MemoryStore());
    await Promise.all([recent.record('1001'), recent.record('1002')]);
    expect(await recent.list()).toEqual(['1002', '1001']);
  });

  it('erase empties it', async () => {
    const store = new MemoryStore();
    const recent = createRecentNumbers(store);
    await recent.record('1001');
    await recent.erase();
    expect(await recent.list()).toEqual([]);
    expect(store.data.has(RECENT_NUMBERS_KEY)).toBe(false);
  });

  it('anything else stored reads as an empty or cleaned list', async () => {
    const store = new MemoryStore();
    const recent = createRecentNumbers(store);
    await store.set(RECENT_NUMBERS_KEY, { not: 'a list' });
    expect(await recent.list()).toEqual([]);
    await store.set(RECENT_NUMBERS_KEY, ['1001', 42, '', 'x'.repeat(65), null, '1002']);
    expect(await recent.list()).toEqual(['1001', '1002']);
  });
});

describe('recent numbers: erased when the session ends', () => {
  /** The harness's service, with the background's `forgetUserData` wired to `recent`. */
  function harness(popupStore: Store) {
    const h = new Harness();
    const recent = createRecentNumbers(popupStore);
    h.service = createLineService({
      store: h.store,
      scheduler: h.scheduler,
      clock: h.clock,
      fetch: h.http.fetch,
      identity: h.identity,
      random: h.random,
      loadSettings: async () => structuredClone(h.settings),
      log: (entry) => h.diagnostics.push(entry),
      forgetUserData: () => recent.erase(),
    });
    return { h, recent };
  }

  it('sign-out erases them', async () => {
    const { h, recent } = harness(new MemoryStore());
    await h.registered();
    await recent.record('+14085550142');
    await h.service.signOut();
    expect(await recent.list()).toEqual([]);
    expect((await h.service.snapshot()).auth).toBe('signedOut');
  });

  it('signed in but never registered: sign-out erases them too', async () => {
    const { h, recent } = harness(new MemoryStore());
    await h.signIn();
    await recent.record('5001');
    await h.service.signOut();
    expect(await recent.list()).toEqual([]);
  });

  it("another user signing in erases the previous user's numbers", async () => {
    const { h, recent } = harness(new MemoryStore());
    await h.registered();
    await recent.record('5001');
    const other = '11111111-2222-4333-8444-555555555555';
    h.cloud.person = { ...h.cloud.person, id: btoa(`ciscospark://us/PEOPLE/${other}`) };
    await h.signIn();
    expect(await recent.list()).toEqual([]);
  });

  it('a failed erase is reported, and the sign-out still ends the session', async () => {
    const failing: Store = {
      get: async <T>() => ['1001'] as T,
      set: async () => {},
      del: async () => {
        throw new Error('disk full');
      },
    };
    const { h } = harness(failing);
    await h.registered();
    await h.service.signOut();
    expect((await h.service.snapshot()).auth).toBe('signedOut');
    expect(h.diagnostics.some((entry) => entry.message === 'Recent numbers not erased')).toBe(true);
  });
});
