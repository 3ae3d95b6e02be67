/**
 * The broker is server code: nothing the extension bundles may import it (its secret-handling
 * would ship to every browser), and it imports nothing of the extension's but shared types.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const importsOf = (path: string) =>
  [...readFileSync(path, 'utf8').matchAll(/from\s+'([^']+)'/g)].map((m) => m[1] as string);

describe('the broker stays out of the extension', () => {
  it('is imported by no extension code', () => {
    const extensionFiles = [
      ...sources(join(ROOT, 'entrypoints')),
      ...sources(join(ROOT, 'lib')),
    ].filter((path) => !relative(ROOT, path).startsWith('lib/broker/'));
    const offenders = extensionFiles.filter((path) =>
      importsOf(path).some((spec) => /(^|\/)broker(\/|$)/.test(spec)),
    );
    expect(offenders.map((path) => relative(ROOT, path))).toEqual([]);
  });

  it('imports only its own modules, Node built-ins, and the shared ports and dev defaults', () => {
    for (const path of sources(join(ROOT, 'lib/broker'))) {
      for (const spec of importsOf(path)) {
        expect(
          spec.startsWith('./') ||
            spec.startsWith('node:') ||
            spec === '../ports' ||
            spec === '../dev-integration',
          `${relative(ROOT, path)} imports ${spec}`,
        ).toBe(true);
      }
    }
  });
});
