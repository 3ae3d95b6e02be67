import type { Clock } from '../../../lib/ports';

/** A clock that only moves when a test moves it. */
export class FakeClock implements Clock {
  constructor(private time = Date.UTC(2026, 0, 5, 9, 0, 0)) {}

  now(): number {
    return this.time;
  }

  set(time: number): void {
    this.time = time;
  }

  tick(ms: number): void {
    this.time += ms;
  }
}
