import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Cluster id in the middle of Webex user tokens (`<random>_<cluster>_<orgUuid>`). */
export const TOKEN_CLUSTER = 'PF84';

/** Random letters and digits only: the SDK splits tokens on '_' and expects three parts. */
export function opaqueString(length = 64): string {
  let out = '';
  while (out.length < length) {
    out += randomBytes(length)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '');
  }
  return out.slice(0, length);
}

/** Access tokens, refresh tokens and authorization codes all share the Webex shape. */
export function webexToken(orgUuid: string): string {
  return `${opaqueString(64)}_${TOKEN_CLUSTER}_${orgUuid}`;
}

export type HydraKind = 'PEOPLE' | 'ORGANIZATION' | 'LOCATION';

/** Public API ids: base64 of `ciscospark://us/<KIND>/<uuid>`, padding stripped as Webex does. */
export function hydraId(kind: HydraKind, uuid: string): string {
  return Buffer.from(`ciscospark://us/${kind}/${uuid}`).toString('base64').replace(/=+$/, '');
}

export function newUuid(): string {
  return randomUUID();
}

export function newTrackingId(): string {
  return `ROUTER_${randomUUID().toUpperCase()}`;
}

/** ISO-8601 without milliseconds, like Mobius's `lastSeen` ("2022-04-05T05:08:46Z"). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** PKCE S256: BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
