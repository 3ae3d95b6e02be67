/**
 * The facade the background wires up: the session (sign-in, sign-out, tokens), the registration
 * engine, discovery, and the status broadcaster. No browser API here; everything comes through
 * the ports. Every call reads the Store first, so a freshly started worker behaves exactly like
 * the one that was killed.
 */
import { REFRESH_TIMER, TokenManager } from '../auth/token-manager';
import { authorizationHeader } from '../auth/tokens';
import type { StartupReason } from '../line/events';
import { type EventSource, Interpreter, timerOf } from '../line/interpreter';
import { LINE_TIMERS, loadRecord, owesSignOut, registeredDevice } from '../line/record';
import { DEFAULT_TIMING, resolveTiming, type Timing } from '../line/timing';
import type { LineForCalls } from '../messaging/calls';
import type { DiagnosticEntry, StatusSnapshot } from '../messaging/protocol';
import type { Clock, Fetch, IdentityFlow, Random, Scheduler, Store } from '../ports';
import type { Settings } from '../settings';
import { tokenExpiredError } from '../webex/line-errors';
import { createDeviceDirectory, type DevicesResult } from './devices';
import { DiscoveryCache } from './discovery-cache';
import { createSession, type SignInResult } from './session';
import { createStatusBroadcaster, type LineBroadcast } from './status';

export type { SignInResult } from './session';
export { displayOf, type LineBroadcast } from './status';

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
  /**
   * Whether a call is in progress in this browser: failback and re-registration wait for it
   * (reference §11). Absent: never (no calls here).
   */
  callsActive?(): Promise<boolean>;
  /** Erases what the UI kept for the user (the popup's recent numbers) when the session ends. */
  forgetUserData?(): Promise<void>;
}

/** Every timer the service owns; the background passes each due one to `onTimer`. */
export const LINE_SERVICE_TIMERS = [...Object.values(LINE_TIMERS), REFRESH_TIMER] as const;

export interface LineService {
  snapshot(): Promise<StatusSnapshot>;
  signIn(): Promise<StatusSnapshot>;
  /** `signIn` plus how it ended, so the UI can show "cancelled" calmly. */
  signInWithOutcome(): Promise<SignInResult>;
  signOut(): Promise<StatusSnapshot>;
  /**
   * Starts registering; resolves once started (the engine continues; see `whenIdle`). From a
   * web page (`fromPage`) a device-limit answer stops with the error instead of replacing the
   * user's oldest device (the popup then offers that as a choice).
   */
  register(options?: { fromPage?: boolean }): Promise<StatusSnapshot>;
  /** Resolves when the line is deregistered. */
  deregister(): Promise<StatusSnapshot>;
  /** A timer fired (names in LINE_SERVICE_TIMERS; others are ignored). */
  onTimer(name: string): Promise<void>;
  onNetwork(online: boolean): Promise<void>;
  /** Time jumped (the machine slept, the browser froze, the user came back): confirm the line. */
  onResume(): Promise<void>;
  /**
   * The last call ended (SDK `all_calls_cleared`): a re-registration that waited for it runs.
   * Not the only way it runs: every engine event checks `callsActive` too.
   */
  callsCleared(): Promise<void>;
  /** Resolves once the start-up is handled (its requests may still run: see `whenIdle`). */
  onStartup(reason: StartupReason | 'workerWake'): Promise<void>;
  onSettingsChanged(): Promise<void>;
  /** "Your devices": the user's devices at Mobius, this browser's marked. */
  listDevices(): Promise<DevicesResult>;
  /** Remove one of them (never the line's own: that is deregister). */
  removeDevice(deviceId: string): Promise<DevicesResult>;
  subscribe(listener: (broadcast: LineBroadcast) => void): () => void;
  /** Resolves when all background work started so far has finished. */
  whenIdle(): Promise<void>;
  /** Development builds: replace the timing overrides (on top of `deps.timing`) in place. */
  applyTiming(overrides: Partial<Timing>): void;
  /**
   * The registered line as the calls document needs it (device, server, checked Mercury
   * address, and the user's call preferences from the settings), or why there is none.
   */
  lineForCalls(): Promise<{ ok: true; line: LineForCalls } | { ok: false; why: string }>;
  /**
   * `Bearer …` for the calls document (an extension page, never a web page). Only this worker
   * refreshes: `rejected`, a token a server just refused, is replaced by a fresh one.
   */
  callAuthorization(rejected?: string): Promise<string | null>;
}

