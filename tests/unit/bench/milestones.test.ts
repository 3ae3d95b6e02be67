import { describe, expect, it } from 'vitest';
import { milestoneTimes, REGISTRATION_MILESTONES, segments } from '../../../bench/core/milestones';

// A warm registration as the background logs it (the numbers are ms after the click at 1000).
const DIAGNOSTICS = [
  { at: 990, kind: 'line', message: 'Registered' }, // the previous registration
  { at: 1007, kind: 'event', message: 'Line connecting' },
  { at: 1022, kind: 'mobius', message: 'Registering' },
  { at: 1037, kind: 'line', message: 'Registered' },
  { at: 1041, kind: 'event', message: 'Line registered' },
  { at: 2000, kind: 'event', message: 'Line connecting' },
];

describe('engine milestones', () => {
  it('finds each milestone in order inside the window, ignoring what came before', () => {
    expect(
      milestoneTimes(DIAGNOSTICS, { from: 1000.4, to: 1046.2 }, REGISTRATION_MILESTONES),
    ).toEqual([1007, 1022, 1037]);
  });

  it('gives nothing when a milestone is missing (renamed or outside the window)', () => {
    expect(
      milestoneTimes(DIAGNOSTICS, { from: 1000, to: 1030 }, REGISTRATION_MILESTONES),
    ).toBeNull();
    // Out of order: a device saved before this window's POST does not count.
    const early = [
      { at: 1001, kind: 'line', message: 'Registered' },
      ...DIAGNOSTICS.filter((e) => e.at !== 1037),
    ];
    expect(milestoneTimes(early, { from: 1000, to: 1046 }, REGISTRATION_MILESTONES)).toBeNull();
    const renamed = DIAGNOSTICS.map((e) =>
      e.kind === 'mobius' ? { ...e, message: 'POST device' } : e,
    );
    expect(milestoneTimes(renamed, { from: 1000, to: 1046 }, REGISTRATION_MILESTONES)).toBeNull();
  });

  it('turns points into labelled segments', () => {
    expect(
      segments([
        ['click', 1000],
        ['connecting', 1007],
        ['shown', 1046],
      ]),
    ).toEqual([
      ['click -> connecting', 7],
      ['connecting -> shown', 39],
    ]);
    expect(segments([['only', 5]])).toEqual([]);
  });
});
