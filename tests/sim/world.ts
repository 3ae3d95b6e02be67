/**
 * Runs a schedule against the whole background (tests/unit/fakes/worker-rig: the real
 * interpreter, transition table, scheduler, cached store, token manager and session, on fake
 * time, over a faulty disk, Chrome-like alarms and the fake Webex cloud) and checks the
 * invariants after every step. Time here has two clocks: `Date` (the computer's, which the
 * schedule steps back and forth) and `elapsed` (real time passing, which Mobius and the
 * invariants use).
 */
import { vi } from 'vitest';
import { RECORD_KEY } from '../../lib/line/record';
import { DEFAULT_TIMING } from '../../lib/line/timing';
import { BACKUP, PRIMARY, WDM_BASE } from '../unit/fakes/cloud';
import { type Reply as FetchReply, json, type RecordedRequest } from '../unit/fakes/fetch';
import { WorkerRig } from '../unit/fakes/worker-rig';
import type { Action, Op, Reply, Step } from './schedule';

/** Each step of the simulation: alarms and in-memory timers are checked this often. */
export const STEP_MS = 250;
/**
 * Mobius drops a device after this long without a keepalive (reference: about five missed
 * 30 s keepalives).
 */
export const MOBIUS_EXPIRY_MS = 150_000;
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
export const FAILBACK_BOUND_MS = 4 * 60_000;

