import type { Scheduler } from '../../../lib/ports';
import type { FakeClock } from './clock';

/** Deadlines only; a test fires them with `advance` (the real adapter uses chrome.alarms). */
export class FakeScheduler implements Scheduler {
  readonly deadlines = new Map<string, number>();

  async set(name: string, at: number): Promise<void> {
    this.deadlines.set(name, at);
  }

  async clear(name: string): Promise<void> {
    this.deadlines.delete(name);
  }

  async list(): Promise<Record<string, number>> {
    return Object.fromEntries(this.deadlines);
  }

  at(name: string): number | undefined {
    return this.deadlines.get(name);
  }

  /** The earliest deadline at or before `until` (it stays set while its handler runs). */
  takeDue(until: number): { name: string; at: number } | undefined {
    let next: { name: string; at: number } | undefined;
    for (const [name, at] of this.deadlines) {
      if (at <= until && (!next || at < next.at)) next = { name, at };
    }
    return next;
  }

  /** After its handler finished: a deadline the handler did not move is spent (as the real one). */
  spend(due: { name: string; at: number }): void {
    if (this.deadlines.get(due.name) === due.at) this.deadlines.delete(due.name);
  }
}

/**
 * Whether `work` settles while the event loop still has something to do. Everything behind the
 * fakes answers at once, so work still pending after many turns is waiting on a request that
 * never answers: the worker is as good as killed. (Turns of the event loop, not wall-clock time.)
 */
export async function settles(work: Promise<unknown>, turns = 200): Promise<boolean> {
  let done = false;
  void work.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  for (let i = 0; i < turns && !done; i += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return done;
}

/**
 * Move the clock forward by `ms`, firing every deadline that falls due on the way, in order,
 * each at its own time, and waiting for the work it started. When that work hangs (a killed
 * worker), stop there and return `killed`: the test then starts a new instance.
 */
export async function advanceTime(
  ms: number,
  clock: FakeClock,
  scheduler: FakeScheduler,
  fire: (name: string) => Promise<void>,
  idle: () => Promise<void>,
): Promise<{ fired: string[]; killed: boolean }> {
  const until = clock.now() + ms;
  const fired: string[] = [];
  if (!(await settles(idle()))) return { fired, killed: true };
  for (let guard = 0; guard < 10_000; guard += 1) {
    const due = scheduler.takeDue(until);
    if (!due) break;
    clock.set(Math.max(clock.now(), due.at));
    fired.push(due.name);
    if (!(await settles(fire(due.name).then(idle)))) return { fired, killed: true };
    scheduler.spend(due);
  }
  clock.set(Math.max(clock.now(), until));
  return { fired, killed: false };
}
