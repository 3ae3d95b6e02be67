/**
 * Keeps a usable access token: refreshes ahead of expiry on a Scheduler timer, on demand when the
 * token has expired, and once after a 401. One refresh in flight at a time; concurrent callers
 * share it (the SDK treats a repeated token as an error, and a rotated refresh token must not be
 * spent twice). A refused refresh signs the user out; a token broker's refusal of the request
 * itself (a deployment problem, `config`) does not, and is retried like a network failure.
 */
import type { Clock, Fetch, Scheduler, Store } from '../ports';
import { type Settings, sameIdentity } from '../settings';
import { refreshViaBroker } from '../webex/broker-client';
import { endpointsFor } from '../webex/environment';
import type { Outcome, WebexFailure } from '../webex/http';
import { oauthErrorCode, refreshAccessToken } from '../webex/oauth';
import { refreshRetryDelayMs } from './refresh-backoff';
import { isGrantRefusal } from './refusal';
import {
  authorizationHeader,
  loadTokens,
  type StoredTokens,
  TOKENS_KEY,
  tokensFromResponse,
} from './tokens';

export const REFRESH_TIMER = 'auth:refresh';

export interface AuthTiming {
  /** Refresh when this fraction of the access token's lifetime remains... */
  tokenRefreshFraction: number;
  /** ...but at least this long before expiry (never more than half the lifetime). */
  tokenRefreshMinLeadMs: number;
  /** Treat a token this close to expiry as expired before using it. */
  tokenExpirySkewMs: number;
  /** Retry a refresh that failed for a transient reason (network, 5xx) after this long. */
  tokenRetryMs: number;
  requestTimeoutMs: number;
}

export type RefreshOutcome =
  | { ok: true; tokens: StoredTokens }
  | { ok: false; error: WebexFailure };

export interface TokenManagerDeps {
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
  fetch: Fetch;
  loadSettings(): Promise<Settings>;
  timing: AuthTiming;
  log(kind: string, message: string, data?: Record<string, unknown>): void;
  /** Called after a refused refresh cleared the tokens. */
  onRefreshRefused(failure: WebexFailure): Promise<void>;
}

export type AuthorizationResult = Outcome<string>;

export class TokenManager {
  private refreshing: Promise<RefreshOutcome> | null = null;
  /**
   * Renewed tokens whose write failed. Webex may rotate the refresh token, so the old one on
   * disk is already spent: these are the only good ones, kept (and used) until a write lands.
   */
  private unsaved: StoredTokens | null = null;
  /** Failed refreshes in a row (not refusals): the back-off before the next try grows with it. */
  private failedRefreshes = 0;

  constructor(private readonly deps: TokenManagerDeps) {}

  async load(): Promise<StoredTokens | undefined> {
    return this.unsaved ?? loadTokens(this.deps.store);
  }

  async isSignedIn(): Promise<boolean> {
    return (await this.load()) !== undefined;
  }

  /**
   * A new sign-in's tokens. Webex may end the earlier grant when it issues them, so the tokens
   * on disk may already be spent: a failed write keeps these and writes them again, as renewed
   * tokens are (persist), instead of falling back to the old ones.
   */
  async save(tokens: StoredTokens): Promise<void> {
    this.unsaved = null;
    if (await this.persist(tokens)) await this.scheduleRefresh(tokens);
  }

  async clear(): Promise<void> {
    this.unsaved = null;
    await this.deps.store.del(TOKENS_KEY);
    await this.deps.scheduler.clear(REFRESH_TIMER);
  }

  /** `Bearer <token>`, refreshing first when the stored token has expired. */
  async authorization(): Promise<AuthorizationResult> {
    const tokens = await this.load();
    if (!tokens) return { ok: false, error: notSignedIn() };
    // A clock-skew margin, but never most of a short lifetime (or every call would refresh).
    const lifetime = tokens.expiresAt - tokens.obtainedAt;
    const skew = Math.min(this.deps.timing.tokenExpirySkewMs, lifetime / 4);
    if (tokens.expiresAt - skew > this.deps.clock.now()) {
      return { ok: true, value: authorizationHeader(tokens), status: 200 };
    }
    const refreshed = await this.refresh('expired');
    if (!refreshed.ok) return refreshed;
    return { ok: true, value: authorizationHeader(refreshed.tokens), status: 200 };
  }

  /**
   * Refresh, sharing any refresh already in flight. `rejected` is the access token a server just
   * refused: if the stored token is already a different one, someone else refreshed meanwhile
   * and that token is returned without another round trip.
   */
  refresh(
    reason: 'timer' | 'expired' | 'unauthorized',
    rejected?: string,
  ): Promise<RefreshOutcome> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh(reason, rejected).finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  /** The refresh timer fired (or a write of renewed tokens is due again). */
  async onTimer(): Promise<void> {
    const unsaved = this.unsaved;
    if (unsaved) {
      if (await this.persist(unsaved)) await this.scheduleRefresh(unsaved);
      return;
    }
    if (!(await this.load())) return;
    await this.refresh('timer');
  }

  /** Re-arm the refresh timer from the stored tokens (worker start). */
  async ensureTimer(): Promise<void> {
    const tokens = await this.load();
    if (!tokens) return;
    const timers = await this.deps.scheduler.list();
    if (timers[REFRESH_TIMER] === undefined) await this.scheduleRefresh(tokens);
  }

  refreshAt(tokens: StoredTokens): number {
    const { tokenRefreshFraction, tokenRefreshMinLeadMs } = this.deps.timing;
    const lifetime = Math.max(0, tokens.expiresAt - tokens.obtainedAt);
    // Never more than half the lifetime ahead, so short-lived tokens do not refresh in a loop.
    const lead = Math.min(
      Math.max(lifetime * tokenRefreshFraction, tokenRefreshMinLeadMs),
      lifetime / 2,
    );
    return tokens.expiresAt - lead;
  }

