import { createSign, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { jsonReply } from './http';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import { ORG_UUID, type TestUser } from './users';

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JsonWebKey;
}

let signingKey: SigningKey | undefined;

/** One RSA key per process, made on first use (it only signs emulator ID tokens). */
function key(): SigningKey {
  if (!signingKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    signingKey = { kid: 'emulator-1', privateKey, jwk: publicKey.export({ format: 'jwk' }) };
  }
  return signingKey;
}

export function issuer(state: EmulatorState): string {
  return `${state.urls.base}/idb`;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** RS256 ID token for the code grant when `openid` was granted. */
export function idToken(
  state: EmulatorState,
  user: TestUser,
  clientId: string,
  nonce: string | null,
  scopes: string[],
): string {
  const k = key();
  const iat = Math.floor(state.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: issuer(state),
    sub: user.id,
    aud: clientId,
    iat,
    exp: iat + 3600,
    realm: ORG_UUID,
    ...(nonce ? { nonce } : {}),
  };
  if (scopes.includes('email')) Object.assign(claims, { email: user.email, email_verified: true });
  if (scopes.includes('profile')) {
    Object.assign(claims, {
      name: user.displayName,
      given_name: user.firstName,
      family_name: user.lastName,
      preferred_username: user.email,
    });
  }
  const unsigned = `${b64url({ alg: 'RS256', kid: k.kid, typ: 'JWT' })}.${b64url(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(k.privateKey, 'base64url');
  return `${unsigned}.${signature}`;
}

/** JWKS and discovery document (webex-oauth.md §1). */
export function oidcRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/v1\/verification$/,
      servers: BASE_ONLY,
      kind: 'api',
      handle: () =>
        jsonReply(200, { keys: [{ ...key().jwk, kid: key().kid, use: 'sig', alg: 'RS256' }] }),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/\.well-known\/openid-configuration$/,
      servers: BASE_ONLY,
      kind: 'api',
      handle: () => {
        const b = state.urls.base;
        return jsonReply(200, {
          issuer: issuer(state),
          authorization_endpoint: `${b}/v1/authorize`,
          token_endpoint: `${b}/v1/access_token`,
          userinfo_endpoint: `${b}/v1/userinfo`,
          jwks_uri: `${b}/v1/verification`,
          response_types_supported: ['code', 'id_token'],
          grant_types_supported: ['authorization_code', 'implicit', 'refresh_token'],
          token_endpoint_auth_methods_supported: ['client_secret_basic'],
          code_challenge_methods_supported: ['plain', 'S256'],
          scopes_supported: ['openid', 'email', 'profile', 'phone', 'address'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      },
    },
  ];
}
