/**
 * What the diagnostics log must never hold, as data: keys whose values are secrets, and the
 * shapes secrets take inside text (headers, query strings and form bodies, JSON, and each of
 * those percent-encoded, as a URL or a logged request carries them).
 */

/**
 * Keys whose values must never reach the diagnostics log, whatever logs them, at any depth.
 * `code` alone is an OAuth authorization code; `errorCode` (Mobius 101, 102...) is kept, and so
 * are timing names such as `tokenRetryMs` (a key ending in token(s) or starting `token_` is one).
 */
export const SECRET_KEYS =
  /tokens?$|token_|secret|verifier|authorization|password|cookie|^code$|^auth_?code$/i;

/** Parameter and field names whose values are secrets (snake_case and camelCase). */
const NAME =
  '(?:access_?token|refresh_?token|id_?token|client_?secret|code_?verifier|password|code)';

/** Each rule keeps its first group (the name or scheme) and replaces the value after it. */
export const SECRET_TEXT_RULES: ReadonlyArray<readonly [string, RegExp]> = [
  // An Authorization header's credentials, plain or encoded (`Bearer%20…`, `Basic+…`).
  ['credentials', /\b((?:Bearer|Basic)(?:\s+|%20|\+))[A-Za-z0-9\-._~+/=%]+/gi],
  // JSON, also JSON escaped inside a JSON string: "access_token":"…" or \"code\": \"…\".
  ['json', new RegExp(`(\\\\*"${NAME}\\\\*"\\s*:\\s*\\\\*")[^"\\\\]*`, 'gi')],
  // Percent-encoded JSON: %22access_token%22%3A%22…%22.
  ['encoded json', new RegExp(`(%22${NAME}%22(?:%20)*%3A(?:%20)*%22)(?:(?!%22)[^\\s"'&])*`, 'gi')],
  // Percent-encoded query or form: access_token%3D…%26 (a URL inside a URL).
  // The name follows an encoded ? or & (%3F, %26), whose last letter defeats \b.
  [
    'encoded form',
    new RegExp(`(?<=^|[^A-Za-z0-9_]|%3F|%26)(${NAME}%3D)(?:(?!%26)[^\\s"'&])*`, 'gi'),
  ],
  // A query string or form body: access_token=…&.
  ['form', new RegExp(`\\b(${NAME}=)[^&\\s"']+`, 'gi')],
];

export function redactText(text: string): string {
  return SECRET_TEXT_RULES.reduce(
    (result, [, pattern]) => result.replace(pattern, '$1[redacted]'),
    text,
  );
}

/** A copy of `value` with secrets replaced, at most `maxDepth` levels deep. */
export function redactValue(value: unknown, depth: number, maxDepth = 6): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= maxDepth) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, maxDepth));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEYS.test(key) ? '[redacted]' : redactValue(item, depth + 1, maxDepth),
    ]),
  );
}
