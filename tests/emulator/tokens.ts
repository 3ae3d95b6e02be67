import { webexToken } from './ids';
import { ORG_UUID } from './users';

export interface AccessToken {
  token: string;
  userId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshToken {
  token: string;
  userId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export interface Lifetimes {
  accessTokenLifetimeSec: number;
  refreshTokenLifetimeSec: number;
}

/** Why a token was refused, for logs; the client only ever sees a 401 or invalid_grant. */
export type TokenProblem = 'unknown' | 'expired' | 'revoked';

export class TokenStore {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly rotatedOut = new Set<string>();

  clear(): void {
    this.access.clear();
    this.refresh.clear();
    this.rotatedOut.clear();
  }

  issue(
    userId: string,
    clientId: string,
    scopes: string[],
    now: number,
    lifetimes: Lifetimes,
  ): { access: AccessToken; refresh: RefreshToken } {
    const refresh: RefreshToken = {
      token: webexToken(ORG_UUID),
      userId,
      clientId,
      scopes: [...scopes],
      expiresAt: now + lifetimes.refreshTokenLifetimeSec * 1000,
      revoked: false,
    };
    this.refresh.set(refresh.token, refresh);
    return { access: this.issueAccess(refresh, scopes, now, lifetimes), refresh };
  }

  /**
   * Refresh grant. With rotation the old refresh token stops working and a new one starts a
   * full lifetime; without it the same token comes back and keeps its original expiry (whether
   * Webex resets the 90-day clock is unconfirmed; not resetting is the stricter choice).
   */
  redeemRefresh(
    old: RefreshToken,
    scopes: string[],
    rotate: boolean,
    now: number,
    lifetimes: Lifetimes,
  ): { access: AccessToken; refresh: RefreshToken } {
    let refresh = old;
    if (rotate) {
      old.revoked = true;
      this.rotatedOut.add(old.token);
      refresh = {
        ...old,
        token: webexToken(ORG_UUID),
        expiresAt: now + lifetimes.refreshTokenLifetimeSec * 1000,
        revoked: false,
      };
      this.refresh.set(refresh.token, refresh);
    }
    return { access: this.issueAccess(refresh, scopes, now, lifetimes), refresh };
  }

  private issueAccess(
    refresh: RefreshToken,
    scopes: string[],
    now: number,
    lifetimes: Lifetimes,
  ): AccessToken {
    const access: AccessToken = {
      token: webexToken(ORG_UUID),
      userId: refresh.userId,
      clientId: refresh.clientId,
      scopes: [...scopes],
      expiresAt: now + lifetimes.accessTokenLifetimeSec * 1000,
      revoked: false,
    };
    this.access.set(access.token, access);
    return access;
  }

  checkAccess(token: string, now: number): AccessToken | TokenProblem {
    return check(this.access.get(token), now);
  }

  checkRefresh(token: string, now: number): RefreshToken | TokenProblem {
    return check(this.refresh.get(token), now);
  }

  /** True for a refresh token that a rotation replaced (using it again is a client bug). */
  wasRotatedOut(token: string): boolean {
    return this.rotatedOut.has(token);
  }

  /**
   * By user: every access and refresh token (the user must sign in again). By value: that token.
   * Neither: every token.
   */
  revoke(filter: { userId?: string; accessToken?: string }, now: number): number {
    let count = 0;
    for (const record of [...this.access.values(), ...this.refresh.values()]) {
      const match =
        filter.accessToken !== undefined
          ? record.token === filter.accessToken
          : filter.userId === undefined || record.userId === filter.userId;
      if (match && !record.revoked) {
        record.revoked = true;
        // Counts the tokens that still worked.
        if (record.expiresAt > now) count++;
      }
    }
    return count;
  }

  /** Makes live access tokens (and optionally refresh tokens) expire now. */
  expire(filter: { userId?: string; refreshTokens?: boolean }, now: number): number {
    const records: Array<AccessToken | RefreshToken> = [...this.access.values()];
    if (filter.refreshTokens) records.push(...this.refresh.values());
    let count = 0;
    for (const record of records) {
      if (filter.userId !== undefined && record.userId !== filter.userId) continue;
      if (record.revoked || record.expiresAt <= now) continue;
      record.expiresAt = now;
      count++;
    }
    return count;
  }
}

function check<T extends { expiresAt: number; revoked: boolean }>(
  record: T | undefined,
  now: number,
): T | TokenProblem {
  if (!record) return 'unknown';
  if (record.revoked) return 'revoked';
  if (now >= record.expiresAt) return 'expired';
  return record;
}

export function hasScope(scopes: readonly string[], wanted: string): boolean {
  return scopes.includes(wanted) || scopes.includes('spark:all');
}
