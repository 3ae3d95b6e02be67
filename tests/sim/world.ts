/**
 * Runs a schedule against the whole background (tests/unit/fakes/worker-rig: the real
 * interpreter, transition table, scheduler, cached store, token manager and session, on fake
 * time, over a faulty disk and Chrome-like alarms) and the Webex emulator's own rule modules in
 * process (tests/emulator/in-process: OAuth with PKCE, U2C, WDM, Mobius with its device expiry,
 * fault injection and request log), and checks the invariants after every step. Time here has
 * two clocks: `Date` (the computer's, which the schedule steps back and forth) and `elapsed`
 * (real time passing, which the emulator and the invariants use).
 */
import { vi } from 'vitest';
import { WALL_CLOCK_JUMP_MS, WALL_CLOCK_WATCH_MS } from '../../lib/call/wall-clock-watch';
import { DEV_REDIRECT_URL } from '../../lib/dev-integration';
import { RECORD_KEY } from '../../lib/line/record';
import { DEFAULT_TIMING } from '../../lib/line/timing';
import { createInProcessEmulator, type InProcessEmulator } from '../emulator/in-process';
import type { Deviation, EndpointName, FaultSpec } from '../emulator/index';
import type { MobiusDevice } from '../emulator/mobius-store';
import { ALICE } from '../emulator/users';
import type { Reply as FetchReply, RecordedRequest } from '../unit/fakes/fetch';
import { testSettings } from '../unit/fakes/harness';
import { FakeIdentity } from '../unit/fakes/identity';
import { BackgroundRig } from '../unit/fakes/worker-rig';
import type { Action, Op, Reply, Step } from './schedule';

/** Each step of the simulation: alarms and in-memory timers are checked this often. */
export const STEP_MS = 250;
/**
 * Lapse: wanted and signed in, yet Mobius confirmed nothing for longer than one interval plus
 * this. A keepalive may be lost to a failed write (one interval) and the engine repairs within
 * one reconcile period (30 s) plus a request deadline (60 s): 100 s covers all three.
 */
export const LAPSE_BOUND_MS = 100_000;
/** After an injected fault ends, the engine gets this long to recover before a lapse counts. */
export const FAULT_GRACE_MS = 5 * 60_000;
/** Shown "registered" while Mobius has no device of ours: one interval plus this is allowed. */
export const STALE_REGISTERED_BOUND_MS = 60_000;
/** Wanted with nothing armed and nothing in flight: allowed this long (between two writes). */
export const UNARMED_BOUND_MS = 5_000;
/**
 * A Register the engine accepted (the call answered) must show: the line leaves "idle" or
 * "inactive" (connecting, registered) or says why not (an error) within this long. A register
 * starts at once; 10 s is the answer's own write plus a step, far from anything a user would
 * call working.
 */
export const DROPPED_REGISTER_BOUND_MS = 10_000;
/**
 * Requests in any minute. The keepalive floor (1 s) makes 60, a registration round with its
 * discovery and retries adds under 30: more than 150 is a loop, not a protocol.
 */
export const STORM_PER_MINUTE = 150;
/**
 * On a backup, the primary must be tried again within the rehoming window (the failback timer,
 * reference §11) plus this: the failback may wait for a request in flight (one deadline, 20 s),
 * the next reconcile (30 s), an alarm Chrome delivers late (up to 2 min in the schedule) and its
 * own prepare round. A primary that refused with 429 lets the SDK give up until the next
 * registration, so the window restarts only at a try or a failure of the primary.
 */
/**
 * A clock set forward makes every wall-clock deadline due at once (Chrome's alarms too): the
 * client cannot tell it from waking after sleep, when the line is confirmed at once on purpose
 * (README, "sleep and wake"). One early keepalive within this long of the step is that, not a
 * deviation: the keepalive round trip plus one alarm period and the reconcile (30 s).
 */
export const EARLY_KEEPALIVE_AFTER_STEP_MS = 60_000;
/**
 * Keepalives sent one interval apart reach Mobius closer together when the round trip shrinks
 * (by up to the old half trip): at the smallest interval (1 s) under half of it, for the next
 * keepalive or two. 10 s covers those at any interval the bounds allow.
 */