  private async scheduleRefresh(tokens: StoredTokens): Promise<void> {
    await this.deps.scheduler.set(
      REFRESH_TIMER,
      Math.max(this.refreshAt(tokens), this.deps.clock.now()),
    );
  }

  private async doRefresh(reason: string, rejected?: string): Promise<RefreshOutcome> {
    const { clock, log } = this.deps;
    const tokens = await this.load();
    if (!tokens) return { ok: false, error: notSignedIn() };
    if (rejected !== undefined && tokens.accessToken !== rejected) return { ok: true, tokens };
    const now = clock.now();
    if (
      !tokens.refreshToken ||
      (tokens.refreshExpiresAt !== undefined && tokens.refreshExpiresAt <= now)
    ) {
      return this.refused(tokens, {
        kind: 'auth',
        definitive: true,
        message: 'The sign-in has expired and cannot be renewed',
      });
    }
    // Refreshed where the tokens came from, with that integration's secret only: a refresh
    // token never goes to another environment, and no other integration's secret goes with it.
    const { session } = tokens;
    const settings = await this.deps.loadSettings();
    if (!sameIdentity(settings, session)) {
      return {
        ok: false,
        error: { kind: 'config', message: 'The settings no longer name the signed-in integration' },
      };
    }
    const endpoints = endpointsFor(session.environment);
    if (!endpoints.ok) return { ok: false, error: { kind: 'config', message: endpoints.message } };
    // Through the token broker when there is one (a new broker URL keeps the sign-in: Webex
    // renews the tokens only with their integration's secret, whoever holds it).
    const broker = settings.tokenBrokerUrl;
    log('auth', 'Refreshing the access token', { reason, via: broker ? 'broker' : 'webex' });
    const answer = broker
      ? await refreshViaBroker(this.deps.fetch, broker, { refreshToken: tokens.refreshToken })
      : await refreshAccessToken(this.deps.fetch, endpoints.endpoints.accessToken, {
          clientId: session.clientId,
          clientSecret: settings.clientSecret,
          refreshToken: tokens.refreshToken,
        });
    // A sign-out or a new sign-in while the request was out wins over this answer.
    const current = await this.load();
    if (!current || current.obtainedAt !== tokens.obtainedAt) {
      return current ? { ok: true, tokens: current } : { ok: false, error: notSignedIn() };
    }
    if (answer.ok) {
      this.failedRefreshes = 0;
      // A repeated access token is accepted (the SDK calls it an error); one refresh in flight
      // at a time is what keeps it from happening.
      const next = tokensFromResponse(answer.value, clock.now(), session, tokens);
      if (await this.persist(next)) await this.scheduleRefresh(next);
      log('auth', 'Access token refreshed', { expiresAt: next.expiresAt });
      return { ok: true, tokens: next };
    }
    const failure = answer.error;
    if (failure.kind === 'http' && isGrantRefusal(failure)) {
      return this.refused(tokens, {
        kind: 'auth',
        definitive: true,
        status: failure.status,
        message: `Webex refused to renew the sign-in (${oauthErrorCode(failure.body) ?? `HTTP ${failure.status}`})`,
      });
    }
    // Network trouble, 5xx, 429, a garbled or non-OAuth answer: keep the tokens, try again soon.
    this.failedRefreshes += 1;
    const waitMs = refreshRetryDelayMs(this.failedRefreshes, this.deps.timing.tokenRetryMs);
    log('auth', 'Token refresh failed; will retry', { error: failure.message, retryInMs: waitMs });
    await this.deps.scheduler.set(REFRESH_TIMER, clock.now() + waitMs);
    // The caller's own request never went out: say so as "no connection yet", never with the
    // token endpoint's status (its 404 was read as Mobius's "Device not found": simulation seed
    // 2778, the line's device dropped and a second one registered beside it).
    return {
      ok: false,
      error:
        failure.kind === 'network'
          ? failure
          : {
              kind: 'network',
              message: `The access token could not be renewed yet (${failure.message})`,
            },
    };
  }

  /**
   * Write renewed tokens. A failed write keeps them in memory (the refresh token on disk may be
   * spent) and tries again on the refresh timer soon; false until a write lands.
   */
  private async persist(tokens: StoredTokens): Promise<boolean> {
    const { store, scheduler, clock, timing, log } = this.deps;
    try {
      // The store's deadline (deadline-store.ts) ends a write that never would: it must not
      // hold every later refresh (they share this one).
      await store.set(TOKENS_KEY, tokens);
      if (this.unsaved === tokens) this.unsaved = null;
      return true;
    } catch (error) {
      this.unsaved = tokens;
      log('auth', 'Could not save the sign-in; keeping it and trying again', {
        error: error instanceof Error ? error.message : String(error),
      });
      await scheduler.set(REFRESH_TIMER, clock.now() + timing.tokenRetryMs).catch(() => {});
      return false;
    }
  }

  private async refused(tokens: StoredTokens, failure: WebexFailure): Promise<RefreshOutcome> {
    this.deps.log('auth', 'Sign-in could not be renewed; signed out', { error: failure.message });
    const current = await this.load();
    if (current && current.obtainedAt === tokens.obtainedAt) await this.clear();
    await this.deps.onRefreshRefused(failure);
    return { ok: false, error: failure };
  }
}

const notSignedIn = (): WebexFailure => ({
  kind: 'auth',
  definitive: true,
  message: 'Not signed in',
});
