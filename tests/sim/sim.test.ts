/**
 * The simulation in the test suite: a fixed set of seeds (`npm test`), or what `npm run sim`
 * asks for through the environment: one seed to replay (SIM_SEED), or fresh seeds for a while
 * (SIM_MINUTES of real time).
 */
import { expect, describe as group, it } from 'vitest';
import { explain, runSeed, shrink } from './run';

/** Simulated minutes per schedule: long enough for failback, refreshes and a few faults each. */
const MINUTES = Number(process.env.SIM_SCHEDULE_MINUTES ?? 30);
/** The seeds `npm test` runs (150 schedules of 30 simulated minutes: under a minute on two cores). */
const FIXED_SEEDS = Array.from({ length: Number(process.env.SIM_SEEDS ?? 150) }, (_, i) => i + 1);

group('simulation of the whole background', () => {
  if (process.env.SIM_SEED) {
    it(`replays seed ${process.env.SIM_SEED}`, async () => {
      const result = await runSeed(Number(process.env.SIM_SEED), MINUTES);
      if (result.violation) {
        const repro = await shrink(result, MINUTES);
        console.log(
          `${explain(result)}\nshortest schedule found:\n${JSON.stringify(repro, null, 1)}`,
        );
      }
      expect(explain(result)).toBe(`seed ${result.seed}: ok`);
    }, 600_000);
    return;
  }
  if (process.env.SIM_MINUTES) {
    it(
      'runs fresh seeds',
      async () => {
        const until = Date.now() + Number(process.env.SIM_MINUTES) * 60_000;
        const base = Number(process.env.SIM_FROM ?? Date.now() % 1_000_000);
        const failures: string[] = [];
        let ran = 0;
        for (let seed = base; Date.now() < until; seed += 1) {
          const result = await runSeed(seed, MINUTES);
          ran += 1;
          if (result.violation) failures.push(explain(result));
        }
        console.log(`${ran} schedules from seed ${base}, ${failures.length} failed`);
        expect(failures).toEqual([]);
      },
      24 * 3_600_000,
    );
    return;
  }
  it.each(FIXED_SEEDS)(
    'seed %i keeps every invariant',
    async (seed) => {
      const result = await runSeed(seed, MINUTES);
      expect(explain(result)).toBe(`seed ${seed}: ok`);
    },
    120_000,
  );
});
