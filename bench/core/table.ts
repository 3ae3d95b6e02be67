/** The printed report: one fixed-width table per measure, then weight and checks. */
import type { BenchResults, Figure, Goal, Ratio, Unit, WeightEntry } from './results';

export function formatNumber(value: number, unit: Unit | 'x'): string {
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit === 'ms' || unit === 'MiB') return value.toFixed(1);
  if (unit === 'per hour') return Math.round(value).toLocaleString('en-US');
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export function formatBytes(bytes: number): string {
  return `${bytes.toLocaleString('en-US')} B (${(bytes / 1024).toFixed(1)} KiB)`;
}

function goalText(goal: Goal | undefined): string {
  if (!goal) return '';
  return `${goal.text}: ${goal.met ? 'met' : 'MISSED'}`;
}

/** Left-aligned first column, right-aligned numbers, goal text last; widths fit the content. */
export function renderColumns(header: readonly string[], rows: readonly string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, column) =>
    Math.max(...all.map((row) => (row[column] ?? '').length)),
  );
  const last = header.length - 1;
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => {
        const width = widths[column] as number;
        if (column === 0 || column === last) return cell.padEnd(width);
        return cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  return [
    line(header),
    line(header.map((_, i) => '-'.repeat(widths[i] as number))),
    ...rows.map(line),
  ];
}

function unitSuffix(unit: Unit): string {
  return unit === 'count' ? '' : ` (${unit})`;
}

function figureRow(figure: Figure): string[] {
  const { n, median, min, max } = figure.summary;
  return [
    `${figure.label}${unitSuffix(figure.unit)}`,
    String(n),
    formatNumber(median, figure.unit),
    formatNumber(min, figure.unit),
    formatNumber(max, figure.unit),
    goalText(figure.goal),
  ];
}

function ratioRow(ratio: Ratio): string[] {
  const value = ratio.value === null ? 'n/a' : formatNumber(ratio.value, 'x');
  return [`${ratio.label} (ratio of medians)`, '', value, '', '', goalText(ratio.goal)];
}

function weightRows(entries: readonly WeightEntry[]): string[][] {
  return entries.map((entry) => [
    entry.name,
    formatBytes(entry.jsBytes),
    formatBytes(entry.jsGzip),
    formatBytes(entry.bytes),
    goalText(entry.goal),
  ]);
}

export function formatReport(results: BenchResults): string {
  const out: string[] = [];
  for (const measure of results.measures) {
    out.push('', `${measure.id}. ${measure.title}  [${(measure.durationMs / 1000).toFixed(1)} s]`);
    if (measure.error) out.push(`   FAILED: ${measure.error}`);
    const figures = results.figures.filter((f) => f.measure === measure.id);
    const ratios = results.ratios.filter((r) => r.measure === measure.id);
    if (figures.length + ratios.length > 0) {
      const rows = [...figures.map(figureRow), ...ratios.map(ratioRow)];
      out.push(
        ...renderColumns(['figure', 'n', 'median', 'min', 'max', 'goal'], rows).map(
          (l) => `   ${l}`,
        ),
      );
    }
    if (measure.id === 7 && results.weight) out.push(...formatWeight(results.weight.entries));
    for (const note of results.notes.filter((n) => n.measure === measure.id)) {
      out.push(`   note: ${note.text}`);
    }
  }
  if (results.weight?.suggestions.length) {
    out.push('', 'Weight: suggestions, largest saving first');
    results.weight.suggestions.forEach((s, i) => {
      out.push(`   ${i + 1}. ${s}`);
    });
  }
  const failed = results.checks.filter((c) => !c.ok);
  out.push(
    '',
    `Checks: ${results.checks.length - failed.length} passed, ${failed.length} failed`,
    ...failed.map((c) => `   FAILED (${c.measure}) ${c.name}${c.detail ? `: ${c.detail}` : ''}`),
  );
  return out.join('\n');
}

function formatWeight(entries: readonly WeightEntry[]): string[] {
  const out = renderColumns(
    ['entry', 'JS minified', 'JS gzip', 'all files', 'goal'],
    weightRows(entries),
  ).map((l) => `   ${l}`);
  for (const entry of entries) {
    if (!entry.composition) continue;
    const top = entry.composition.groups
      .slice(0, 6)
      .map((c) => `${c.name} ${(c.bytes / 1024).toFixed(1)} KiB (${Math.round(c.share * 100)}%)`);
    out.push(`   ${entry.name} is made of: ${top.join(', ')}`);
  }
  return out;
}
