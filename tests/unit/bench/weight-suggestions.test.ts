import { describe, expect, it } from 'vitest';
import type { WeightEntry } from '../../../bench/core/results';
import { suggestions } from '../../../bench/measures/weight';

const KIB = 1024;

function entry(
  name: string,
  jsKib: number,
  goalKib: number | undefined,
  groups: [string, number][],
  files: [string, number][] = [],
): WeightEntry {
  const jsBytes = jsKib * KIB;
  const share = (bytes: number) => bytes / jsBytes;
  return {
    name,
    files: [],
    jsBytes,
    jsGzip: 0,
    bytes: jsBytes,
    gzip: 0,
    ...(goalKib === undefined
      ? {}
      : { goal: { atMost: goalKib, text: '', met: jsKib <= goalKib } }),
    composition: {
      groups: groups.map(([n, kib]) => ({ name: n, bytes: kib * KIB, share: share(kib * KIB) })),
      files: files.map(([n, kib]) => ({ name: n, bytes: kib * KIB, share: share(kib * KIB) })),
    },
  };
}

describe('weight suggestions', () => {
  it('ranks advised package removals by the bytes they save and says whether the goal is then met', () => {
    const list = suggestions([
      entry('content script', 19, 12, [
        ['webextension-polyfill', 9],
        ['lib/ui', 4.5],
        ['wxt', 3.5],
      ]),
      entry(
        'service worker',
        81,
        64,
        [
          ['lib/line', 24],
          ['webextension-polyfill', 9.5],
        ],
        [
          ['lib/line/engine.ts', 7],
          ['node_modules/webextension-polyfill/dist/browser-polyfill.js', 9.5],
        ],
      ),
    ]);
    expect(list[0]).toMatch(
      /^service worker: webextension-polyfill is 9\.5 KiB of 81\.0 KiB \(12%\)\. Call chrome\.\*/,
    );
    expect(list[1]).toMatch(/^content script: webextension-polyfill is 9\.0 KiB/);
    const worker = list.find((s) => s.startsWith('service worker: with those removed'));
    expect(worker).toContain('about 71.5 KiB and is still 7.5 KiB over the 64 KiB goal');
    // The rest is named from the project's own files, never from packages.
    expect(worker).toContain('largest: lib/line/engine.ts 7.0 KiB.');
    const content = list.find((s) => s.startsWith('content script: with those removed'));
    expect(content).toBe(
      'content script: with those removed it is about 6.5 KiB and meets the 12 KiB goal.',
    );
    expect(list.some((s) => s.includes('lib/ui is'))).toBe(false);
  });

  it('has nothing to say about entries without a goal, or that meet theirs', () => {
    expect(suggestions([entry('popup', 33, undefined, [['webextension-polyfill', 9.4]])])).toEqual(
      [],
    );
    expect(suggestions([entry('content script', 6.8, 12, [['wxt', 0.1]])])).toEqual([]);
  });
});
