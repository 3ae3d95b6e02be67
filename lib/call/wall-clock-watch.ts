/**
 * Chrome schedules extension alarms on the wall clock. Measured in Chromium 156 under
 * libfaketime (December 2026): with the clock set back an hour, no alarm fired in the two
 * minutes after (a one-shot due in 30 s, a 15 s periodic one); without the step, every one did.
 * So a service worker that is stopped when the clock goes back would sleep through its
 * keepalives for the length of the step (README, "the clock set back").
 *
 * The calls document lives while the line is registered, and its timers run on elapsed time.
 * It compares the two clocks every `everyMs` and, when the wall clock moved by more than it
 * should have, says so: any message it sends wakes the worker, whose every wake reconciles and
 * moves its deadlines with the clock (lib/line/clock-step.ts).
 */
import type { Timers } from './mercury-client';

/** The same bound as the engine's (CLOCK_STEP_TOLERANCE_MS): far above timer jitter. */
export const WALL_CLOCK_JUMP_MS = 2_000;
/**
 * Ten seconds: a step is noticed well within a keepalive interval (30 s), and a timer every
 * 10 s in a document that already pings Mercury every 15 s costs nothing measurable.
 */
export const WALL_CLOCK_WATCH_MS = 10_000;

export interface WallClockWatchDeps {
  /** Date.now(): the wall clock, which a user or NTP may step. */
  wall(): number;
  /** performance.now(): elapsed time, which nothing steps. */
  elapsed(): number;
  timers: Timers;
  /** The wall clock jumped by `ms` (negative: set back) since the last look. */
  onJump(ms: number): void;
  everyMs?: number;
}

/** How far the wall clock moved beyond the time that passed (0 within the bound). */
export function wallClockJump(
  before: { wall: number; elapsed: number },
  after: { wall: number; elapsed: number },
): number {
  const drift = after.wall - before.wall - (after.elapsed - before.elapsed);
  return Math.abs(drift) > WALL_CLOCK_JUMP_MS ? drift : 0;
}

/** Looks at both clocks on a timer that re-arms itself before it does anything else. */
export function watchWallClock(deps: WallClockWatchDeps): () => void {
  const every = deps.everyMs ?? WALL_CLOCK_WATCH_MS;
  let last = { wall: deps.wall(), elapsed: deps.elapsed() };
  let handle: unknown = null;
  const look = () => {
    handle = deps.timers.set(every, look);
    const now = { wall: deps.wall(), elapsed: deps.elapsed() };
    const jump = wallClockJump(last, now);
    last = now;
    if (jump !== 0) deps.onJump(jump);
  };
  handle = deps.timers.set(every, look);
  return () => deps.timers.clear(handle);
}
