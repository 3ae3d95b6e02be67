import type { Clock } from '../../lib/ports';

/**
 * The emulator's only time source: the injected clock plus an offset the admin API can advance,
 * so a demo can jump past a token lifetime without a fake clock in its process.
 */
export class EmulatorClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly source: Clock = { now: () => Date.now() }) {}

  now(): number {
    return this.source.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  get offset(): number {
    return this.offsetMs;
  }

  resetOffset(): void {
    this.offsetMs = 0;
  }
}
