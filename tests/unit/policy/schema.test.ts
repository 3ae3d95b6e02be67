/** public/managed_schema.json (what Chrome validates a policy against) and lib/policy agree. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { POLICY_FIELD_NAMES, POLICY_FIELDS } from '../../../lib/policy/fields';
import config from '../../../wxt.config';

const schema = JSON.parse(
  readFileSync(new URL('../../../public/managed_schema.json', import.meta.url), 'utf8'),
) as { type: string; properties: Record<string, SchemaNode> };

interface SchemaNode {
  type: string;
  enum?: string[];
  items?: SchemaNode;
  [key: string]: unknown;
}

/** The JSON-schema subset Chrome's policy schema parser accepts (components/policy Schema). */
const CHROME_KEYWORDS = new Set([
  'type',
  'properties',
  'additionalProperties',
  'patternProperties',
  'items',
  'enum',
  'minimum',
  'maximum',
  'pattern',
  'required',
  'id',
  '$ref',
  'title',
  'description',
]);
const CHROME_TYPES = new Set(['object', 'array', 'string', 'boolean', 'integer', 'number']);

function walk(
  node: Record<string, unknown>,
  path: string,
  visit: (n: Record<string, unknown>, p: string) => void,
) {
  visit(node, path);
  const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
  for (const [name, child] of Object.entries(properties ?? {}))
    walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`, visit);
}

describe('managed_schema.json', () => {
  it('is an object schema using only what Chrome accepts', () => {
    expect(schema.type).toBe('object');
    walk(schema, 'schema', (node, path) => {
      for (const key of Object.keys(node))
        expect(CHROME_KEYWORDS.has(key), `${path}: ${key}`).toBe(true);
      expect(CHROME_TYPES.has(node.type as string), `${path}: type`).toBe(true);
    });
  });

  it('has exactly the fields parsePolicy knows, with the same types', () => {
    expect(Object.keys(schema.properties).sort()).toEqual([...POLICY_FIELD_NAMES].sort());
    for (const name of POLICY_FIELD_NAMES) {
      const field = POLICY_FIELDS[name];
      const node = schema.properties[name] as SchemaNode;
      expect(node.type, name).toBe(field.type);
      expect(node.enum, name).toEqual('enum' in field && field.enum ? [...field.enum] : undefined);
      if (field.type === 'array') expect(node.items, name).toEqual({ type: 'string' });
      expect(typeof node.title, name).toBe('string');
      expect(typeof node.description, name).toBe('string');
    }
  });

  it('is declared in the manifest, with the storage permission chrome.storage.managed needs', async () => {
    for (const mode of ['production', 'development']) {
      const manifest = await resolveManifest(mode);
      expect(manifest.storage).toEqual({ managed_schema: 'managed_schema.json' });
      expect(manifest.permissions).toContain('storage');
    }
  });
});

async function resolveManifest(
  mode: string,
): Promise<{ storage?: unknown; permissions?: string[] }> {
  const manifest = config.manifest as unknown;
  if (typeof manifest === 'function')
    return await manifest({ mode, browser: 'chrome', manifestVersion: 3, command: 'build' });
  return manifest as { storage?: unknown; permissions?: string[] };
}
