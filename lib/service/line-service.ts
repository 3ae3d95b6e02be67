/**
 * The facade the background wires up: sign-in, the registration engine, snapshots and events.
 * No browser API here; everything comes through the ports. Every call reads the Store first, so
 * a freshly started worker behaves exactly like the one that was killed.
 */
import { withAuthorization } from '../auth/authorized';
import { runSignIn, type SignInOutcome } from '../auth/sign-in';
import { REFRESH_TIMER, TokenManager } from '../auth/token-manager';
import { authorizationHeader } from '../auth/tokens';
import type { StartupReason } from '../line/events';
import type { EventSource } from '../line/interpreter';
import { Interpreter, timerOf } from '../line/interpreter';
import { CallingClient, Line, lineProperties } from '../line/line';
import { type EngineRecord, LINE_TIMERS, lineIdOf, loadRecord } from '../line/record';
import { DEFAULT_TIMING, resolveTiming, type Timing } from '../line/timing';
import type {
  DiagnosticEntry,
  DisplayStatus,
  EngineState,
  LineErrorPayload,
  LineEventName,
  LineProperties,
  StatusSnapshot,
} from '../messaging/protocol';
import type { Clock, Fetch, IdentityFlow, Random, Scheduler, Store } from '../ports';
import { isConfigured, type Settings } from '../settings';
import { endpointsFor, environmentKey } from '../webex/environment';
import { notConfiguredError, notSignedInError, tokenExpiredError } from '../webex/errors';
import { fetchPeopleMe, type PeopleMe } from '../webex/people';
import { deleteWdmDevice } from '../webex/wdm';
import { DiscoveryCache } from './discovery-cache';

export interface LineServiceDeps {
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
  fetch: Fetch;
  identity: IdentityFlow;
  random: Random;
  loadSettings(): Promise<Settings>;
  timing?: Partial<Timing>;
  log?(entry: DiagnosticEntry): void;
}

export interface LineBroadcast {
  event?: LineEventName;
  error?: LineErrorPayload;
  snapshot: StatusSnapshot;
}

export interface SignInResult {
  outcome: SignInOutcome['kind'];
  /** Calm text for cancelled / declined, a clear reason for failed; absent when signed in. */
  message?: string;
  snapshot: StatusSnapshot;
}

/** Every timer the service owns; the background passes each due one to `onTimer`. */
export const LINE_SERVICE_TIMERS = [...Object.values(LINE_TIMERS), REFRESH_TIMER] as const;

export interface LineService {
  snapshot(): Promise<StatusSnapshot>;
  signIn(): Promise<StatusSnapshot>;
  /** `signIn` plus how it ended, so the UI can show "cancelled" calmly. */
  signInWithOutcome(): Promise<SignInResult>;
  signOut(): Promise<StatusSnapshot>;
  /** Starts registering; resolves once started (the engine continues; see `whenIdle`). */
  register(): Promise<StatusSnapshot>;
  /** Resolves when the line is deregistered. */
  deregister(): Promise<StatusSnapshot>;
  /** A timer fired (names in LINE_SERVICE_TIMERS; others are ignored). */
  onTimer(name: string): Promise<void>;
  onNetwork(online: boolean): Promise<void>;
  onStartup(reason: StartupReason | 'workerWake'): Promise<void>;
  onSettingsChanged(): Promise<void>;
  subscribe(listener: (broadcast: LineBroadcast) => void): () => void;
  /** The seed's CallingClient (`getLines()`), its line kept current by every event. */
  callingClient(): Promise<CallingClient>;
  /** Resolves when all background work started so far has finished. */
  whenIdle(): Promise<void>;
  /** Development builds: replace the timing overrides (on top of `deps.timing`) in place. */
  applyTiming(overrides: Partial<Timing>): void;
}

export function displayOf(state: EngineState, error: LineErrorPayload | null): DisplayStatus {
  switch (state) {
    case 'active':
      return 'registered';
    case 'connecting':
      return 'connecting';
    case 'reconnecting':
      return 'reconnecting';
    default:
      return error ? 'error' : 'inactive';
  }
}

