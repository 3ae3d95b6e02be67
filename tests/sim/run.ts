/** Run one seed, shrink a failing schedule to a short repro, and describe the result. */
import { vi } from 'vitest';
import { deterministic } from './determinism';
import { type Step, schedule } from './schedule';
import { type Violation, World } from './world';

export const SIM_START = Date.UTC(2026, 0, 5, 9, 0, 0);

export interface SimResult {
  seed: number;
  violation: Violation | null;
  steps: Step[];
  log: string[];
}

/** Run `steps` as seed `seed` (its ids and tokens; the steps may be a shrunk part of it). */
export async function runSteps(seed: number, steps: Step[], minutes: number) {
  vi.useFakeTimers();
  vi.setSystemTime(SIM_START);
  const undo = deterministic(seed);
  try {
    const world = new World();
    await world.start(steps.filter((step) => step.atMs < 0));
    const violation = await world.run(steps, minutes);
    return { violation, log: world.log };
  } finally {
    undo();
    vi.useRealTimers();
  }
}

export async function runSeed(seed: number, minutes: number): Promise<SimResult> {
  const steps = schedule(seed, minutes);
  const { violation, log } = await runSteps(seed, steps, minutes);
  return { seed, violation, steps, log };
}

/** Drop actions one at a time while the same invariant still breaks (at most `budget` runs). */
export async function shrink(result: SimResult, minutes: number, budget = 60): Promise<Step[]> {
  const broken = result.violation?.invariant;
  if (!broken) return result.steps;
  let steps = result.steps.filter((s) => s.atMs <= (result.violation?.atMs ?? 0));
  for (let i = steps.length - 1; i >= 0 && budget > 0; i -= 1) {
    const without = steps.filter((_, index) => index !== i);
    budget -= 1;
    const { violation } = await runSteps(result.seed, without, minutes);
    if (violation?.invariant === broken) steps = without;
  }
  return steps;
}

export function explain(result: SimResult): string {
  const v = result.violation;
  if (!v) return `seed ${result.seed}: ok`;
  return [
    `seed ${result.seed}: ${v.invariant} at ${(v.atMs / 1000).toFixed(1)} s: ${v.detail}`,
    `replay: npm run sim -- --seed ${result.seed}`,
    ...result.log.slice(-12).map((line) => `  ${line}`),
  ].join('\n');
}
