/**
 * `npm run bench -- --only=… --merge`: the measures of this run replace their entries in
 * bench/results.json and every other measure's entries stay as they were. Each measure then
 * says which run it comes from (`run`); the file's top level describes this run.
 */
import type { BenchResults, MeasureRun } from './results';

function runOf(results: BenchResults): NonNullable<MeasureRun['run']> {
  const { loadAverageAtStart, commit } = results.machine;
  return {
    startedAt: results.startedAt,
    loadAverageAtStart: String(loadAverageAtStart ?? ''),
    ...(commit !== undefined ? { commit: String(commit) } : {}),
  };
}

export function mergeResults(earlier: BenchResults, run: BenchResults): BenchResults {
  const ran = new Set(run.measures.map((m) => m.id));
  // Measure 0 is the whole run's (the emulator's deviations): this run's only.
  const kept = <T extends { measure: number }>(items: readonly T[]) =>
    items.filter((item) => item.measure !== 0 && !ran.has(item.measure));
  const before = runOf(earlier);
  const now = runOf(run);
  return {
    ...run,
    measures: [
      ...earlier.measures
        .filter((m) => !ran.has(m.id))
        .map((m) => ({ ...m, run: m.run ?? before })),
      ...run.measures.map((m) => ({ ...m, run: now })),
    ].sort((a, b) => a.id - b.id),
    figures: [...kept(earlier.figures), ...run.figures],
    ratios: [...kept(earlier.ratios), ...run.ratios],
    checks: [...kept(earlier.checks), ...run.checks],
    notes: [...kept(earlier.notes), ...run.notes],
    weight: ran.has(7) ? run.weight : earlier.weight,
  };
}
