import { opaqueString, webexToken } from './ids';
import { ORG_UUID } from './users';

export type ChallengeMethod = 'S256' | 'plain';

/** An /v1/authorize request that passed validation and waits for the user's decision. */
export interface PendingAuthorization {
  id: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string | null;
  challenge: string | null;
  challengeMethod: ChallengeMethod | null;
  nonce: string | null;
  expiresAt: number;
}

/** An authorization code: single use, short lived, bound to everything it was issued for. */
export interface AuthorizationCode {
  code: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string | null;
  challengeMethod: ChallengeMethod | null;
  nonce: string | null;
  expiresAt: number;
  used: boolean;
}

/** How long the consent page stays valid (the real value is not documented). */
const PENDING_LIFETIME_MS = 10 * 60 * 1000;

export class AuthorizationStore {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly codes = new Map<string, AuthorizationCode>();

  clear(): void {
    this.pending.clear();
    this.codes.clear();
  }

  addPending(request: Omit<PendingAuthorization, 'id' | 'expiresAt'>, now: number): string {
    const id = opaqueString(32);
    this.pending.set(id, { ...request, id, expiresAt: now + PENDING_LIFETIME_MS });
    return id;
  }

  /** Takes a pending request out (each consent page answers once). */
  takePending(id: string, now: number): PendingAuthorization | undefined {
    const found = this.pending.get(id);
    this.pending.delete(id);
    if (!found || now >= found.expiresAt) return undefined;
    return found;
  }

  issueCode(
    grant: Omit<AuthorizationCode, 'code' | 'expiresAt' | 'used'>,
    now: number,
    lifetimeSec: number,
  ): AuthorizationCode {
    const code: AuthorizationCode = {
      ...grant,
      code: webexToken(ORG_UUID),
      expiresAt: now + lifetimeSec * 1000,
      used: false,
    };
    this.codes.set(code.code, code);
    return code;
  }

  findCode(code: string): AuthorizationCode | undefined {
    return this.codes.get(code);
  }
}
