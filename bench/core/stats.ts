/** Summary statistics for repeated measurements: the median, with the range it came from. */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** Median of the samples (the mean of the middle two for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples to summarize');
  for (const sample of samples) {
    if (!Number.isFinite(sample)) throw new Error(`not a finite sample: ${sample}`);
  }
  return {
    n: samples.length,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/**
 * How many times larger `numerator` is than `denominator`, both medians from the same run.
 * Null when the denominator is zero (no meaningful ratio).
 */
export function ratioOfMedians(numerator: Summary, denominator: Summary): number | null {
  if (denominator.median === 0) return null;
  return numerator.median / denominator.median;
}

/** Per-hour rate of `count` events seen over `windowMs`. */
export function perHour(count: number, windowMs: number): number {
  if (windowMs <= 0) throw new Error('window must be positive');
  return (count * 3_600_000) / windowMs;
}
