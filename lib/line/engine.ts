/**
 * The registration engine (DESIGN.md "Registration engine in one paragraph"): states idle /
 * connecting / active / reconnecting / inactive, driven by user actions, timers, HTTP results and
 * network changes, following reference/mobius-registration.md.
 *
 * Resumable by construction: every task starts from the Store, every effect is preceded by the
 * record write it depends on, and timers mirror the record (`line:retry` = the current step's
 * deadline or watchdog, `line:keepalive`, `line:failback`). A worker killed anywhere is resumed by
 * the next timer or by `resume()` on wake.
 */
import { withAuthorization } from '../auth/authorized';
import type { LineErrorPayload, LineEventName } from '../messaging/protocol';
import { tokenExpiredError } from '../webex/errors';
import type { Outcome } from '../webex/http';
import type { MobiusAuth, RegistrationResponse } from '../webex/mobius';
import { DUE_SLACK_MS, type EngineCore, LINE_TIMERS } from './core';
import { stepFailback } from './failback';
import { onKeepaliveTimer } from './keepalive';
import { networkBack, networkLost } from './network';
import { failbackDelayMs, keepaliveDelayMs } from './policy';
import type { EngineDeps, RegistrationContext } from './ports';
import {
  clearRuntime,
  deviceRef,
  type EngineRecord,
  emptyRecord,
  INTENT_KEY,
  type Intent,
  loadIntent,
  loadRecord,
  type ServerRef,
  type Step,
  saveRecord,
} from './record';
import { deleteLeftovers, removeOurDevices } from './rounds';
import {
  stepBackups,
  stepDeregister,
  stepPrimaries,
  stepRegister,
  stepRestore,
  stepStartup,
  waitForNetwork,
} from './steps';

export { LINE_TIMERS } from './core';

type TimerDeadlines = Record<string, number | null>;

export type StartupReason = 'browserStartup' | 'install' | 'update' | 'workerWake';

export class RegistrationEngine implements EngineCore {
  private queue: Promise<void> = Promise.resolve();
  /** The record of the running task (tasks run one at a time), for the watchdog. */
  private current: EngineRecord | null = null;
  /** Timer deadlines as last written, so a commit only touches the timers that changed. */
  private timerBaseline: TimerDeadlines = {};

  constructor(readonly deps: EngineDeps) {}

  // ---------------------------------------------------------------- entry points

  /** Begin registering. Resolves once the work has started (or was found unnecessary). */
  async register(): Promise<void> {
    await this.deps.store.set(INTENT_KEY, 'registered' satisfies Intent);
    let started!: () => void;
    const startedPromise = new Promise<void>((resolve) => {
      started = resolve;
    });
    const task = this.task('register', async (record) => {
      try {
        await this.startRegistration(record, started);
      } finally {
        started();
      }
    });
    await Promise.race([startedPromise, task]);
  }

  /** Deregister; resolves when done. */
  async deregister(): Promise<void> {
    await this.deps.store.set(INTENT_KEY, 'unregistered' satisfies Intent);
    await this.task('deregister', async (record) => {
      record.step = { kind: 'deregister', runAt: 0 };
      await this.runStep(record);
    });
  }

  async onTimer(name: string): Promise<void> {
    const now = () => this.deps.clock.now() + DUE_SLACK_MS;
    switch (name) {
      case LINE_TIMERS.keepalive:
        return this.task('keepalive', (record) => onKeepaliveTimer(this, record));
      case LINE_TIMERS.retry:
        return this.task('retry', async (record, loaded) => {
          // Due-ness as loaded: recovering an interrupted request may push the watchdog on.
          if (record.step && loaded.stepRunAt !== null && loaded.stepRunAt <= now()) {
            await this.runStep(record);
          }
        });
      case LINE_TIMERS.failback:
        return this.task('failback', async (record) => {
          if (record.failbackAt === null || record.failbackAt > now()) return;
          record.failbackAt = null;
          if (record.step) {
            // Something else is in progress; failback waits for the next registration on a backup.
            await this.commit(record);
            return;
          }
          record.step = { kind: 'failback', runAt: 0 };
          await this.runStep(record);
        });
      default:
        return;
    }
  }

  async onNetwork(online: boolean): Promise<void> {
    return this.task(online ? 'online' : 'offline', async (record) => {
      if (online) await networkBack(this, record);
      else await networkLost(this, record);
    });
  }

