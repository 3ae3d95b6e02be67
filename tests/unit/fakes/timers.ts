import type { Timers } from '../../../lib/call/mercury-client';
import type { FakeClock } from './clock';

/** In-memory timers on a fake clock: `advance` moves the clock and fires what falls due, in order. */
export class FakeTimers implements Timers {
  private next = 1;
  private readonly pending = new Map<number, { at: number; fire: () => void }>();

  constructor(private readonly clock: FakeClock) {}

  set(ms: number, fire: () => void): unknown {
    const handle = this.next++;
    this.pending.set(handle, { at: this.clock.now() + ms, fire });
    return handle;
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get size(): number {
    return this.pending.size;
  }

  async advance(ms: number): Promise<void> {
    const until = this.clock.now() + ms;
    for (;;) {
      await flush();
      let due: [number, { at: number; fire: () => void }] | undefined;
      for (const entry of this.pending) {
        if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.pending.delete(due[0]);
      this.clock.set(due[1].at);
      due[1].fire();
    }
    this.clock.set(until);
    await flush();
  }
}

/** Let promise callbacks run (no real time passes). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
}
