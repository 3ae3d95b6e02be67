import type { Reply } from './http';

/**
 * Ways to spoil a real answer, so every endpoint can be tried with the same malformed bodies
 * (truncated JSON, wrong types, missing fields, an empty body, several MB of junk).
 */
export const MALFORMATIONS = ['truncated', 'wrongTypes', 'missingFields', 'empty', 'huge'] as const;
export type Malformation = (typeof MALFORMATIONS)[number];

/** Size of the `huge` body: several MB, above any sane answer. */
export const HUGE_BODY_BYTES = 5 * 1024 * 1024;

const JSON_TYPE = 'application/json;charset=UTF-8';

/** Every value swapped for one of another JSON type, keys kept, recursively. */
export function wrongTypes(value: unknown): unknown {
  if (Array.isArray(value)) return 'not-a-list';
  if (value === null) return false;
  switch (typeof value) {
    case 'string':
      return 12345;
    case 'number':
      return { value };
    case 'boolean':
      return 'true';
    case 'object':
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, wrongTypes(v)]),
      );
    default:
      return null;
  }
}

/** The handler's reply with its body spoiled as asked (status and headers kept). */
export function malformed(reply: Reply, how: Malformation): Reply {
  const body = reply.body ?? '';
  const as = (text: string): Reply => ({ ...reply, body: text, contentType: JSON_TYPE });
  switch (how) {
    case 'truncated':
      return as(body.slice(0, Math.max(1, Math.floor(body.length / 2))) || '{');
    case 'wrongTypes':
      return as(JSON.stringify(wrongTypes(parseOr(body, {}))));
    case 'missingFields':
      return as(Array.isArray(parseOr(body, {})) ? '[]' : '{}');
    case 'empty':
      return as('');
    case 'huge':
      return as(`{"junk":"${'x'.repeat(HUGE_BODY_BYTES)}`);
  }
}

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
