import { describe, expect, it } from 'vitest';
import {
  WALL_CLOCK_WATCH_MS,
  wallClockJump,
  watchWallClock,
} from '../../../lib/call/wall-clock-watch';

/** Both clocks and a timer list, advanced by hand (no real time). */
function fakeClocks() {
  let elapsed = 0;
  let wall = 1_800_000_000_000;
  const due: Array<{ at: number; fire: () => void; id: number }> = [];
  let ids = 0;
  return {
    wall: () => wall,
    elapsed: () => elapsed,
    step(ms: number) {
      wall += ms;
    },
    timers: {
      set(ms: number, fire: () => void) {
        ids += 1;
        due.push({ at: elapsed + ms, fire, id: ids });
        return ids;
      },
      clear(handle: unknown) {
        const i = due.findIndex((d) => d.id === handle);
        if (i >= 0) due.splice(i, 1);
      },
    },
    advance(ms: number) {
      const until = elapsed + ms;
      for (;;) {
        due.sort((a, b) => a.at - b.at);
        const next = due[0];
        if (!next || next.at > until) break;
        due.shift();
        wall += next.at - elapsed;
        elapsed = next.at;
        next.fire();
      }
      wall += until - elapsed;
      elapsed = until;
    },
    pending: () => due.length,
  };
}

describe('wallClockJump', () => {
  it('is the wall clock moving beyond the time that passed, past a 2 s bound', () => {
    const before = { wall: 1_000_000, elapsed: 0 };
    expect(wallClockJump(before, { wall: 1_010_000, elapsed: 10_000 })).toBe(0);
    expect(wallClockJump(before, { wall: 1_011_500, elapsed: 10_000 })).toBe(0);
    expect(wallClockJump(before, { wall: 1_010_000 - 3_600_000, elapsed: 10_000 })).toBe(
      -3_600_000,
    );
    expect(wallClockJump(before, { wall: 1_010_000 + 60_000, elapsed: 10_000 })).toBe(60_000);
  });
});

describe('watchWallClock', () => {
  it('says when the clock was set back, within one period, and only once', () => {
    const clocks = fakeClocks();
    const jumps: number[] = [];
    const stop = watchWallClock({ ...clocks, onJump: (ms) => jumps.push(ms) });
    clocks.advance(WALL_CLOCK_WATCH_MS * 3);
    expect(jumps).toEqual([]);
    clocks.step(-3_600_000);
    clocks.advance(WALL_CLOCK_WATCH_MS);
    expect(jumps).toEqual([-3_600_000]);
    clocks.advance(WALL_CLOCK_WATCH_MS * 3);
    expect(jumps).toEqual([-3_600_000]);
    stop();
    expect(clocks.pending()).toBe(0);
  });

  it('keeps watching when the handler throws (the timer is re-armed first)', () => {
    const clocks = fakeClocks();
    let calls = 0;
    watchWallClock({
      ...clocks,
      onJump: () => {
        calls += 1;
        throw new Error('the worker is gone');
      },
    });
    clocks.step(-10_000);
    expect(() => clocks.advance(WALL_CLOCK_WATCH_MS)).toThrow('the worker is gone');
    clocks.step(-10_000);
    expect(() => clocks.advance(WALL_CLOCK_WATCH_MS)).toThrow('the worker is gone');
    expect(calls).toBe(2);
    expect(clocks.pending()).toBe(1);
  });
});
