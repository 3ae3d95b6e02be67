/**
 * Engine milestones from the background's diagnostics (`diagnostics/get`): when, inside a timed
 * window, the engine logged each step. They split the extension's own time around its requests.
 * Best effort: the messages are the engine's, so a rewrite may rename them; a window where one
 * is missing gives no split (and the bench says so) rather than a wrong one.
 */

export interface DiagnosticLike {
  at: number;
  kind: string;
  message: string;
}

export interface Milestone {
  name: string;
  kind: string;
  message: RegExp;
}

/**
 * What the engine logs around a registration today (lib/line, lib/service): the `connecting`
 * event, just before the register POST, and once the registered device is committed (before
 * the `registered` event, which may be logged after the popup already shows the new state).
 */
export const REGISTRATION_MILESTONES: readonly Milestone[] = [
  { name: 'connecting event', kind: 'event', message: /^Line connecting$/ },
  { name: 'register POST sent', kind: 'mobius', message: /^Registering$/ },
  { name: 'device saved', kind: 'line', message: /^Registered$/ },
];

/**
 * The first entry for each milestone inside [from, to] (whole-ms bounds), each no earlier than
 * the one before; null if any is missing.
 */
export function milestoneTimes(
  entries: readonly DiagnosticLike[],
  window: { from: number; to: number },
  milestones: readonly Milestone[],
): number[] | null {
  const inside = entries
    .filter((e) => e.at >= Math.floor(window.from) && e.at <= Math.ceil(window.to))
    .sort((a, b) => a.at - b.at);
  const times: number[] = [];
  let after = Math.floor(window.from);
  for (const milestone of milestones) {
    const found = inside.find(
      (e) => e.at >= after && e.kind === milestone.kind && milestone.message.test(e.message),
    );
    if (!found) return null;
    times.push(found.at);
    after = found.at;
  }
  return times;
}

/** Durations between consecutive points: n points give n - 1 segments, labelled "a -> b". */
export function segments(
  points: readonly (readonly [label: string, at: number])[],
): [string, number][] {
  return points.slice(1).map(([label, at], i) => {
    const [previousLabel, previousAt] = points[i] as readonly [string, number];
    return [`${previousLabel} -> ${label}`, at - previousAt];
  });
}