  /**
   * Browser start-up / install / update: the previous session's device (if any) is deleted first,
   * then the line registers again when `registerAgain` says so. `workerWake` resumes instead.
   */
  async onStartup(
    reason: StartupReason,
    options: { keepRegistered: boolean; signedIn: boolean },
  ): Promise<void> {
    if (reason === 'workerWake') return this.resume();
    const wanted = (await this.intent()) === 'registered';
    // Browser start-up registers whenever the preference is on (settings: "Register on
    // browser start-up"); an update or install re-registers only a line that was registered.
    const thenRegister =
      options.keepRegistered && options.signedIn && (reason === 'browserStartup' || wanted);
    // Written before the task, as register() does: a registration the last session left
    // unanswered is then cleaned up (or waited for) before this one can start.
    if (thenRegister) await this.deps.store.set(INTENT_KEY, 'registered' satisfies Intent);
    return this.task(`startup:${reason}`, async (record) => {
      const hasDevice = record.device !== null || record.leftovers.length > 0;
      if (!thenRegister && !hasDevice && record.state === 'idle') return;
      if (!thenRegister) await this.deps.store.set(INTENT_KEY, 'unregistered' satisfies Intent);
      clearRuntime(record);
      record.step = { kind: 'startup', runAt: 0, thenRegister };
      if (thenRegister) {
        record.state = 'connecting';
        record.error = null;
        record.deregistered = false;
        this.watchdog(record);
        await this.commit(record);
        await this.emit('connecting');
      }
      await this.runStep(record);
    });
  }

  /** Worker woke up: re-arm timers from the record and finish a step a killed worker left. */
  async resume(): Promise<void> {
    return this.task('resume', async (record) => {
      await this.reconcileTimers(record);
      const stale = record.step !== null && record.nextAttemptAt === null;
      if (stale) await this.runStep(record);
    });
  }

  /** The token manager could not renew the sign-in: the line cannot stay registered. */
  async tokenLost(): Promise<void> {
    return this.task('tokenLost', async (record) => {
      if (
        record.state === 'idle' ||
        (record.state === 'inactive' && record.error?.type === 'tokenError')
      ) {
        return;
      }
      const wasRegistered = record.device !== null;
      await this.fail(record, tokenExpiredError());
      if (wasRegistered) await this.emit('unregistered');
    });
  }

  /** Sign-out: delete the device (best effort) and forget the line's state. */
  async reset(): Promise<void> {
    await this.deps.store.set(INTENT_KEY, 'unregistered' satisfies Intent);
    return this.task('reset', async (record) => {
      const hadLine = record.device !== null || record.state !== 'idle';
      if (record.device) record.leftovers.push(deviceRef(record.device));
      const fresh = emptyRecord();
      // The forgotten line is persisted before the DELETE: a kill during it leaves an idle line
      // (not "active" without a device), and the device stays listed for the next registration.
      fresh.leftovers = record.leftovers;
      fresh.inflight = record.inflight;
      Object.assign(record, fresh);
      await this.commit(record);
      await deleteLeftovers(this, record);
      if (hadLine) await this.emit('unregistered');
    });
  }

  /** After a successful sign-in: clear a token error; re-register if the user wants the line. */
  async afterSignIn(options: { keepRegistered: boolean }): Promise<void> {
    return this.task('afterSignIn', async (record) => {
      if (record.error?.type === 'tokenError') {
        record.error = null;
        if (record.state === 'inactive') record.state = 'idle';
        await this.commit(record);
      }
      if (
        options.keepRegistered &&
        (await this.intent()) === 'registered' &&
        record.state === 'idle'
      ) {
        await this.startRegistration(record, () => {});
      }
    });
  }

  /** Resolves when no task is queued or running (tests, and the service's `whenIdle`). */
  async whenIdle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  // ---------------------------------------------------------------- EngineCore

  async commit(record: EngineRecord): Promise<void> {
    await saveRecord(this.deps.store, record);
    const wanted = this.deadlines(record);
    for (const [name, at] of Object.entries(wanted)) {
      if (this.timerBaseline[name] === at) continue;
      if (at === null) await this.deps.scheduler.clear(name);
      else await this.deps.scheduler.set(name, at);
    }
    this.timerBaseline = wanted;
  }

  intent(): Promise<Intent> {
    return loadIntent(this.deps.store);
  }

  watchdog(record: EngineRecord): void {
    if (record.step) record.step.runAt = this.deps.clock.now() + this.deps.timing.watchdogMs;
  }