export const EARLY_KEEPALIVE_AFTER_FASTER_NETWORK_MS = 10_000;
/**
 * A worker killed, or a write of the engine record lost, within this long before a request is
 * repeated excuses the repeat (at-least-once: the answer was never recorded). Five minutes: the
 * faulty write is the next one, within a keepalive interval, plus a retry round.
 */
export const REDO_AFTER_LOST_ANSWER_MS = 5 * 60_000;
/** Retry-After as the schedule's 429s send it: 0, a date 90 s ahead, a year (clamped to 1 h). */
const RETRY_AFTER_MS = { '0': 0, date: 90_000, huge: 3_600_000 } as const;
export const FAILBACK_BOUND_MS = 4 * 60_000;
/**
 * Access tokens live an hour here (the emulator's default is Webex's 14 days): within a
 * 30-minute schedule whose clock steps up to 2 h, refreshes (and the rotating refresh token's
 * risks) happen.
 */
export const ACCESS_TOKEN_LIFETIME_SEC = 3600;

/** The emulator's three servers, as the catalog and discovery name them. */
export const SIM_URLS = {
  base: 'https://webex.test',
  primary: 'https://mobius-p1.webex.test',
  backup: 'https://mobius-b1.webex.test',
} as const;
/** The signed-in user (auto-consent): a calling user with no devices elsewhere. */
const USER = ALICE;

/** The emulator's fault endpoint for each of the schedule's operations. */
const ENDPOINTS: Record<Op, EndpointName> = {
  register: 'register',
  keepalive: 'keepalive',
  token: 'token',
  ping: 'ping',
  delete: 'deregister',
  discovery: 'discovery',
};

export interface Violation {
  invariant:
    | 'one device'
    | 'lapse'
    | 'stale registered'
    | 'nothing armed'
    | 'storm'
    | 'tokens lost'
    | 'stuck on backup'
    | 'register dropped'
    | 'deviation';
  atMs: number;
  detail: string;
}

interface UserModel {
  signedIn: boolean;
  /** The user wants the line (Register, not Deregister since). */
  wants: boolean;
  /** The cloud refused the sign-in on purpose (an injected token refusal). */
  refusedAt: number | null;
}

/** A Retry-After the SDK reads as a year. */
const HUGE_RETRY_AFTER_SEC = 31_536_000;

/** The schedule's reply as an emulator fault (status and body, a reset, or a stall). */
function faultOf(reply: Reply, mobiusNow: number): Omit<FaultSpec, 'endpoint'> {
  if (reply === 'network') return { reset: true };
  if (reply === 'hang') return { stall: true };
  const fault: Omit<FaultSpec, 'endpoint'> = { status: reply.status };
  if (reply.retryAfter === '0') fault.retryAfter = 0;
  if (reply.retryAfter === 'huge') fault.retryAfter = HUGE_RETRY_AFTER_SEC;
  // "90 s from now" on Mobius's clock, which also dates its answers (the `Date` header), so the
  // computer's clock steps do not skew it; answered later, the date may have passed (retry now).
  if (reply.retryAfter === 'date')
    fault.headers = { 'Retry-After': new Date(mobiusNow + 90_000).toUTCString() };
  if (reply.errorCode !== undefined)
    fault.body = { userId: USER.id, errorCode: reply.errorCode, devices: [] };
  else if (reply.status === 400) fault.body = { error: 'invalid_grant' };
  return fault;
}

