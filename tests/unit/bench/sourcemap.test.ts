import { describe, expect, it } from 'vitest';
import {
  bytesPerSource,
  contributors,
  decodeMappings,
  decodeVlq,
  moduleGroup,
  normalizeSource,
  UNMAPPED,
} from '../../../bench/core/sourcemap';

describe('source map decoding', () => {
  it('decodes base64 VLQ fields, signs and continuation digits included', () => {
    expect(decodeVlq('AAAA')).toEqual([0, 0, 0, 0]);
    expect(decodeVlq('CAAC')).toEqual([1, 0, 0, 1]);
    expect(decodeVlq('D')).toEqual([-1]);
    expect(decodeVlq('gB')).toEqual([16]);
    expect(decodeVlq('2Hw+BO')).toEqual([123, 1000, 7]);
    expect(() => decodeVlq('A!')).toThrow(/invalid/);
    expect(() => decodeVlq('g')).toThrow(/truncated/);
  });

  it('resolves relative columns per line and source indexes across lines', () => {
    // line 0: col 0 -> source 0, col 4 -> source 1; line 1: col 2 -> source 1 (delta 0), col 3 unmapped
    expect(decodeMappings('AAAA,ICAA;EAAA,C')).toEqual([
      [
        { column: 0, source: 0 },
        { column: 4, source: 1 },
      ],
      [
        { column: 2, source: 1 },
        { column: 3, source: null },
      ],
    ]);
  });

  it('attributes every byte of the file to a source or to (unmapped)', () => {
    const code = 'abcdefgh\nxyz';
    const map = {
      sources: ['../../lib/a.ts', '../../node_modules/pkg/b.js'],
      mappings: 'AAAA,ICAA;EAAA,C',
    };
    const perSource = bytesPerSource(code, map);
    expect(perSource).toEqual({
      '../../lib/a.ts': 4,
      '../../node_modules/pkg/b.js': 5,
      [UNMAPPED]: 3,
    });
    const sum = Object.values(perSource).reduce((a, b) => a + b, 0);
    expect(sum).toBe(new TextEncoder().encode(code).length);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(bytesPerSource('é€', { sources: ['x.ts'], mappings: 'AAAA' })).toEqual({ 'x.ts': 5 });
  });
});

describe('composition', () => {
  it('names sources by package or project folder', () => {
    expect(normalizeSource('../../node_modules/.pnpm/x/node_modules/preact/dist/preact.mjs')).toBe(
      'node_modules/preact/dist/preact.mjs',
    );
    expect(normalizeSource('../../lib/webex/http.ts')).toBe('lib/webex/http.ts');
    expect(moduleGroup('../../node_modules/@webex/calling/dist/index.js')).toBe('@webex/calling');
    expect(moduleGroup('../../node_modules/webextension-polyfill/dist/browser-polyfill.js')).toBe(
      'webextension-polyfill',
    );
    expect(moduleGroup('../../lib/webex/http.ts')).toBe('lib/webex');
    expect(moduleGroup('../../lib/settings.ts')).toBe('lib');
    expect(moduleGroup('../../entrypoints/background.ts')).toBe('entrypoints');
  });

  it('groups, sums and ranks contributors with their share', () => {
    const ranked = contributors(
      { 'lib/a/x.ts': 30, 'lib/a/y.ts': 20, 'node_modules/p/i.js': 40, [UNMAPPED]: 10 },
      moduleGroup,
    );
    expect(ranked).toEqual([
      { name: 'lib/a', bytes: 50, share: 0.5 },
      { name: 'p', bytes: 40, share: 0.4 },
      { name: UNMAPPED, bytes: 10, share: 0.1 },
    ]);
  });
});
