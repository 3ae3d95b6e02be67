/**
 * Everything a scenario observes, in order: SDK line and client events, and what the keepalive
 * worker saw on the wire. Scenarios wait on entries (with a deadline), never on fixed sleeps.
 */
export type TimelineKind = 'line' | 'client' | 'keepalive' | 'step';

export interface TimelineEntry {
  /** Milliseconds since the scenario started. */
  at: number;
  kind: TimelineKind;
  name: string;
  /** HTTP status for keepalive entries. */
  status?: number;
  detail?: unknown;
}

type Predicate = (entry: TimelineEntry) => boolean;

interface Waiter {
  from: number;
  predicate: Predicate;
  resolve: (entry: TimelineEntry) => void;
}

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  readonly #startedAt = Date.now();
  readonly #waiters = new Set<Waiter>();

  record(kind: TimelineKind, name: string, extra: Partial<TimelineEntry> = {}): TimelineEntry {
    const entry: TimelineEntry = { at: Date.now() - this.#startedAt, kind, name, ...extra };
    this.entries.push(entry);
    const index = this.entries.length - 1;
    for (const waiter of this.#waiters) {
      if (index >= waiter.from && waiter.predicate(entry)) {
        this.#waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
    return entry;
  }

  /** Marks a position; `waitFor(…, {after: mark})` only matches entries recorded after it. */
  mark(): number {
    return this.entries.length;
  }

  /**
   * Resolves with the first entry (at or after `after`, default: from the start) matching the
   * predicate; rejects with the timeline so far when the deadline passes.
   */
  waitFor(
    description: string,
    predicate: Predicate,
    { after = 0, timeoutMs = 20_000 }: { after?: number; timeoutMs?: number } = {},
  ): Promise<TimelineEntry> {
    const existing = this.entries.slice(after).find(predicate);
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        from: after,
        predicate,
        resolve: (entry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Waits until `count` entries match (counting from `after`). */
  async waitForCount(
    description: string,
    predicate: Predicate,
    count: number,
    options: { after?: number; timeoutMs?: number } = {},
  ): Promise<TimelineEntry> {
    let from = options.after ?? 0;
    let last: TimelineEntry | undefined;
    for (let seen = 0; seen < count; seen += 1) {
      last = await this.waitFor(`${description} #${seen + 1}`, predicate, {
        ...options,
        after: from,
      });
      from = this.entries.indexOf(last) + 1;
    }
    if (!last) throw new Error('waitForCount needs a count of at least 1');
    return last;
  }
}

export const lineEvent =
  (name: string): Predicate =>
  (entry) =>
    entry.kind === 'line' && entry.name === name;

export const keepalive =
  (accept: (status: number) => boolean): Predicate =>
  (entry) =>
    entry.kind === 'keepalive' && entry.status !== undefined && accept(entry.status);
