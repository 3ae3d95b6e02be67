/**
 * The session: sign-in, sign-out and what a settings change means for them, the tokens, and
 * the `authorize` port the engine and discovery call Webex through. Sign-in and sign-out are
 * serialised with each other, and their line work runs in the engine's queue: sign-out is one
 * engine flow (devices, then the WDM device and the tokens), and a sign-in is saved in one
 * engine task, so nothing slips between their steps.
 */
import { type TokenSource, withAuthorization } from '../auth/authorized';
import { runSignIn, type SignInOutcome } from '../auth/sign-in';
import type { TokenManager } from '../auth/token-manager';
import { authorizationHeader } from '../auth/tokens';
import type { Authorize } from '../line/deps';
import type { Interpreter } from '../line/interpreter';
import type { LineErrorPayload, StatusSnapshot } from '../messaging/protocol';
import type { Clock, Fetch, IdentityFlow, Random } from '../ports';
import { serialQueue } from '../serial-queue';
import { isConfigured, type Settings, sameIdentity } from '../settings';
import { endpointsFor } from '../webex/environment';
import { notConfiguredError, notSignedInError } from '../webex/line-errors';
import { fetchPeopleMe } from '../webex/people';
import { hostOf, isTrustedUrl } from '../webex/trust';
import { deleteWdmDevice } from '../webex/wdm';
import type { DiscoveryCache } from './discovery-cache';
import type { StatusBroadcaster } from './status';

export interface SignInResult {
  outcome: SignInOutcome['kind'];
  /** Calm text for cancelled / declined, a clear reason for failed; absent when signed in. */
  message?: string;
  snapshot: StatusSnapshot;
}

export interface SessionDeps {
  clock: Clock;
  fetch: Fetch;
  identity: IdentityFlow;
  random: Random;
  loadSettings(): Promise<Settings>;
  tokens: TokenManager;
  discovery: DiscoveryCache;
  engine(): Interpreter;
  status(): StatusBroadcaster;
  log(kind: string, message: string, data?: Record<string, unknown>): void;
  /** Erases what the UI kept for the user (the popup's recent numbers). */
  forgetUserData?(): Promise<void>;
  /** The engine still owes a sign-out (`owesSignOut` on its record). */
  signOutOwed(): Promise<boolean>;
}

export interface Session {
  authorize: Authorize;
  /** Why registering cannot start (not signed in, not configured), or null. */
  preflight(): Promise<LineErrorPayload | null>;
  /** Sign-out's last step, run by the engine once the line's devices are gone. */
  endSession(): Promise<void>;
  signInWithOutcome(): Promise<SignInResult>;
  signOut(): Promise<StatusSnapshot>;
  onSettingsChanged(): Promise<void>;
  signingIn(): boolean;
  /** A sign-out is deleting the line's devices and the session's WDM device. */
  signingOut(): boolean;
  /** How many sign-outs have started: a change means the WDM device of a moment ago is gone. */
  signOutsStarted(): number;
  /** Resolves when no sign-in or sign-out is running. */
  whenIdle(): Promise<void>;
}