export function createLineService(deps: LineServiceDeps): LineService {
  const { store, scheduler, clock, fetch, random, loadSettings } = deps;
  const timing = resolveTiming(deps.timing);
  const log = (kind: string, message: string, data?: Record<string, unknown>) =>
    deps.log?.({ at: clock.now(), kind, message, ...(data ? { data } : {}) });

  const listeners = new Set<(broadcast: LineBroadcast) => void>();
  let lastNotified: string | null = null;
  let signingIn: Promise<SignInResult> | null = null;
  let line: Line | null = null;

  const tokens = new TokenManager({
    store,
    scheduler,
    clock,
    fetch,
    loadSettings,
    timing,
    log,
    // Never awaited here: the refresh may be running inside an engine task, and the engine's
    // queue keeps this task (whenIdle covers it).
    onRefreshRefused: async () => {
      void engine.dispatch({ kind: 'tokenLost', error: tokenExpiredError() });
    },
  });

  const discovery = new DiscoveryCache({
    store,
    clock,
    fetch,
    tokens,
    loadSettings,
    ttlMs: timing.discoveryTtlMs,
    log,
  });

  const engine: Interpreter = new Interpreter({
    store,
    scheduler,
    clock,
    fetch,
    random,
    timing,
    authorize: (_url, call) => withAuthorization(tokens, call),
    context: discovery,
    endSession,
    preflight,
    emit,
    changed: async () => {
      await notifyIfChanged();
    },
    log,
  });

  async function preflight(): Promise<LineErrorPayload | null> {
    const settings = await loadSettings();
    if (!isConfigured(settings)) return notConfiguredError();
    const endpoints = endpointsFor(settings.environment);
    if (!endpoints.ok) return notConfiguredError(endpoints.message);
    if (!(await tokens.isSignedIn())) return notSignedInError();
    return null;
  }

  // One read (or creation) per worker: concurrent first snapshots must agree on the id. A read
  // that fails is not kept: the next snapshot tries again.
  let lineIdOnce: Promise<string> | null = null;
  const lineId = () => {
    lineIdOnce ??= lineIdOf(store, random).catch((error: unknown) => {
      lineIdOnce = null;
      throw error;
    });
    return lineIdOnce;
  };

  /** Sign-out's last step, run by the engine once the line's devices are gone. */
  async function endSession(): Promise<void> {
    const wdm = await discovery.storedWdmDevice();
    if (wdm && (await tokens.isSignedIn())) {
      const deleted = await withAuthorization(tokens, (auth) =>
        deleteWdmDevice(fetch, wdm.url, auth),
      );
      log('auth', 'WDM device removed', { ok: deleted.ok });
    }
    await discovery.clear();
    await tokens.clear();
  }

  const registerEvent: EventSource = async () => ({
    kind: 'register',
    blocked: await preflight(),
    evict: true,
  });

  async function lineState(): Promise<{
    settings: Settings;
    record: EngineRecord;
    props: LineProperties;
    people: PeopleMe | undefined;
    signedIn: boolean;
  }> {
    // Independent reads in parallel: every popup open and status message waits for them.
    const [settings, record, signedIn, id] = await Promise.all([
      loadSettings(),
      loadRecord(store),
      tokens.isSignedIn(),
      lineId(),
    ]);
    const people = signedIn ? await discovery.cachedPeople(settings) : undefined;
    const props = lineProperties(id, record, people);
    return { settings, record, props, people, signedIn };
  }

  async function snapshot(): Promise<StatusSnapshot> {
    const { settings, record, props, people, signedIn } = await lineState();
    line?.update(props);
    const server = record.device
      ? { url: record.device.serverUrl, role: record.device.role }
      : record.target;
    return {
      state: record.state,
      display: displayOf(record.state, record.error),
      auth: signingIn ? 'signingIn' : signedIn ? 'signedIn' : 'signedOut',
      user: people ? { displayName: people.displayName, email: people.email } : null,
      line: signedIn ? props : null,
      error: record.error,
      server: server ? { url: server.url, role: server.role } : null,
      nextAttemptAt: record.flow?.kind === 'attempt' ? record.retryAt : null,
      configured: isConfigured(settings),
      keepRegistered: settings.keepRegistered,
      at: clock.now(),
    };
  }

  const keyOf = (snap: StatusSnapshot) => JSON.stringify({ ...snap, at: 0 });

  function notify(broadcast: LineBroadcast): void {
    lastNotified = keyOf(broadcast.snapshot);
    for (const listener of [...listeners]) {
      try {
        listener(broadcast);
      } catch (error) {
        log('error', 'A status listener failed', { error: String(error) });
      }
    }
  }

  async function notifyIfChanged(): Promise<StatusSnapshot> {
    const snap = await snapshot();
    if (keyOf(snap) !== lastNotified) notify({ snapshot: snap });
    return snap;
  }

  async function emit(event: LineEventName, error?: LineErrorPayload): Promise<void> {
    const snap = await snapshot();
    log('event', `Line ${event}`, error ? { type: error.type, msg: error.msg } : undefined);
    line?.emit(event, error);
    notify({ event, ...(error ? { error } : {}), snapshot: snap });
  }

  async function signInFlow(): Promise<SignInResult> {
    const settings = await loadSettings();
    await notifyIfChanged();
    const outcome = await runSignIn({ identity: deps.identity, fetch, random, clock, settings });
    if (outcome.kind !== 'signedIn') {
      log('auth', 'Sign-in did not complete', {
        outcome: outcome.kind,
        reason: 'reason' in outcome ? outcome.reason : undefined,
      });
      return { outcome: outcome.kind, message: outcome.message, snapshot: await snapshot() };
    }
    const endpoints = endpointsFor(settings.environment);
    const previous = await discovery.cachedPeople(settings);
    const person = endpoints.ok
      ? await fetchPeopleMe(
          fetch,
          endpoints.endpoints.peopleMe,
          authorizationHeader(outcome.tokens),
        )
      : undefined;
    if (person?.ok && previous && previous.userId !== person.value.userId) {
      // Someone else signed in: drop the previous user's line while their token still works.
      log('auth', 'A different user signed in; resetting the line');
      await engine.dispatch({ kind: 'signOut' });
      await engine.whenIdle();
    }
    await tokens.save(outcome.tokens);
    if (person?.ok) await discovery.rememberPeople(settings, person.value);
    else
      log('auth', 'Profile not read at sign-in; will retry when registering', {
        error: person?.error.message,
      });
    log('auth', 'Signed in', { expiresAt: outcome.tokens.expiresAt });
    await engine.dispatch(async () => ({
      kind: 'signedIn',
      keepRegistered: settings.keepRegistered,
      blocked: await preflight(),
    }));
    return { outcome: 'signedIn', snapshot: await snapshot() };
  }

  async function signInWithOutcome(): Promise<SignInResult> {
    if (!signingIn) {
      signingIn = signInFlow().finally(() => {
        signingIn = null;
      });
    }
    const result = await signingIn;
    // `snapshot` inside the flow still said signingIn: take a fresh one.
    const snap = await notifyIfChanged();
    return { ...result, snapshot: snap };
  }

  async function signOut(): Promise<StatusSnapshot> {
    // One engine flow: the devices, then the WDM device and the tokens; nothing slips between.
    await engine.dispatch({ kind: 'signOut' });
    await engine.whenIdle();
    return notifyIfChanged();
  }

  async function onSettingsChanged(): Promise<void> {
    const settings = await loadSettings();
    const stored = await tokens.load();
    if (stored && stored.environment !== environmentKey(settings.environment, settings.clientId)) {
      // Tokens, devices and caches belong to the old environment or integration.
      log('auth', 'Environment or integration changed; signing out');
      await signOut();
      return;
    }
    await notifyIfChanged();
  }

  async function after<T>(work: Promise<T>): Promise<T> {
    const result = await work;
    await notifyIfChanged();
    return result;
  }

  const service: LineService = {
    snapshot,
    async signIn() {
      return (await signInWithOutcome()).snapshot;
    },
    signInWithOutcome,
    signOut,
    async register() {
      await engine.dispatch(registerEvent);
      return notifyIfChanged();
    },
    async deregister() {
      await engine.dispatch({ kind: 'deregister' });
      await engine.whenIdle();
      return notifyIfChanged();
    },
    async onTimer(name) {
      if (name === REFRESH_TIMER) return after(tokens.onTimer());
      const timer = timerOf(name);
      if (timer) return after(engine.dispatch({ kind: 'timer', timer }));
    },
    onNetwork: (online) => after(engine.dispatch({ kind: 'network', online })),
    async onStartup(reason) {
      await tokens.ensureTimer();
      if (reason === 'workerWake') return after(engine.dispatch(async () => null, 'wake'));
      await after(
        engine.dispatch(async () => ({
          kind: 'startup',
          reason,
          keepRegistered: (await loadSettings()).keepRegistered,
          signedIn: await tokens.isSignedIn(),
        })),
      );
    },
    onSettingsChanged,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async callingClient() {
      if (!line) {
        line = new Line({
          register: () => void service.register(),
          deregister: () => void service.deregister(),
        });
      }
      line.update((await lineState()).props);
      return new CallingClient(line);
    },
    async whenIdle() {
      await engine.whenIdle();
      if (signingIn) await signingIn;
      await engine.whenIdle();
    },
    applyTiming(overrides) {
      // One object shared by the engine, the token manager and discovery: changed in place.
      Object.assign(timing, DEFAULT_TIMING, deps.timing, overrides);
      log('dev', 'Timing overrides applied', { ...overrides });
    },
  };
  return service;
}