export function createLineService(deps: LineServiceDeps): LineService {
  const { store, scheduler, clock, fetch, random, loadSettings } = deps;
  const timing = resolveTiming(deps.timing);
  const log = (kind: string, message: string, data?: Record<string, unknown>) =>
    deps.log?.({ at: clock.now(), kind, message, ...(data ? { data } : {}) });

  const tokens = new TokenManager({
    store,
    scheduler,
    clock,
    fetch,
    loadSettings,
    timing,
    log,
    // Never awaited here: the refresh may be running inside a request of the engine.
    onRefreshRefused: async () => {
      void engine.dispatch({ kind: 'tokenLost', error: tokenExpiredError() });
    },
  });
  const discovery = new DiscoveryCache({
    store,
    clock,
    fetch,
    authorize: (url, call) => session.authorize(url, call),
    identity: async () => (await tokens.load())?.session,
    ttlMs: () => timing.discoveryTtlMs,
    log,
  });
  const session = createSession({
    ...deps,
    tokens,
    discovery,
    engine: () => engine,
    status: () => status,
    log,
    signOutOwed: async () => owesSignOut(await loadRecord(store)),
  });
  const status = createStatusBroadcaster({
    store,
    clock,
    random,
    loadSettings,
    isSignedIn: () => tokens.isSignedIn(),
    signingIn: session.signingIn,
    cachedPeople: (settings) => discovery.cachedPeople(settings),
    overdueToleranceMs: () => timing.overdueToleranceMs,
    log,
  });
  const engine: Interpreter = new Interpreter({
    store,
    scheduler,
    clock,
    fetch,
    random,
    timing,
    authorize: session.authorize,
    context: discovery,
    endSession: session.endSession,
    preflight: session.preflight,
    emit: status.emit,
    callsActive: deps.callsActive,
    changed: async () => {
      await status.notifyIfChanged();
    },
    log,
  });

  const devices = createDeviceDirectory({
    store,
    fetch,
    authorize: session.authorize,
    context: discovery,
    engine: () => engine,
    requestTimeoutMs: timing.requestTimeoutMs,
    random,
    signingOut: () => session.signingOut(),
    signOutsStarted: () => session.signOutsStarted(),
  });

  const registerEvent =
    (evict: boolean): EventSource =>
    async () => ({ kind: 'register', blocked: await session.preflight(), evict });
  /** Re-derive what must exist, tokens' refresh timer included (every wake, `line:reconcile`). */
  const reconcileEvent: EventSource = async () => {
    await tokens.ensureTimer();
    return { kind: 'reconcile', blocked: await session.preflight() };
  };

  async function after(work: Promise<unknown>): Promise<void> {
    await work;
    await status.notifyIfChanged();
  }

  const service: LineService = {
    snapshot: status.snapshot,
    async signIn() {
      return (await session.signInWithOutcome()).snapshot;
    },
    signInWithOutcome: session.signInWithOutcome,
    signOut: session.signOut,
    async register(options) {
      await engine.dispatch(registerEvent(!options?.fromPage));
      return status.notifyIfChanged();
    },
    async deregister() {
      await engine.dispatch({ kind: 'deregister' });
      await engine.whenIdle();
      return status.notifyIfChanged();
    },
    async onTimer(name) {
      if (name === REFRESH_TIMER) return after(tokens.onTimer());
      const timer = timerOf(name);
      if (!timer) return;
      const done = await engine.dispatchChecked(
        timer === 'reconcile' ? reconcileEvent : { kind: 'timer', timer },
        `timer:${timer}`,
      );
      await status.notifyIfChanged();
      // The scheduler keeps a timer whose handler failed and runs it again (a failed write).
      if (!done) throw new Error(`The ${timer} timer's task did not finish`);
    },
    onNetwork: (online) => after(engine.dispatch({ kind: 'network', online })),
    onResume: () => after(engine.dispatch({ kind: 'wake', reason: 'resumed' })),
    callsCleared: () => after(engine.dispatch({ kind: 'callsCleared' })),
    async onStartup(reason) {
      // A woken worker reconciles (the refresh timer included); a start-up re-arms that timer.
      if (reason === 'workerWake') return after(engine.dispatch(reconcileEvent, 'wake'));
      await tokens.ensureTimer();
      await after(
        engine.dispatch(async () => ({
          kind: 'startup',
          reason,
          keepRegistered: (await loadSettings()).keepRegistered,
          signedIn: await tokens.isSignedIn(),
        })),
      );
    },
    onSettingsChanged: session.onSettingsChanged,
    listDevices: () => devices.list(),
    async removeDevice(deviceId) {
      const result = await devices.remove(deviceId);
      await status.notifyIfChanged();
      return result;
    },
    subscribe: status.subscribe,
    async whenIdle() {
      await engine.whenIdle();
      await session.whenIdle();
      await engine.whenIdle();
    },
    async lineForCalls() {
      const device = registeredDevice(await loadRecord(store));
      if (!device) return { ok: false, why: 'The line is not registered' };
      const socket = await discovery.webSocketUrl();
      if (!socket.ok) return { ok: false, why: socket.error.message };
      const { ring, ringVolume, devices } = (await loadSettings()).calls;
      return {
        ok: true,
        line: {
          deviceId: device.deviceId,
          serverUrl: device.serverUrl,
          clientDeviceUri: device.clientDeviceUri,
          webSocketUrl: socket.value,
          ring,
          ringVolume,
          devices: { ...devices },
        },
      };
    },
    async callAuthorization(rejected) {
      if (rejected === undefined) {
        const current = await tokens.authorization();
        return current.ok ? current.value : null;
      }
      const refreshed = await tokens.refresh('unauthorized', rejected.replace(/^Bearer /, ''));
      return refreshed.ok ? authorizationHeader(refreshed.tokens) : null;
    },
    applyTiming(overrides) {
      // One object shared by the engine, the token manager and discovery: changed in place.
      Object.assign(timing, DEFAULT_TIMING, deps.timing, overrides);
      log('dev', 'Timing overrides applied', { ...overrides });
    },
  };
  return service;
}