export function createSession(deps: SessionDeps): Session {
  const { tokens, discovery, loadSettings, log } = deps;
  let signingIn: Promise<SignInResult> | null = null;
  // Sign-in saves and sign-outs one after the other: a sign-out's last step must never clear
  // the tokens of a sign-in that finished meanwhile.
  const serialised = serialQueue();

  /** Set while a sign-out's flow runs: it may still use the tokens after the settings moved on. */
  let signingOut = false;
  let signOutsStarted = 0;

  /**
   * The one way the session's token leaves: only for the environment it was issued by, while the
   * settings still name it (a sign-out may finish after they changed), and only to a host that
   * environment trusts. A refusal is a failure, and no request is made.
   */
  const authorize: Authorize = async (url, call) => {
    const stored = await tokens.load();
    if (!stored)
      return { ok: false, error: { kind: 'auth', definitive: true, message: 'Not signed in' } };
    if (!signingOut && !sameIdentity(await loadSettings(), stored.session)) {
      return {
        ok: false,
        error: {
          kind: 'auth',
          definitive: true,
          message: 'The settings name another environment or integration than the sign-in',
        },
      };
    }
    if (!isTrustedUrl(url, stored.session.environment)) {
      log('security', 'Refused to send the token to an untrusted host', { host: hostOf(url) });
      return {
        ok: false,
        error: {
          kind: 'untrusted',
          message: `${hostOf(url)} is not a host of this Webex environment`,
        },
      };
    }
    return withAuthorization(tokens as TokenSource, call);
  };

  async function preflight(): Promise<LineErrorPayload | null> {
    const settings = await loadSettings();
    if (!isConfigured(settings)) return notConfiguredError();
    const endpoints = endpointsFor(settings.environment);
    if (!endpoints.ok) return notConfiguredError(endpoints.message);
    const stored = await tokens.load();
    if (!stored || !sameIdentity(settings, stored.session)) return notSignedInError();
    return null;
  }

  async function endSession(): Promise<void> {
    const wdm = await discovery.storedWdmDevice();
    if (wdm && (await tokens.isSignedIn())) {
      const deleted = await authorize(wdm.url, (auth) =>
        deleteWdmDevice(deps.fetch, wdm.url, auth),
      );
      log('auth', 'WDM device removed', { ok: deleted.ok });
    }
    await discovery.clear();
    await tokens.clear();
    // Last: a failure here must not keep the tokens, and is reported rather than thrown.
    await deps
      .forgetUserData?.()
      .catch((error: unknown) =>
        log('auth', 'Recent numbers not erased', { error: String(error) }),
      );
  }

  /** The engine flow that deletes the line's devices, then ends the session. */
  async function signOutNow(): Promise<void> {
    const engine = deps.engine();
    signingOut = true;
    signOutsStarted += 1;
    try {
      await engine.dispatch({ kind: 'signOut' });
      await engine.whenIdle();
    } finally {
      signingOut = false;
    }
  }

  async function signInFlow(): Promise<SignInResult> {
    const status = deps.status();
    const settings = await loadSettings();
    await status.notifyIfChanged();
    const outcome = await runSignIn({ ...deps, settings });
    if (outcome.kind !== 'signedIn') {
      log('auth', 'Sign-in did not complete', {
        outcome: outcome.kind,
        reason: 'reason' in outcome ? outcome.reason : undefined,
      });
      return { outcome: outcome.kind, message: outcome.message, snapshot: await status.snapshot() };
    }
    const endpoints = endpointsFor(settings.environment);
    const person = endpoints.ok
      ? await fetchPeopleMe(
          deps.fetch,
          endpoints.endpoints.peopleMe,
          authorizationHeader(outcome.tokens),
        )
      : undefined;
    const kept = await serialised(async () => {
      // The settings moved to another environment or integration while the window was open
      // (a policy change): these tokens belong to the old ones and are not kept.
      if (!sameIdentity(await loadSettings(), outcome.tokens.session)) return false;
      if (await deps.signOutOwed()) {
        // Finished first, with the old tokens: resumed after these are saved, it would end the
        // new session (the simulation's seed 91: signed out again right after signing in).
        log('auth', 'Finishing the sign-out still owed before keeping the new tokens');
        await signOutNow();
      }
      const previous = await discovery.cachedPeople(settings);
      if (person?.ok && previous && previous.userId !== person.value.userId) {
        // Someone else signed in: drop the previous user's line while their token still works.
        log('auth', 'A different user signed in; resetting the line');
        await signOutNow();
      }
      await deps.engine().exclusive('signIn', async () => {
        await tokens.save(outcome.tokens);
        if (person?.ok) await discovery.rememberPeople(settings, person.value);
      });
      return true;
    });
    if (!kept) {
      log('auth', 'The settings changed during sign-in; its tokens were not kept');
      const message = 'The settings changed while you were signing in. Please sign in again.';
      return { outcome: 'failed', message, snapshot: await status.snapshot() };
    }
    if (!person?.ok) {
      log('auth', 'Profile not read at sign-in; will retry when registering', {
        error: person?.error.message,
      });
    }
    log('auth', 'Signed in', { expiresAt: outcome.tokens.expiresAt });
    await deps.engine().dispatch(async () => ({
      kind: 'signedIn',
      keepRegistered: settings.keepRegistered,
      blocked: await preflight(),
    }));
    return { outcome: 'signedIn', snapshot: await status.snapshot() };
  }

  async function signOut(): Promise<StatusSnapshot> {
    await serialised(signOutNow);
    return deps.status().notifyIfChanged();
  }

  return {
    authorize,
    preflight,
    endSession,
    async signInWithOutcome() {
      signingIn ??= signInFlow().finally(() => {
        signingIn = null;
      });
      const result = await signingIn;
      // The snapshot taken inside the flow still said signingIn: take a fresh one.
      return { ...result, snapshot: await deps.status().notifyIfChanged() };
    },
    signOut,
    async onSettingsChanged() {
      // In the sign-in chain: a sign-in saving its tokens meanwhile is judged once saved.
      await serialised(async () => {
        const stored = await tokens.load();
        if (!stored || sameIdentity(await loadSettings(), stored.session)) return;
        // Tokens, devices and caches belong to the old environment or integration.
        log('auth', 'Environment or integration changed; signing out');
        await signOutNow();
      });
      await deps.status().notifyIfChanged();
    },
    signingIn: () => signingIn !== null,
    signingOut: () => signingOut,
    signOutsStarted: () => signOutsStarted,
    async whenIdle() {
      if (signingIn) await signingIn;
      // Queued last, it runs once everything queued before it has settled.
      await serialised(async () => {});
    },
  };
}
