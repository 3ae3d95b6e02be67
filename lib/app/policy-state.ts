/**
 * The managed policy in effect, and keeping it current. Chromium's first
 * `chrome.storage.managed.get()` after a browser start takes about 3 s, so nothing waits for it:
 * the last policy read is kept in the Store and applies at once on every worker start, and
 * `refresh` reads the browser's copy afterwards (at start, and when `storage.onChanged` says the
 * managed area changed). Only the parsed policy is kept: a value the schema does not know (a
 * secret someone put in a policy) is never stored.
 */

import { type ParsedPolicy, parsePolicy } from '../policy/parse';
import { NO_POLICY } from '../policy/view';
import type { Store } from '../ports';
import { serialQueue } from '../serial-queue';

export const POLICY_KEY = 'policy:managed';

export interface PolicyRefresh {
  previous: ParsedPolicy;
  next: ParsedPolicy;
  changed: boolean;
}

export interface PolicyState {
  /** The policy in effect: the last one read. Never waits for the browser. */
  current(): Promise<ParsedPolicy>;
  /** Read the browser's managed policy now and make it the one in effect. Serialised. */
  refresh(): Promise<PolicyRefresh>;
}

export interface PolicyStateDeps {
  store: Store;
  /** What the browser holds (`chrome.storage.managed.get()`); may reject. */
  read(): Promise<unknown>;
  /** Resolves after `ms` (setTimeout in the worker, the fake clock in tests). */
  wait(ms: number): Promise<void>;
}

/**
 * How long one read of the browser's policy may take. A first read after a browser start takes
 * about 3 s; a read that hangs longer fails (the last policy stays) so that the reads queued
 * behind it, which sign-in and the settings answers wait for, are not held back with it.
 */
export const POLICY_READ_DEADLINE_MS = 5_000;

function withinDeadline<T>(work: Promise<T>, wait: Promise<void>): Promise<T> {
  const expired = wait.then(() => {
    throw new Error(`The managed policy read took over ${POLICY_READ_DEADLINE_MS} ms`);
  });
  return Promise.race([work, expired]);
}

const same = (a: ParsedPolicy, b: ParsedPolicy) => JSON.stringify(a) === JSON.stringify(b);

export function createPolicyState(deps: PolicyStateDeps): PolicyState {
  const inOrder = serialQueue();

  // The Store is the truth across worker restarts (and the worker's Store keeps its own memory
  // copy, so this is no disk read after the first).
  const current = async (): Promise<ParsedPolicy> =>
    (await deps.store.get<ParsedPolicy>(POLICY_KEY)) ?? NO_POLICY;

  async function refreshNow(): Promise<PolicyRefresh> {
    const next = parsePolicy(await withinDeadline(deps.read(), deps.wait(POLICY_READ_DEADLINE_MS)));
    const previous = await current();
    if (same(previous, next)) return { previous, next: previous, changed: false };
    await deps.store.set(POLICY_KEY, next);
    return { previous, next, changed: true };
  }

  return {
    current,
    refresh: () => inOrder(refreshNow),
  };
}
