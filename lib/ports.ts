/**
 * What the pure layers (lib/webex, lib/line) need from the outside world. The service worker
 * passes real adapters (lib/platform); unit tests pass fakes with a fake clock.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Durable key/value storage (IndexedDB through idb-keyval in the extension). */
export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

/**
 * One owner for every timer. A timer is a persisted deadline plus an alarm, so a worker that was
 * killed resumes where it was. When a deadline is due the shell calls the owner's timer handler
 * with the timer's name (see `TimerHandler`). Setting a name again replaces its deadline.
 */
export interface Scheduler {
  set(name: string, at: number): Promise<void>;
  clear(name: string): Promise<void>;
  /** Deadlines currently set, by name (for diagnostics and resumption). */
  list(): Promise<Record<string, number>>;
}

export type TimerHandler = (name: string) => Promise<void>;

export type Fetch = typeof fetch;

/** chrome.identity, reduced to what sign-in needs. */
export interface IdentityFlow {
  /** Resolves with the final redirect URL; rejects when the user closes the window or declines. */
  launchWebAuthFlow(url: string, interactive: boolean): Promise<string>;
  redirectUrl(): string;
}

/** Randomness, injectable so tests are deterministic. */
export interface Random {
  uuid(): string;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  bytes(length: number): Uint8Array;
}
