import type { Random } from '../../../lib/ports';

/** Deterministic randomness: counting UUIDs, `int` = the low end unless told otherwise. */
export class FakeRandom implements Random {
  private count = 0;
  /** Override to pick something else in [min, max]. */
  pick: (min: number, max: number) => number = (min) => min;

  uuid(): string {
    this.count += 1;
    return `00000000-0000-4000-8000-${this.count.toString(16).padStart(12, '0')}`;
  }

  int(min: number, max: number): number {
    return this.pick(min, max);
  }

  bytes(length: number): Uint8Array {
    this.count += 1;
    return Uint8Array.from({ length }, (_, index) => (index * 31 + this.count * 7) % 256);
  }
}
