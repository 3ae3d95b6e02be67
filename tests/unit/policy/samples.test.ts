/** The README's sample policies are real: they parse cleanly, cover every field, and match docs/. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_FIELD_NAMES } from '../../../lib/policy/fields';
import { parsePolicy } from '../../../lib/policy/parse';

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
const SAMPLES = [
  'docs/managed-policy.example.json',
  'docs/managed-policy.custom-environment.example.json',
];

/** The policy object inside a Linux policy file. */
function inner(path: string): Record<string, unknown> {
  const file = JSON.parse(read(path)) as {
    '3rdparty': { extensions: Record<string, Record<string, unknown>> };
  };
  const policies = Object.values(file['3rdparty'].extensions);
  expect(policies).toHaveLength(1);
  return policies[0] as Record<string, unknown>;
}

describe('sample policies', () => {
  it.each(SAMPLES)('%s parses without a problem', (path) => {
    expect(parsePolicy(inner(path)).problems).toEqual([]);
  });

  it('together use every field', () => {
    const used = new Set(SAMPLES.flatMap((path) => Object.keys(inner(path))));
    expect([...used].sort()).toEqual([...POLICY_FIELD_NAMES].sort());
  });

  it.each(SAMPLES)('%s is shown in the README as it is', (path) => {
    expect(read('README.md')).toContain(`\`\`\`json\n${read(path)}\`\`\``);
  });
});
