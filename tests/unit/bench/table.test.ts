import { describe, expect, it } from 'vitest';
import { type BenchResults, Recorder } from '../../../bench/core/results';
import { formatBytes, formatNumber, formatReport, renderColumns } from '../../../bench/core/table';

function results(recorder: Recorder, extra: Partial<BenchResults> = {}): BenchResults {
  return {
    version: 1,
    startedAt: '2026-12-01T00:00:00.000Z',
    durationMs: 1000,
    machine: {},
    measures: [{ id: 1, title: 'Register latency', durationMs: 2500 }],
    figures: recorder.figures,
    ratios: recorder.ratios,
    checks: recorder.checks,
    notes: recorder.notes,
    weight: null,
    ...extra,
  };
}

describe('bench table', () => {
  it('formats numbers by unit', () => {
    expect(formatNumber(12.345, 'ms')).toBe('12.3');
    expect(formatNumber(5, 'requests')).toBe('5');
    expect(formatNumber(5.5, 'requests')).toBe('5.5');
    expect(formatNumber(3612.4, 'per hour')).toBe('3,612');
    expect(formatNumber(1.234, 'x')).toBe('1.23x');
    expect(formatBytes(83025)).toBe('83,025 B (81.1 KiB)');
  });

  it('aligns columns: text left, numbers right, one dashed rule under the header', () => {
    const lines = renderColumns(
      ['figure', 'n', 'goal'],
      [
        ['a', '10', 'x'],
        ['longer name', '5', ''],
      ],
    );
    expect(lines).toEqual([
      'figure        n  goal',
      '-----------  --  ----',
      'a            10  x',
      'longer name   5',
    ]);
  });

  it('prints each measure with its figures, ratios, goals, notes and failed checks', () => {
    const rec = new Recorder();
    rec.figure(1, 'ext', 'extension, warm', 'ms', [30, 10, 20]);
    rec.figure(1, 'bare', 'baseline, warm', 'ms', [10, 10, 10]);
    rec.ratio(1, 'r', 'extension / baseline', 'ext', 'bare', { atMost: 1.2 });
    rec.note(1, 'noisy machine');
    rec.check(1, 'same requests', true);
    rec.check(1, 'no deviations', false, '1 deviation');
    const text = formatReport(results(rec));
    const lines = text.split('\n');
    expect(lines).toContain('1. Register latency  [2.5 s]');
    const ext = lines.find((l) => l.includes('extension, warm (ms)'));
    expect(
      ext
        ?.trim()
        .split(/\s{2,}/)
        .slice(1),
    ).toEqual(['3', '20.0', '10.0', '30.0']);
    const ratio = lines.find((l) => l.includes('extension / baseline'));
    expect(ratio).toContain('2.00x');
    expect(ratio).toContain('median <= 1.2x: MISSED');
    expect(text).toContain('note: noisy machine');
    expect(text).toContain('Checks: 1 passed, 1 failed');
    expect(text).toContain('FAILED (1) no deviations: 1 deviation');
  });

  it('shows a measure that failed, and the weight table with its composition', () => {
    const text = formatReport(
      results(new Recorder(), {
        measures: [
          { id: 6, title: 'Fan-out', durationMs: 100, error: 'tabs never loaded' },
          { id: 7, title: 'Weight', durationMs: 100 },
        ],
        weight: {
          entries: [
            {
              name: 'content script',
              files: [],
              jsBytes: 19321,
              jsGzip: 6495,
              bytes: 19321,
              gzip: 6495,
              goal: { atMost: 12, text: 'minified <= 12 KiB', met: false },
              composition: {
                groups: [{ name: 'webextension-polyfill', bytes: 10240, share: 0.53 }],
                files: [],
              },
            },
          ],
          suggestions: ['drop the polyfill'],
        },
      }),
    );
    expect(text).toContain('FAILED: tabs never loaded');
    expect(text).toMatch(/content script\s+19,321 B \(18\.9 KiB\)\s+6,495 B/);
    expect(text).toContain('minified <= 12 KiB: MISSED');
    expect(text).toContain('content script is made of: webextension-polyfill 10.0 KiB (53%)');
    expect(text).toContain('1. drop the polyfill');
  });
});
