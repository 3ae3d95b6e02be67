/**
 * Secrets inside free text (an error message, a URL, a response body quoted in a log line),
 * found by shape, one rule per form a credential takes. Each rule keeps what names the secret
 * and replaces the secret itself.
 */
const NAMES =
  'access_token|refresh_token|id_token|client_secret|code_verifier|code|password|accessToken|refreshToken|clientSecret';

/** A parameter name starts a word, or follows a percent-encoded character (%3F, %26). */
const START = '(?:\\b|(?<=%[0-9A-Fa-f]{2}))';

const RULES: ReadonlyArray<RegExp> = [
  // Authorization header values: Bearer and Basic credentials, also percent-encoded
  // (Bearer%20…, in a URL); a credential never holds `&`, which starts the next parameter.
  /\b((?:Bearer|Basic)(?:\s+|%20))[^\s"',;&]+/gi,
  // OAuth parameters in a query string or form body: access_token=…
  new RegExp(`${START}((?:${NAMES})=)[^&\\s"']+`, 'gi'),
  // The same, percent-encoded once (a URL inside a URL): access_token%3D…
  new RegExp(`${START}((?:${NAMES})%3D)[^&%\\s"']+(?:%(?!26)[0-9A-F]{2}[^&%\\s"']*)*`, 'gi'),
  // JSON: "access_token": "…"
  new RegExp(`("(?:${NAMES})"\\s*:\\s*")(?:[^"\\\\]|\\\\.)*`, 'gi'),
  // JSON escaped inside a string: \"access_token\":\"…
  new RegExp(`(\\\\"(?:${NAMES})\\\\"\\s*:\\s*\\\\")[^"\\\\]*`, 'gi'),
  // JSON percent-encoded: %22access_token%22%3A%22…
  new RegExp(`(%22(?:${NAMES})%22(?:%3A|:)(?:%20)*%22)(?:(?!%22)[^&\\s"'])*`, 'gi'),
];

export function redactText(text: string): string {
  return RULES.reduce((out, rule) => out.replace(rule, '$1[redacted]'), text);
}
