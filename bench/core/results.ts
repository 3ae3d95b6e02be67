/**
 * The benchmark's results: repeated figures (with their summary), ratios computed from them in
 * the same run, checks that the harness itself did what it claims, and the weight report.
 * `bench/results.json` is exactly a `BenchResults`.
 */
import type { Contributor } from './sourcemap';
import { ratioOfMedians, type Summary, summarize } from './stats';

export type Unit = 'ms' | 'requests' | 'per hour' | 'count' | 'MiB';

/** A goal from the issue, judged on the median (or the max where the issue says "largest"). */
export interface GoalSpec {
  atMost?: number;
  exactly?: number;
  on?: 'median' | 'max';
}

export interface Goal extends GoalSpec {
  text: string;
  met: boolean;
}

export interface Figure {
  measure: number;
  id: string;
  label: string;
  unit: Unit;
  samples: number[];
  summary: Summary;
  goal?: Goal;
}

export interface Ratio {
  measure: number;
  id: string;
  label: string;
  numerator: string;
  denominator: string;
  /** median(numerator) / median(denominator); null when the denominator's median is 0. */
  value: number | null;
  goal?: Goal;
}

export interface Check {
  measure: number;
  name: string;
  ok: boolean;
  detail?: string;
}

export interface Note {
  measure: number;
  text: string;
}

export interface WeightFile {
  file: string;
  bytes: number;
  gzip: number;
}

export interface WeightEntry {
  name: string;
  files: WeightFile[];
  /** JavaScript only (what the goals are about): minified bytes and gzip of each file, summed. */
  jsBytes: number;
  jsGzip: number;
  /** Every file the entry loads (HTML, JS, CSS). */
  bytes: number;
  gzip: number;
  goal?: Goal;
  composition?: { groups: Contributor[]; files: Contributor[] };
}

export interface WeightReport {
  entries: WeightEntry[];
  suggestions: string[];
}

export interface MeasureRun {
  id: number;
  title: string;
  durationMs: number;
  error?: string;
  /** Set by `--merge`: the run this measure's entries come from. */
  run?: { startedAt: string; loadAverageAtStart: string; commit?: string };
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  durationMs: number;
  machine: Record<string, string | number>;
  measures: MeasureRun[];
  figures: Figure[];
  ratios: Ratio[];
  checks: Check[];
  notes: Note[];
  weight: WeightReport | null;
}

const UNIT_TEXT: Record<Unit, string> = {
  ms: 'ms',
  requests: 'requests',
  'per hour': '/h',
  MiB: 'MiB',
  count: '',
};

export function judge(spec: GoalSpec, value: number, unit: Unit | 'x' | 'KiB'): Goal {
  const on = spec.on ?? 'median';
  const suffix = unit === 'x' ? 'x' : unit === 'KiB' ? ' KiB' : ` ${UNIT_TEXT[unit]}`.trimEnd();
  if (spec.exactly !== undefined) {
    return { ...spec, text: `${on} = ${spec.exactly}${suffix}`, met: value === spec.exactly };
  }
  if (spec.atMost !== undefined) {
    return { ...spec, text: `${on} <= ${spec.atMost}${suffix}`, met: value <= spec.atMost };
  }
  throw new Error('a goal needs atMost or exactly');
}

/** Collects everything one run measures; figures are summarized as they come in. */
export class Recorder {
  readonly figures: Figure[] = [];
  readonly ratios: Ratio[] = [];
  readonly checks: Check[] = [];
  readonly notes: Note[] = [];

  figure(
    measure: number,
    id: string,
    label: string,
    unit: Unit,
    samples: readonly number[],
    goal?: GoalSpec,
  ): Figure {
    if (this.figures.some((f) => f.id === id)) throw new Error(`figure ${id} recorded twice`);
    const summary = summarize(samples);
    const figure: Figure = { measure, id, label, unit, samples: [...samples], summary };
    if (goal) figure.goal = judge(goal, goal.on === 'max' ? summary.max : summary.median, unit);
    this.figures.push(figure);
    return figure;
  }

  get(id: string): Figure {
    const figure = this.figures.find((f) => f.id === id);
    if (!figure) throw new Error(`no figure ${id}`);
    return figure;
  }

  ratio(
    measure: number,
    id: string,
    label: string,
    numerator: string,
    denominator: string,
    goal?: GoalSpec,
  ): Ratio {
    const value = ratioOfMedians(this.get(numerator).summary, this.get(denominator).summary);
    const ratio: Ratio = { measure, id, label, numerator, denominator, value };
    if (goal && value !== null) ratio.goal = judge(goal, value, 'x');
    this.ratios.push(ratio);
    return ratio;
  }

  check(measure: number, name: string, ok: boolean, detail?: string): boolean {
    this.checks.push({ measure, name, ok, ...(detail === undefined ? {} : { detail }) });
    return ok;
  }

  note(measure: number, text: string): void {
    this.notes.push({ measure, text });
  }
}