export interface Violation {
  invariant:
    | 'one device'
    | 'lapse'
    | 'stale registered'
    | 'nothing armed'
    | 'storm'
    | 'tokens lost'
    | 'stuck on backup';
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

const huge = () => json(429, {}, { 'Retry-After': '31536000' });

function replyOf(reply: Reply, now: number): FetchReply | (() => FetchReply) {
  if (reply === 'network' || reply === 'hang') return reply;
  const headers: Record<string, string> = {};
  if (reply.retryAfter === '0') headers['Retry-After'] = '0';
  if (reply.retryAfter === 'date') headers['Retry-After'] = new Date(now + 90_000).toUTCString();
  if (reply.retryAfter === 'huge') return huge;
  const body =
    reply.errorCode !== undefined
      ? { errorCode: reply.errorCode, devices: [] }
      : reply.status === 400
        ? { error: 'invalid_grant' }
        : { message: 'injected' };
  return json(reply.status, body, headers);
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
  readonly rig = new WorkerRig();
  elapsed = 0;
  readonly violations: Violation[] = [];
  readonly log: string[] = [];
  private readonly user: UserModel = { signedIn: false, wants: false, refusedAt: null };
  private lastConfirmed = 0;
  private faultUntil = 0;
  private offlineUntil = 0;
  private slow: { op: string; delayMs: number } | null = null;
  private latencyMs = 0;
  private readonly downUntil = { primary: 0, backup: 0 };
  /** The last time the primary was tried, failed, or was unreachable (failback restarts). */
  private primaryTouched = 0;
  private primaryRefused429 = false;
  private onBackupSince: number | null = null;
  private readonly sentAt: number[] = [];
  private staleSince: number | null = null;
  private unarmedSince: number | null = null;
  private readonly seen = new Map<string, number>();
  private foreign = 0;
  /** Devices whose DELETE Mobius refused: they may live on until they expire, beside a new one. */
  private readonly undeletable = new Set<string>();
  /**
   * A refresh sent, or a write of the tokens that hung or died, and the worker killed (or the
   * answer later than its deadline) before the renewed tokens landed on disk: with a rotating refresh token the new one existed only in that
   * worker's memory. Nothing can recover it (the README says so); the invariant excuses exactly
   * that, and nothing else.
   */
  private tokenWriteAtRisk = false;
  private tokensLostByKill = false;
  private killsAtRisk = 0;
  private lastTokens = 'null';

  constructor() {
    const cloud = this.rig.cloud;
    this.rig.http.setFallback(async (request: RecordedRequest) => {
      this.sentAt.push(this.elapsed);
      const toPrimary = request.url.startsWith(new URL(PRIMARY).origin);
      if (toPrimary) this.primaryTouched = this.elapsed;
      const server = toPrimary
        ? 'primary'
        : request.url.startsWith(new URL(BACKUP).origin)
          ? 'backup'
          : null;
      const unreachable = server !== null && this.elapsed < this.downUntil[server];
      if (this.elapsed < this.offlineUntil || unreachable) return 'network';
      if (opOf(request) === 'token') {
        // A refresh spends the old refresh token (once it arrives); the new one exists only in
        // this worker's memory until its write lands.
        this.atRisk();
      }
      // Half the round trip before Mobius acts on the request (which it does even when the
      // worker that sent it has died since), half before its answer arrives.
      const halfTrip = () => new Promise((resolve) => setTimeout(resolve, this.latencyMs / 2));
      if (this.latencyMs > 0) await halfTrip();
      // Mobius acts on a request when it arrives; a slow answer only reaches us later.
      const reply = await cloud.handle(request);
      if (toPrimary && reply instanceof Response && reply.status === 429)
        this.primaryRefused429 = true;
      if (this.latencyMs > 0) await halfTrip();
      if (this.slow && opOf(request) === this.slow.op) {
        const delay = this.slow.delayMs;
        this.slow = null;
        // A refresh answer slower than the request deadline never reaches the token manager:
        // with a rotating refresh token, the same loss as a worker killed mid-refresh.
        if (opOf(request) === 'token' && delay >= DEFAULT_TIMING.requestTimeoutMs) {
          this.tokensLostByKill = true;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
      const ok = reply instanceof Response && reply.ok;
      if (request.method === 'DELETE' && !ok) {
        // Mobius refused or lost a DELETE (an injected fault): that device may outlive it.
        const id = request.url.split('/').at(-1) ?? '';
        if (cloud.devices.has(id)) this.undeletable.add(id);
      }
      const confirming =
        request.method === 'POST' &&
        /\/calling\/web\/(device|devices\/[^/]+\/status)$/.test(request.url);
      if (ok && confirming) this.lastConfirmed = this.elapsed;
      for (const id of cloud.devices.keys())
        if (ok && request.url.includes(id)) this.seen.set(id, this.elapsed);
      return reply;
    });
  }

  /**
   * Renewed tokens may now exist only in this worker's memory. A kill since the previous risk
   * began already lost them (seed 217: the next worker's refresh started a new risk first).
   */
  private atRisk() {
    if (this.tokenWriteAtRisk && this.rig.kills > this.killsAtRisk) this.tokensLostByKill = true;
    this.tokenWriteAtRisk = true;
    this.killsAtRisk = this.rig.kills;
  }

  private note(text: string) {
    this.log.push(`${(this.elapsed / 1000).toFixed(1)}s ${text}`);
  }

  /** `before`: the deployment's values, set before the first registration. */
  async start(before: Step[] = []): Promise<void> {
    for (const step of before) await this.perform(step.action);
    await this.rig.registered();
    this.user.signedIn = true;
    this.user.wants = true;
    this.lastConfirmed = this.elapsed;
  }

  /** Mobius's own clock: a device not kept alive expires. */
  private expire() {
    const cloud = this.rig.cloud;
    for (const [id] of cloud.devices) {
      if (!this.seen.has(id)) this.seen.set(id, this.elapsed);
      if (this.elapsed - (this.seen.get(id) ?? 0) > MOBIUS_EXPIRY_MS) cloud.devices.delete(id);
    }
  }

  async perform(action: Action): Promise<void> {
    const rig = this.rig;
    this.note(JSON.stringify(action));
    const declareFault = (ms = 0) => {
      this.faultUntil = Math.max(this.faultUntil, this.elapsed + ms + FAULT_GRACE_MS);
    };
    switch (action.kind) {
      case 'kill':
        rig.kill();
        return;
      case 'disk':
        rig.disk.next(action.key, action.fault);
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
        return;
      case 'offline':
        this.offlineUntil = this.elapsed + action.forMs;
        this.primaryTouched = Math.max(this.primaryTouched, this.offlineUntil);
        declareFault(action.forMs);
        return;
      case 'slowBody':
        this.slow = {
          op: action.op === 'keepalive' ? '/status' : action.op,
          delayMs: action.delayMs,
        };
        declareFault(action.delayMs);
        return;
      case 'http':
        if (
          action.op === 'keepalive' &&
          action.reply !== 'network' &&
          action.reply !== 'hang' &&
          (action.reply.status === 404 || action.reply.status === 409)
        ) {
          // Mobius answers 404 because the device is gone, 409 because it ended it for a newer
          // registration: either way it really is gone (as in the emulator).
          const status = action.reply.status;
          rig.http.on(
            'POST',
            /\/status$/,
            (request: RecordedRequest) => {
              rig.cloud.devices.delete(request.url.split('/').at(-2) ?? '');
              return json(status, { message: 'injected' });
            },
            action.times,
          );
        } else
          rig.cloud.fault(action.op, replyOf(action.reply, Date.now()), { times: action.times });
        if (action.op === 'token' && action.reply !== 'network' && action.reply !== 'hang') {
          if (action.reply.status === 400 || action.reply.status === 401)
            this.user.refusedAt = this.elapsed;
        }
        declareFault();
        return;
      case 'latency':
        this.latencyMs = action.ms;
        return;
      case 'down':
        this.downUntil[action.server] = this.elapsed + action.forMs;
        // Its devices cannot be deleted while it is unreachable: they may live on until they
        // expire, beside the one the line registers on the other server (as with the SDK).
        for (const device of rig.cloud.devices.values())
          if (device.serverUrl === (action.server === 'primary' ? PRIMARY : BACKUP))
            this.undeletable.add(device.deviceId);
        if (action.server === 'primary')
          this.primaryTouched = Math.max(this.primaryTouched, this.elapsed + action.forMs);
        declareFault(action.forMs);
        return;
      case 'serverValues':
        rig.cloud.registrationFields.keepaliveInterval = action.keepaliveInterval;
        rig.cloud.registrationFields.rehomingIntervalMin = action.rehomingMin;
        rig.cloud.registrationFields.rehomingIntervalMax = action.rehomingMax;
        return;
      case 'user':
        return this.userAction(action.what);
    }
  }

  private async userAction(
    what: 'register' | 'deregister' | 'signOut' | 'signIn' | 'removeDevice',
  ) {
    const service = await this.rig.current();
    const run = (work: Promise<unknown>) =>
      void work.catch((e: unknown) => this.note(`user ${what} failed: ${e}`));
    switch (what) {
      case 'register':
        if (!this.user.signedIn) return;
        this.user.wants = true;
        this.lastConfirmed = Math.max(this.lastConfirmed, this.elapsed);
        return run(service.register());
      case 'deregister':
        this.user.wants = false;
        return run(service.deregister());
      case 'signOut':
        this.user.signedIn = false;
        this.user.wants = false;
        return run(service.signOut());
      case 'signIn':
        if (this.user.signedIn && this.rig.disk.data.get('auth:tokens')) return;
        // Signed in once the sign-in says so (its write may fail or hang: then it did not).
        return run(
          service.signInWithOutcome().then((result) => {
            if (result.outcome !== 'signedIn' || !this.rig.disk.data.get('auth:tokens')) return;
            this.user.signedIn = true;
            this.user.refusedAt = null;
            this.tokenWriteAtRisk = false;
            this.tokensLostByKill = false;
            this.lastConfirmed = Math.max(this.lastConfirmed, this.elapsed);
          }),
        );
      case 'removeDevice': {
        const id = `foreign-${++this.foreign}`;
        this.rig.cloud.devices.set(id, {
          deviceId: id,
          uri: `${PRIMARY}devices/${id}`,
          serverUrl: PRIMARY,
          clientDeviceUri: `${WDM_BASE}/devices/${id}-wdm`,
          lastSeen: '2026-01-01T00:00:00Z',
          addresses: [],
          status: 'active',
        });
        return run(service.removeDevice(id));
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
      await this.rig.advance(STEP_MS, STEP_MS);
      this.elapsed += STEP_MS;
      this.expire();
      const violation = await this.check();
      if (violation) {
        this.violations.push(violation);
        return violation;
      }
    }
    return null;
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

  private async check(): Promise<Violation | null> {
    const at = this.elapsed;
    const rig = this.rig;
    const ours = [...rig.cloud.devices.keys()].filter((id) => !id.startsWith('foreign-'));
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
    if (this.tokenWriteAtRisk && rig.kills > this.killsAtRisk) this.tokensLostByKill = true;
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

    const stuck = this.stuckOnBackup(expected, record, kept);
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

  /** On a backup, the primary is tried again within the rehoming window (failback). */
  private stuckOnBackup(
    expected: boolean,
    record: ReturnType<World['record']>,
    kept: string[],
  ): Violation | null {
    const at = this.elapsed;
    const onBackup =
      expected &&
      record.device?.role === 'backup' &&
      kept.some((id) => this.rig.cloud.devices.get(id)?.serverUrl !== PRIMARY);
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
