/**
 * What a client may ask the broker: exactly the two grants that need the client secret, with
 * exactly their fields (reference/webex-oauth.md §3-4). Anything else is refused with a message
 * that names the field and never repeats its value.
 */
import { readCapped } from './bytes';

export type Grant =
  | { type: 'authorization_code'; code: string; codeVerifier: string; redirectUri: string }
  | { type: 'refresh_token'; refreshToken: string };

export type GrantResult =
  | { ok: true; grant: Grant }
  | { ok: false; error: 'invalid_request' | 'unsupported_grant_type'; description: string };

/** RFC 6749 VSCHAR without the space: what codes and tokens are made of. */
const OPAQUE = /^[\x21-\x7E]{1,2048}$/;
/** RFC 7636 §4.1. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

const FIELDS: Record<Grant['type'], readonly string[]> = {
  authorization_code: ['grant_type', 'code', 'code_verifier', 'redirect_uri'],
  refresh_token: ['grant_type', 'refresh_token'],
};

/** Names are echoed in messages; keep an attacker's field name short and printable. */
const shown = (name: string) => JSON.stringify(name.replace(/[^\x20-\x7E]/g, '?').slice(0, 40));

const fail = (description: string): GrantResult => ({
  ok: false,
  error: 'invalid_request',
  description,
});

export type BodyResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'tooLarge' | 'encoding' };

/** The body as UTF-8 text, at most `maxBytes` of it. */
export async function readBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const bytes = await readCapped(request.body, maxBytes, 'release');
  if (!bytes) return { ok: false, reason: 'tooLarge' };
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'encoding' };
  }
}

/** The form body as a map; a field given twice is an error (RFC 6749 §3.1). */
function formFields(text: string): Map<string, string> | string {
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) {
    if (fields.has(name)) return `${shown(name)} is given more than once.`;
    fields.set(name, value);
  }
  return fields;
}

export function parseGrant(text: string, allowedRedirectUris: ReadonlySet<string>): GrantResult {
  const fields = formFields(text);
  if (typeof fields === 'string') return fail(fields);
  const grantType = fields.get('grant_type');
  if (grantType === undefined || grantType === '') return fail('grant_type is missing.');
  if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
    return {
      ok: false,
      error: 'unsupported_grant_type',
      description: 'grant_type must be authorization_code or refresh_token.',
    };
  }
  const expected = FIELDS[grantType];
  for (const name of fields.keys()) {
    if (name === 'client_id' || name === 'client_secret') {
      return fail(`${name} must not be sent: the broker adds the client credentials itself.`);
    }
    if (!expected.includes(name)) {
      return fail(`${shown(name)} is not accepted; send only ${expected.join(', ')}.`);
    }
  }
  for (const name of expected) {
    if (!fields.get(name)) return fail(`${name} is missing.`);
  }
  if (grantType === 'refresh_token') {
    const refreshToken = fields.get('refresh_token') ?? '';
    if (!OPAQUE.test(refreshToken)) return fail('refresh_token is not a token.');
    return { ok: true, grant: { type: 'refresh_token', refreshToken } };
  }
  const code = fields.get('code') ?? '';
  const codeVerifier = fields.get('code_verifier') ?? '';
  const redirectUri = fields.get('redirect_uri') ?? '';
  if (!OPAQUE.test(code)) return fail('code is not an authorization code.');
  if (!VERIFIER.test(codeVerifier)) {
    return fail('code_verifier must be 43-128 characters from A-Z a-z 0-9 - . _ ~.');
  }
  if (!allowedRedirectUris.has(redirectUri)) {
    return fail('redirect_uri is not one this broker accepts.');
  }
  return { ok: true, grant: { type: 'authorization_code', code, codeVerifier, redirectUri } };
}

/** The form Webex's token endpoint gets: the grant plus the integration's credentials. */
export function upstreamForm(
  grant: Grant,
  clientId: string,
  clientSecret: string,
): Record<string, string> {
  const credentials = { client_id: clientId, client_secret: clientSecret };
  if (grant.type === 'refresh_token') {
    return { grant_type: 'refresh_token', ...credentials, refresh_token: grant.refreshToken };
  }
  return {
    grant_type: 'authorization_code',
    ...credentials,
    code: grant.code,
    redirect_uri: grant.redirectUri,
    code_verifier: grant.codeVerifier,
  };
}
