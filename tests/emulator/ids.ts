import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Cluster id in the middle of Webex user tokens (`<random>_<cluster>_<orgUuid>`). */
export const TOKEN_CLUSTER = 'PF84';

/**
 * Where ids and tokens come from: the system's randomness, or (the simulation, so a seed replays
 * exactly) a seeded source of numbers in [0, 1).
 */
let seeded: (() => number) | null = null;

export function seedIds(next: (() => number) | null): void {
  seeded = next;
}

function bytes(length: number): Buffer {
  const next = seeded;
  if (!next) return randomBytes(length);
  return Buffer.from(Array.from({ length }, () => Math.floor(next() * 256)));
}

/** Random letters and digits only: the SDK splits tokens on '_' and expects three parts. */
export function opaqueString(length = 64): string {
  let out = '';
  while (out.length < length) {
    out += bytes(length)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '');
  }
  return out.slice(0, length);
}

/** A version 4 UUID (RFC 9562) from `bytes`. */
function uuid(): string {
  if (!seeded) return randomUUID();
  const b = bytes(16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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
  return uuid();
}

export function newTrackingId(): string {
  return `ROUTER_${uuid().toUpperCase()}`;
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
