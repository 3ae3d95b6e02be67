import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../bench/core/results';
import { median, perHour, ratioOfMedians, summarize } from '../../../bench/core/stats';

describe('bench statistics', () => {
  it('takes the middle sample, or the mean of the middle two, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('summarizes count, median and range without reordering the samples', () => {
    const samples = [30, 10, 20, 50, 40];
    expect(summarize(samples)).toEqual({ n: 5, median: 30, min: 10, max: 50 });
    expect(samples).toEqual([30, 10, 20, 50, 40]);
  });

  it('refuses empty or non-finite samples instead of reporting NaN', () => {
    expect(() => summarize([])).toThrow(/no samples/);
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
    expect(() => median([])).toThrow();
  });

  it('divides medians for a ratio and gives null for a zero denominator', () => {
    const a = summarize([12, 13, 11]);
    const b = summarize([10, 9, 11]);
    expect(ratioOfMedians(a, b)).toBeCloseTo(1.2);
    expect(ratioOfMedians(a, summarize([0, 0, 1]))).toBeNull();
  });

  it('scales a count over a window to a rate per hour', () => {
    expect(perHour(10, 10_000)).toBe(3600);
    expect(perHour(0, 5_000)).toBe(0);
    expect(() => perHour(1, 0)).toThrow();
  });
});

describe('bench recorder', () => {
  it('judges a goal on the median by default and on the max when asked', () => {
    const rec = new Recorder();
    const typical = rec.figure(3, 'open', 'popup open', 'ms', [90, 95, 300], { atMost: 100 });
    expect(typical.goal).toMatchObject({ met: true, text: 'median <= 100 ms' });
    const worst = rec.figure(4, 'late', 'lateness', 'ms', [90, 95, 300], {
      atMost: 100,
      on: 'max',
    });
    expect(worst.goal).toMatchObject({ met: false, text: 'max <= 100 ms' });
  });

  it('computes ratios from figures of the same run and judges their goal', () => {
    const rec = new Recorder();
    rec.figure(1, 'ext', 'extension', 'ms', [24, 26, 25]);
    rec.figure(1, 'bare', 'baseline', 'ms', [20, 19, 21]);
    const ratio = rec.ratio(1, 'r', 'extension / baseline', 'ext', 'bare', { atMost: 1.2 });
    expect(ratio.value).toBeCloseTo(1.25);
    expect(ratio.goal).toMatchObject({ met: false, text: 'median <= 1.2x' });
    expect(() => rec.ratio(1, 'x', 'missing', 'ext', 'nope')).toThrow(/no figure nope/);
  });

  it('judges an exact goal and keeps figure ids unique', () => {
    const rec = new Recorder();
    expect(
      rec.figure(1, 'warm', 'warm requests', 'requests', [1, 1, 1], { exactly: 1 }).goal?.met,
    ).toBe(true);
    expect(() => rec.figure(1, 'warm', 'again', 'requests', [2])).toThrow(/twice/);
  });
});