/** Which of the schedule's operations a request is. */
function opOf(request: RecordedRequest): Op | undefined {
  const { method, url } = request;
  if (method === 'POST' && /\/status$/.test(url)) return 'keepalive';
  if (method === 'POST' && /\/calling\/web\/device$/.test(url)) return 'register';
  if (method === 'DELETE' && /\/calling\/web\/devices\//.test(url)) return 'delete';
  if (/access_token$/.test(url)) return 'token';
  if (/\/ping$/.test(url)) return 'ping';
  if (/regionCode=/.test(url)) return 'discovery';
  return undefined;
}

export class World {
  /** How far the schedule stepped the computer's clock: Mobius's time is `Date.now()` less this. */
  private clockShift = 0;
  /** When the calls document wakes the worker after a wall-clock jump it saw (elapsed). */
  private documentWakeAt: number | null = null;
  readonly emulator: InProcessEmulator = createInProcessEmulator({
    urls: SIM_URLS,
    clock: { now: () => Date.now() - this.clockShift },
    config: { autoConsentEmail: USER.email, accessTokenLifetimeSec: ACCESS_TOKEN_LIFETIME_SEC },
  });
  readonly rig = new BackgroundRig({
    route: (request) => this.send(request),
    // The consent page with auto-consent: launchWebAuthFlow follows the authorize URL's 302.
    identity: new FakeIdentity({ approve: (url) => this.consent(url) }, DEV_REDIRECT_URL),
    settings: testSettings({
      environment: { kind: 'custom', baseUrl: SIM_URLS.base },
      clientId: this.emulator.demoIntegration.clientId,
      clientSecret: this.emulator.demoIntegration.clientSecret,
    }),
  });
  elapsed = 0;
  readonly violations: Violation[] = [];
  readonly log: string[] = [];
  /** Sign-out clicks so far: a sign-in that ends after a later one leaves the user signed out. */
  private signOutClicks = 0;
  private readonly user: UserModel = { signedIn: false, wants: false, refusedAt: null };
  private lastConfirmed = 0;
  private faultUntil = 0;
  private offlineUntil = 0;
  private latencyMs = 0;
  private readonly downUntil = { primary: 0, backup: 0 };
  /** The last time the primary was tried, failed, or was unreachable (failback restarts). */
  private primaryTouched = 0;
  private primaryRefused429 = false;
  private onBackupSince: number | null = null;
  private readonly sentAt: number[] = [];
  private staleSince: number | null = null;
  private unarmedSince: number | null = null;
  /** When the user's last Register was answered (cleared once the line shows it). */
  private registerAnsweredAt: number | null = null;
  /** Devices "another browser" registered (the user removes them in "Your devices"). */
  private readonly foreign = new Set<string>();
  /** Devices whose DELETE Mobius refused: they may live on until they expire, beside a new one. */
  private readonly undeletable = new Set<string>();
  /**
   * A refresh sent, or a write of the tokens that hung or died, and the worker killed (or the
   * answer never ending) before the renewed tokens landed on disk: with a rotating refresh token
   * the new one existed only in that worker's memory. Nothing can recover it (the README says
   * so); the invariant excuses exactly that, and nothing else.
   */
  private tokenWriteAtRisk = false;
  private tokensLostByKill = false;
  /** Ever lost so: the old refresh token may be sent again (a deviation that is excused). */
  private rotationLost = false;
  private killsAtRisk = 0;
  private lastTokens = 'null';
  private deviationsSeen = 0;
  /** When a worker was last killed or a write of the engine record made to fail (elapsed). */
  private answerLostAt: number | null = null;
  /** When the computer's clock was last set forward (elapsed time), if ever. */
  private steppedForwardAt: number | null = null;
  /** When the network's round trip last shrank (elapsed), if ever. */
  private networkFasterAt: number | null = null;
  /** Requests on their way: a kill cuts them. */
  private readonly inFlight = new Set<AbortController>();

  constructor() {
    this.rig.onKill.push(() => {
      for (const cut of this.inFlight) cut.abort();
      this.inFlight.clear();
    });
  }

  /** The authorize URL answered by the emulator (auto-consent): its redirect, or a refusal. */
  private async consent(url: string): Promise<string> {
    const answer = await this.emulator.fetch(url);
    const location = answer.headers.get('location');
    if (answer.status !== 302 || !location) throw new Error('The user did not approve access.');
    return location;
  }

  /** The network between the background and the emulator. */
  private async send(request: RecordedRequest): Promise<FetchReply> {
    this.sentAt.push(this.elapsed);
    const origin = new URL(request.url).origin;
    const toPrimary = origin === SIM_URLS.primary;
    if (toPrimary) this.primaryTouched = this.elapsed;
    if (this.elapsed < this.offlineUntil) return 'network';
    const op = opOf(request);
    // A fault injected earlier answers this one: its window counts from now, not from when it
    // was injected (six keepalive faults can wait for a registration minutes later).
    if (op && this.emulator.pendingFaults().some((f) => f.endpoint === ENDPOINTS[op])) {
      this.faultUntil = Math.max(this.faultUntil, this.elapsed + FAULT_GRACE_MS);
    }
    if (op === 'token') {
      // A refresh spends the old refresh token (once it arrives); the new one exists only in
      // this worker's memory until its write lands.
      this.atRisk();
      // A stalled answer: the emulator rotated the token, its answer never ends.
      const next = this.emulator.pendingFaults().find((f) => f.endpoint === 'token');
      if (next?.stall && next.status === undefined) this.lost();
    }
    // Half the round trip before Mobius acts on the request (which it does even when the
    // worker that sent it has died since), half before its answer arrives.
    const halfTrip = () => new Promise((resolve) => setTimeout(resolve, this.latencyMs / 2));
    if (this.latencyMs > 0) await halfTrip();
    const deviceId = request.url.split('/').at(-1) ?? '';
    // A worker that dies takes its connections with it: Mobius drops what it had not acted on.
    const cut = new AbortController();
    this.inFlight.add(cut);
    const signals = request.signal ? [request.signal, cut.signal] : [cut.signal];
    let response: Response;
    try {
      response = await this.emulator.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (request.method === 'DELETE') this.refusedDelete(deviceId);
      if (error instanceof TypeError) return 'network';
      return 'hang';
    } finally {
      this.inFlight.delete(cut);
    }
    if (toPrimary && response.status === 429) this.primaryRefused429 = true;
    if (this.latencyMs > 0) await halfTrip();
    // Mobius refused or lost a DELETE (an injected fault): that device may outlive it.
    if (request.method === 'DELETE' && !response.ok) this.refusedDelete(deviceId);
    const confirming =
      request.method === 'POST' &&
      /\/calling\/web\/(device|devices\/[^/]+\/status)$/.test(request.url);
    if (response.ok && confirming) {
      // Confirmed once the whole answer arrived (a stalled one never does).
      void response
        .clone()
        .arrayBuffer()
        .then(
          () => {
            this.lastConfirmed = this.elapsed;
          },
          () => {},
        );
    }
    return response;
  }

  private refusedDelete(deviceId: string) {
    if (this.liveDevices().some((d) => d.deviceId === deviceId)) this.undeletable.add(deviceId);
  }

  /** The user's live devices at Mobius (expiry by the emulator's own rules). */
  private liveDevices(): MobiusDevice[] {
    const { state } = this.emulator;
    return state.mobius.list(state.liveness(), USER.id);
  }

  private lost() {
    this.tokensLostByKill = true;
    this.rotationLost = true;
  }

  /**
   * Renewed tokens may now exist only in this worker's memory. A kill since the previous risk
   * began already lost them (seed 217: the next worker's refresh started a new risk first).
   */
  private atRisk() {
    if (this.tokenWriteAtRisk && this.rig.kills > this.killsAtRisk) this.lost();
    this.tokenWriteAtRisk = true;
    this.killsAtRisk = this.rig.kills;
  }

  private note(text: string) {
    this.log.push(`${(this.elapsed / 1000).toFixed(1)}s ${text}`);
  }

  /** `before`: the deployment's values, set before the first registration. */
  async start(before: Step[] = []): Promise<void> {
    for (const step of before) await this.perform(step.action, true);
    await this.rig.registered();
    this.user.signedIn = true;
    this.user.wants = true;
    this.lastConfirmed = this.elapsed;
  }

  /** `deployment`: server values are the emulator's config (else: an odd registration answer). */
  async perform(action: Action, deployment = false): Promise<void> {
    const rig = this.rig;
    const emulator = this.emulator;
    this.note(JSON.stringify(action));
    const declareFault = (ms = 0) => {
      this.faultUntil = Math.max(this.faultUntil, this.elapsed + ms + FAULT_GRACE_MS);
    };
    switch (action.kind) {
      case 'kill':
        rig.kill();
        this.answerLostAt = this.elapsed;
        return;
      case 'disk':
        rig.disk.next(action.key, action.fault);
        // A failed write of the record or of the timer list fails the engine's task: the
        // answer it was recording is lost, and the request is made again.
        if (action.key === 'line:record' || action.key === 'scheduler:deadlines') {
          this.answerLostAt = this.elapsed;
        }
        if (action.key === 'auth:tokens' && action.fault !== 'fail') this.atRisk();
        return;
      case 'alarmLate':
        for (const alarm of rig.alarms.armed.values()) alarm.when += action.byMs;
        declareFault(action.byMs);
        return;
      case 'alarmTwice':
        rig.ringAgain.push(...rig.alarms.armed.keys());
        return;
      case 'clock':
        vi.setSystemTime(Date.now() + action.byMs);
        this.clockShift += action.byMs;
        if (action.byMs > 0) this.steppedForwardAt = this.elapsed;
        // The calls document (open while the line can ring) sees the jump at its next look and
        // wakes the worker (lib/call/wall-clock-watch.ts): Chrome's alarms follow the wall clock.
        if (Math.abs(action.byMs) >= WALL_CLOCK_JUMP_MS && this.documentOpen()) {
          this.documentWakeAt ??= this.elapsed + WALL_CLOCK_WATCH_MS;
        }
        return;
      case 'offline':
        this.offlineUntil = this.elapsed + action.forMs;
        this.primaryTouched = Math.max(this.primaryTouched, this.offlineUntil);
        declareFault(action.forMs);
        return;
      case 'slowBody':
        emulator.injectFault({ endpoint: ENDPOINTS[action.op], delayMs: action.delayMs });
        declareFault(action.delayMs);
        return;
      case 'http':
        emulator.injectFault({
          endpoint: ENDPOINTS[action.op],
          count: action.times,
          ...faultOf(action.reply, emulator.now()),
        });
        if (action.op === 'token' && action.reply !== 'network' && action.reply !== 'hang') {
          if (action.reply.status === 400 || action.reply.status === 401)
            this.user.refusedAt = this.elapsed;
        }
        declareFault(this.silenceAsked(action.reply, action.times));
        return;
      case 'latency':
        if (action.ms < this.latencyMs) this.networkFasterAt = this.elapsed;
        this.latencyMs = action.ms;
        return;
      case 'down':
        this.downUntil[action.server] = Math.max(
          this.downUntil[action.server],
          this.elapsed + action.forMs,
        );
        await emulator.serverDown(action.server);
        // Its devices cannot be deleted while it is unreachable: they may live on until they
        // expire, beside the one the line registers on the other server (as with the SDK).
        for (const device of this.liveDevices())
          if (device.server === action.server) this.undeletable.add(device.deviceId);
        if (action.server === 'primary')
          this.primaryTouched = Math.max(this.primaryTouched, this.elapsed + action.forMs);
        declareFault(action.forMs);
        return;
      case 'serverValues':
        if (deployment)
          emulator.setConfig({
            keepaliveIntervalSec: action.keepaliveInterval,
            rehomingIntervalMin: action.rehomingMin,
            rehomingIntervalMax: action.rehomingMax,
          });
        else
          emulator.setConfig({
            registrationAnswer: {
              keepaliveInterval: action.keepaliveInterval,
              rehomingIntervalMin: action.rehomingMin,
              rehomingIntervalMax: action.rehomingMax,
            },
          });
        return;
      case 'user':
        return this.userAction(action.what);
    }
  }

  /** Servers whose time down is over come back. */
  private async serversBack() {
    for (const server of ['primary', 'backup'] as const) {
      const until = this.downUntil[server];
      if (until > 0 && this.elapsed >= until) {
        this.downUntil[server] = 0;
        await this.emulator.serverUp(server);
      }
    }
  }

  private async userAction(
    what: 'register' | 'deregister' | 'signOut' | 'signIn' | 'removeDevice',
  ) {
    // Signed out, the popup offers Sign in and nothing else: that is what the click does.
    if (!this.user.signedIn && (what === 'register' || what === 'removeDevice')) what = 'signIn';
    const service = await this.rig.current();
    const run = (work: Promise<unknown>) =>
      void work.catch((e: unknown) => this.note(`user ${what} failed: ${e}`));
    switch (what) {
      case 'register':
        this.user.wants = true;
        this.lastConfirmed = Math.max(this.lastConfirmed, this.elapsed);
        return run(
          service.register().then(() => {
            this.registerAnsweredAt = this.elapsed;
          }),
        );
      case 'deregister':
        this.user.wants = false;
        return run(service.deregister());
      case 'signOut':
        this.user.signedIn = false;
        this.user.wants = false;
        this.signOutClicks += 1;
        return run(service.signOut());
      case 'signIn': {
        if (this.user.signedIn && this.rig.disk.data.get('auth:tokens')) return;
        // Signed in once the sign-in says so (its write may fail or hang: then it did not),
        // unless the user signed out after clicking it (that sign-out runs after it).
        const signOutsBefore = this.signOutClicks;
        const onDiskBefore = JSON.stringify(this.rig.disk.data.get('auth:tokens') ?? null);
        return run(
          service.signInWithOutcome().then((result) => {
            const onDisk = this.rig.disk.data.get('auth:tokens');
            if (result.outcome !== 'signedIn' || !onDisk) return;
            if (this.signOutClicks !== signOutsBefore) return;
            this.user.signedIn = true;
            this.user.refusedAt = null;
            this.tokensLostByKill = false;
            // Its tokens may live only in the worker's memory (their write failed; they are
            // written again later): until they land, a kill loses them, as after a refresh.
            const landed = JSON.stringify(onDisk) !== onDiskBefore;
            this.tokenWriteAtRisk = !landed;
            if (!landed) this.killsAtRisk = this.rig.kills;
            this.lastConfirmed = Math.max(this.lastConfirmed, this.elapsed);
          }),
        );
      }
      case 'removeDevice': {
        // A line of the user's in another browser, nobody keeping it alive any more.
        const { state } = this.emulator;
        const name = `another browser ${this.foreign.size + 1}`;
        const device = state.deviceElsewhere(USER.id, name, state.now(), false);
        this.foreign.add(device.deviceId);
        return run(service.removeDevice(device.deviceId));
      }
    }
  }

  /** Run `steps` for `minutes`; stop at the first violation. */
  async run(steps: Step[], minutes: number): Promise<Violation | null> {
    let next = steps.findIndex((step) => step.atMs >= 0);
    if (next < 0) next = steps.length;
    const end = minutes * 60_000;
    while (this.elapsed < end) {
      while (next < steps.length && (steps[next]?.atMs ?? end) <= this.elapsed) {
        await this.perform((steps[next] as Step).action);
        next += 1;
      }
      // To the next action's own moment (a click 120 ms after another lands then, not at the
      // next 250 ms step), at most one step at a time.
      const nextAt = steps[next]?.atMs ?? end;
      const stepMs = Math.max(1, Math.min(STEP_MS, nextAt - this.elapsed));
      await this.rig.advance(stepMs, stepMs);
      this.elapsed += stepMs;
      await this.serversBack();
      if (this.documentWakeAt !== null && this.elapsed >= this.documentWakeAt) {
        this.documentWakeAt = null;
        // Its message starts a stopped worker, which reconciles the line (calls-host.ts). Not
        // awaited: the reconcile may wait on storage, whose deadline needs the clock to move.
        void this.rig
          .current()
          .then((service) => service.onStartup('workerWake'))
          .catch((error: unknown) => this.note(`document wake failed: ${error}`));
      }
      const violation = await this.check();
      if (violation) {
        this.violations.push(violation);
        return violation;
      }
    }
    return null;
  }

  /**
   * How long a Register may go unanswered by the line: `DROPPED_REGISTER_BOUND_MS`, or, when a
   * write of the engine's state failed or a worker died around it (an event lost), until the
   * engine's own reconcile picks it up (`reconcileMs`) plus that bound.
   */
  private droppedRegisterBoundMs(answeredAt: number): number {
    const lost = this.answerLostAt;
    return lost !== null && lost >= answeredAt - DROPPED_REGISTER_BOUND_MS
      ? DEFAULT_TIMING.reconcileMs + DROPPED_REGISTER_BOUND_MS
      : DROPPED_REGISTER_BOUND_MS;
  }

  /** The calls document is open while the line can ring (`wantsDocument` in calls-host.ts). */
  private documentOpen(): boolean {
    const { state } = this.record();
    return this.user.signedIn && (state === 'active' || state === 'reconnecting');
  }

  private record(): {
    state?: string;
    error?: unknown;
    wanted?: boolean;
    device?: { keepaliveInterval: number; role: string } | null;
    rehoming?: { min: number; max: number } | null;
  } {
    return (this.rig.disk.data.get(RECORD_KEY) as never) ?? {};
  }

  /**
   * Deviations the world itself caused: the old refresh token sent again after its rotation was
   * lost with a killed worker or an answer that never ended (nothing on the client's side knew
   * the new one).
   */
  private excused(deviation: Deviation): boolean {
    // The engine redoes a request whose answer it could not record: a DELETE or keepalive sent
    // again after a 404 or 409 it had already been told (idempotent; Mobius answers the same).
    if (/after \d+ earlier (404|409) answer/.test(deviation.reason) && this.answerLostAt !== null)
      return this.elapsed - this.answerLostAt <= REDO_AFTER_LOST_ANSWER_MS;
    if (/sooner than half the/.test(deviation.reason)) {
      const afterStep = this.steppedForwardAt ?? Number.NEGATIVE_INFINITY;
      const afterFaster = this.networkFasterAt ?? Number.NEGATIVE_INFINITY;
      if (this.elapsed - afterStep <= EARLY_KEEPALIVE_AFTER_STEP_MS) return true;
      return this.elapsed - afterFaster <= EARLY_KEEPALIVE_AFTER_FASTER_NETWORK_MS;
    }
    return (
      this.rotationLost &&
      /^token: invalid_grant: The refresh token is revoked/.test(deviation.reason)
    );
  }

  private async check(): Promise<Violation | null> {
    const at = this.elapsed;
    const rig = this.rig;
    const deviations = this.emulator.deviations();
    const fresh = deviations.slice(this.deviationsSeen).filter((d) => !this.excused(d));
    this.deviationsSeen = deviations.length;
    const first = fresh[0];
    if (first)
      return {
        invariant: 'deviation',
        atMs: at,
        detail: `${first.method} ${first.path} (${first.server}): ${first.reason}`,
      };

    const live = this.liveDevices();
    const ours = live.map((d) => d.deviceId).filter((id) => !this.foreign.has(id));
    const kept = ours.filter((id) => !this.undeletable.has(id));
    if (kept.length > 1) return { invariant: 'one device', atMs: at, detail: kept.join(', ') };

    const minuteAgo = at - 60_000;
    const recent = this.sentAt.filter((t) => t > minuteAgo).length;
    if (recent > STORM_PER_MINUTE)
      return { invariant: 'storm', atMs: at, detail: `${recent} requests in the last minute` };

    const tokens = rig.disk.data.get('auth:tokens');
    const written = JSON.stringify(tokens ?? null);
    if (written !== this.lastTokens) {
      // The renewed tokens landed: nothing is at risk any more.
      this.lastTokens = written;
      if (tokens) this.tokenWriteAtRisk = false;
    }
    if (this.tokenWriteAtRisk && rig.kills > this.killsAtRisk) this.lost();
    if (
      this.user.signedIn &&
      !tokens &&
      this.user.refusedAt === null &&
      !this.tokensLostByKill &&
      this.elapsed > 5_000
    )
      return {
        invariant: 'tokens lost',
        atMs: at,
        detail: 'signed out with no refusal from Webex and no sign-out',
      };

    const record = this.record();
    const finalError = record.state === 'inactive' && record.error != null;
    const expected =
      this.user.signedIn && this.user.wants && record.wanted !== false && !finalError;
    const intervalMs = (record.device?.keepaliveInterval ?? 30) * 1000;
    if (expected && at > this.faultUntil) {
      const since = at - Math.max(this.lastConfirmed, this.faultUntil - FAULT_GRACE_MS);
      if (since > Math.max(intervalMs, 30_000) + LAPSE_BOUND_MS)
        return {
          invariant: 'lapse',
          atMs: at,
          detail: `nothing confirmed for ${Math.round(since / 1000)} s (state ${record.state})`,
        };
    }
    if (this.registerAnsweredAt !== null) {
      // Not registered and not trying: idle (never registered, or deregistered) or inactive.
      const still = record.state === 'idle' || record.state === 'inactive';
      if (!expected || !still) this.registerAnsweredAt = null;
      else if (at - this.registerAnsweredAt > this.droppedRegisterBoundMs(this.registerAnsweredAt))
        return {
          invariant: 'register dropped',
          atMs: at,
          detail: `Register answered ${Math.round((at - this.registerAnsweredAt) / 1000)} s ago, still ${record.state} with no error`,
        };
    }
    const armed = [...rig.alarms.armed.keys()].some((name) => name.startsWith('timer:line:'));
    if (expected && !armed) {
      this.unarmedSince ??= at;
      if (at - this.unarmedSince > UNARMED_BOUND_MS)
        return {
          invariant: 'nothing armed',
          atMs: at,
          detail: `state ${record.state}, no line alarm`,
        };
    } else this.unarmedSince = null;

    const onOther = (id: string) => live.find((d) => d.deviceId === id)?.server !== 'primary';
    const stuck = this.stuckOnBackup(expected, record, kept.some(onOther));
    if (stuck) return stuck;

    if (this.staleSince !== null || ours.length === 0) {
      const snap = rig.alive() ? await (await rig.current()).snapshot() : null;
      if (snap?.display === 'registered' && ours.length === 0) {
        this.staleSince ??= at;
        if (at - this.staleSince > intervalMs + STALE_REGISTERED_BOUND_MS)
          return {
            invariant: 'stale registered',
            atMs: at,
            detail: 'popup says registered, Mobius has no device',
          };
      } else this.staleSince = null;
    }
    return null;
  }

  /**
   * How long Mobius's own answers ask the line to keep quiet: each keepalive 429 means
   * Retry-After plus one interval (reference §9.2, the SDK), so `times` of them in a row are that
   * many waits. Not a lapse the engine could avoid.
   */
  private silenceAsked(reply: Reply, times: number): number {
    if (reply === 'network' || reply === 'hang' || reply.status !== 429) return 0;
    const retryAfterMs = RETRY_AFTER_MS[reply.retryAfter ?? '0'];
    const intervalMs = (this.record().device?.keepaliveInterval ?? 60) * 1000;
    return times * (retryAfterMs + intervalMs);
  }

  /** On a backup, the primary is tried again within the rehoming window (failback). */
  private stuckOnBackup(
    expected: boolean,
    record: ReturnType<World['record']>,
    keptOffPrimary: boolean,
  ): Violation | null {
    const at = this.elapsed;
    const onBackup = expected && record.device?.role === 'backup' && keptOffPrimary;
    if (!onBackup) {
      this.onBackupSince = null;
      this.primaryRefused429 = false;
      return null;
    }
    this.onBackupSince ??= at;
    if (this.primaryRefused429) return null;
    const windowMs = (record.rehoming?.max ?? DEFAULT_TIMING.defaultRehomingMaxMin) * 60_000;
    const since = at - Math.max(this.onBackupSince, this.primaryTouched);
    if (since <= windowMs + FAILBACK_BOUND_MS) return null;
    return {
      invariant: 'stuck on backup',
      atMs: at,
      detail: `on the backup, primary not tried for ${Math.round(since / 1000)} s`,
    };
  }
}