  async mobius<T>(
    clientDeviceUri: string,
    call: (auth: MobiusAuth) => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> {
    await this.keepWatch();
    return withAuthorization(this.deps.tokens, (authorization) =>
      call({
        authorization,
        clientDeviceUri,
        trackingId: `webex-line-extension_${this.deps.random.uuid()}`,
      }),
    );
  }

  async registered(
    record: EngineRecord,
    context: RegistrationContext,
    server: ServerRef,
    response: RegistrationResponse,
  ): Promise<void> {
    const { clock, timing, random } = this.deps;
    const now = clock.now();
    // A missing or non-positive interval would keep the keepalive timer firing in a loop.
    const keepaliveInterval =
      response.keepaliveInterval !== undefined && response.keepaliveInterval > 0
        ? response.keepaliveInterval
        : timing.defaultKeepaliveSec;
    record.device = {
      serverUrl: server.url,
      role: server.role,
      deviceId: response.device.deviceId,
      uri: response.device.uri,
      clientDeviceUri: response.device.clientDeviceUri || context.clientDeviceUri,
      lastSeen: response.device.lastSeen,
      addresses: response.device.addresses ?? [],
      keepaliveInterval,
      callKeepaliveInterval: response.callKeepaliveInterval,
      rehomingIntervalMin: response.rehomingIntervalMin,
      rehomingIntervalMax: response.rehomingIntervalMax,
      voicePortalNumber: response.voicePortalNumber,
      voicePortalExtension: response.voicePortalExtension,
    };
    record.state = 'active';
    record.error = null;
    record.deregistered = false;
    record.lastServer = server;
    record.target = null;
    record.inflight = null;
    record.step = null;
    record.nextAttemptAt = null;
    record.keepaliveFailures = 0;
    record.offlineTries = 0;
    record.keepaliveAt = now + keepaliveDelayMs(keepaliveInterval, timing);
    if (server.role === 'primary') {
      // SDK setIntervalValues: the rehoming window is taken only from a primary's answer.
      record.rehoming = {
        min: response.rehomingIntervalMin || timing.defaultRehomingMinMin,
        max: response.rehomingIntervalMax || timing.defaultRehomingMaxMin,
      };
      record.failbackAt = null;
      record.failback429Retries = 0;
    } else if (record.failbackAt === null) {
      record.failbackAt =
        now + failbackDelayMs(record.rehoming, timing, (a, b) => random.int(a, b));
      record.failback429Retries = 0;
    }
    // The device is persisted before anyone hears `registered`.
    await this.commit(record);
    this.deps.log('line', 'Registered', {
      server: server.url,
      role: server.role,
      deviceId: record.device.deviceId,
    });
    await this.emit('registered');
    // A device an earlier attempt could not delete (its server was unreachable): try again now.
    if (record.leftovers.length > 0) await deleteLeftovers(this, record);
  }

  async fail(record: EngineRecord, error: LineErrorPayload): Promise<void> {
    if (record.device) {
      // It may still exist at the server: delete it before the next registration.
      record.leftovers.push(deviceRef(record.device));
      record.device = null;
    }
    record.state = 'inactive';
    record.error = error;
    record.step = null;
    record.nextAttemptAt = null;
    record.target = null;
    record.keepaliveAt = null;
    record.failbackAt = null;
    record.keepaliveFailures = 0;
    await this.commit(record);
    this.deps.log('line', 'Line error', { type: error.type, msg: error.msg, detail: error.detail });
    await this.emit('error', error);
  }

  emit(event: LineEventName, error?: LineErrorPayload): Promise<void> {
    return this.deps.emit(event, error);
  }

  // ---------------------------------------------------------------- task plumbing

  /** Run `work` after every earlier task, on a record freshly read from the Store. */
  private task(
    name: string,
    work: (record: EngineRecord, loaded: { stepRunAt: number | null }) => Promise<void>,
  ): Promise<void> {
    const run = async () => {
      const record = await loadRecord(this.deps.store);
      const loaded = { stepRunAt: record.step?.runAt ?? null };
      this.current = record;
      this.timerBaseline = this.deadlines(record);
      try {
        // The user's "stop" and sign-out proceed even when an old request cannot be checked.
        const clean = await this.recoverInflight(record);
        if (clean || name === 'deregister' || name === 'reset') await work(record, loaded);
      } finally {
        this.current = null;
      }
      await this.deps.changed?.();
    };
    const result = this.queue.then(run).catch((error: unknown) => {
      this.deps.log('error', `Engine task "${name}" failed`, {
        error: error instanceof Error ? error.message : String(error),
      });
    });
    this.queue = result;
    return result;
  }

  /**
   * Push a running step's watchdog past the next request, so a live but slow step is never
   * mistaken for a dead one (and an alarm always exists while a step runs).
   */
  async keepWatch(): Promise<void> {
    const record = this.current;
    if (!record?.step || record.nextAttemptAt !== null) return;
    this.watchdog(record);
    await this.commit(record);
  }

  private deadlines(record: EngineRecord): TimerDeadlines {
    return {
      [LINE_TIMERS.retry]: record.step?.runAt ?? null,
      [LINE_TIMERS.keepalive]: record.keepaliveAt,
      [LINE_TIMERS.failback]: record.failbackAt,
    };
  }

  /** Full comparison with the Scheduler (on wake): a missing timer is re-armed, never late-lost. */
  private async reconcileTimers(record: EngineRecord): Promise<void> {
    const armed = await this.deps.scheduler.list();
    const now = this.deps.clock.now();
    for (const [name, at] of Object.entries(this.deadlines(record))) {
      if (at === null && armed[name] !== undefined) await this.deps.scheduler.clear(name);
      if (at !== null && armed[name] === undefined)
        await this.deps.scheduler.set(name, Math.max(at, now));
    }
    this.timerBaseline = this.deadlines(record);
  }

  /**
   * A registration POST marked in flight at the start of a task was sent by a worker that died
   * before the answer: the device may exist. Remove ours at that server before anything else.
   * Returns false when that could not be checked (network down) while the line is wanted:
   * registering now could leave two. The marker stays until the clean-up succeeds.
   */
  private async recoverInflight(record: EngineRecord): Promise<boolean> {
    const inflight = record.inflight;
    if (!inflight) return true;
    this.deps.log('line', 'Resuming after an interrupted registration', {
      server: inflight.serverUrl,
    });
    const prepared = await this.deps.context.prepare();
    const unreachable = prepared.ok
      ? (await removeOurDevices(this, prepared.context, inflight.serverUrl)) === 'network'
      : prepared.error.kind === 'network';
    if (unreachable) {
      // Not wanted any more: nothing to protect now. Keep the marker, so the next registration
      // cleans up first, instead of turning an idle line into one waiting for the network.
      if ((await this.intent()) !== 'registered') return true;
      await waitForNetwork(this, record);
      return false;
    }
    record.inflight = null;
    await this.commit(record);
    return true;
  }

  schedule(record: EngineRecord, step: Step, delayMs: number): Promise<void> {
    const runAt = this.deps.clock.now() + Math.max(0, delayMs);
    record.step = { ...step, runAt };
    record.nextAttemptAt = runAt;
    record.target = null;
    return this.commit(record);
  }

  /** Switch to another step and run it now. */
  async goTo(record: EngineRecord, step: Step): Promise<void> {
    record.step = step;
    await this.runStep(record);
  }

  async runStep(record: EngineRecord): Promise<void> {
    const step = record.step;
    if (!step) return;
    record.nextAttemptAt = null;
    this.watchdog(record);
    await this.commit(record);
    switch (step.kind) {
      case 'register':
        return stepRegister(this, record);
      case 'primaries':
        return stepPrimaries(this, record, step);
      case 'backups':
        return stepBackups(this, record, step);
      case 'restore':
        return stepRestore(this, record);
      case 'failback':
        return stepFailback(this, record);
      case 'deregister':
        return stepDeregister(this, record);
      case 'startup':
        return stepStartup(this, record, step);
    }
  }

  // ---------------------------------------------------------------- registration

  private async startRegistration(record: EngineRecord, started: () => void): Promise<void> {
    if ((await this.intent()) !== 'registered') return;
    if (endsIdle(record.step)) {
      // A deregistration a killed worker left (its watchdog would run it later and undo this
      // register): finish it now, then register afresh.
      await this.runStep(record);
    }
    const registered =
      record.device !== null && (record.state === 'active' || record.state === 'reconnecting');
    if (registered && !record.step) return;
    if (record.step) {
      // Already working on it. A user asking again while we wait for the network means "now".
      if (record.step.kind === 'restore' && record.nextAttemptAt !== null)
        await this.runStep(record);
      return;
    }
    const blocked = await this.deps.preflight();
    if (blocked) {
      await this.fail(record, blocked);
      return;
    }
    record.state = 'connecting';
    record.error = null;
    record.deregistered = false;
    record.step = { kind: 'register', runAt: 0 };
    this.watchdog(record);
    await this.commit(record);
    await this.emit('connecting');
    started();
    await this.runStep(record);
  }
}

/** Steps that end with the line idle (steps run one at a time, so this one is not running). */
const endsIdle = (step: Step | null): boolean =>
  step?.kind === 'deregister' || (step?.kind === 'startup' && !step.thenRegister);
