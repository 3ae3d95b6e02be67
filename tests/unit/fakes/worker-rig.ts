/**
 * The background as the service worker runs it: the real alarm scheduler, the real write-through
 * cached store and the line service, over a disk whose writes can fail or hang, chrome.alarms
 * with Chrome's semantics (one-shot alarms deleted as they fire, fired by the wall clock), and
 * a backend (the fake Webex cloud, or the emulator in process). Time is vitest's fake timers (setTimeout and Date move together; a clock
 * step moves Date alone). A killed worker's storage and network calls never return, as in
 * Chrome; the next alarm starts a new worker over the same disk and alarms.
 */
import { vi } from 'vitest';
import type { DiagnosticEntry } from '../../../lib/messaging/protocol';
import { cachedStore } from '../../../lib/platform/cached-store';
import { deadlineStore } from '../../../lib/platform/deadline-store';
import { type AlarmsApi, createAlarmScheduler } from '../../../lib/platform/scheduler';
import type { Fetch, Store } from '../../../lib/ports';
import { createLineService, type LineService } from '../../../lib/service/line-service';
import type { Settings } from '../../../lib/settings';
import type { FakeClock } from './clock';
import { FakeCloud } from './cloud';
import { type Route, ScriptedFetch } from './fetch';
import { testSettings } from './harness';
import { FakeIdentity } from './identity';
import { FakeRandom } from './random';

const never = <T>() => new Promise<T>(() => {});

type DiskFault = 'fail' | 'hang' | 'kill';

/** IndexedDB as the worker sees it: writes can be made to fail, hang, or kill the worker. */
export class Disk {
  readonly data = new Map<string, unknown>();
  private readonly faults: { key: string; fault: DiskFault; when: (value: unknown) => boolean }[] =
    [];

  /** The next write of `key` (whose value passes `when`) fails, hangs, or lands and kills. */
  next(key: string, fault: DiskFault, when: (value: unknown) => boolean = () => true): void {
    this.faults.push({ key, fault, when });
  }

  /** The store one worker uses; after `kill()` nothing it starts ever finishes. */
  view(alive: () => boolean, kill: () => void): Store {
    const live = <T>(work: () => T | Promise<T>): Promise<T> =>
      alive() ? Promise.resolve(work()) : never<T>();
    return {
      get: <T>(key: string) => live(() => structuredClone(this.data.get(key)) as T | undefined),
      set: (key, value) =>
        live(async () => {
          const at = this.faults.findIndex((f) => f.key === key && f.when(value));
          const fault = at >= 0 ? this.faults.splice(at, 1)[0]?.fault : undefined;
          if (fault === 'fail') throw new Error('QuotaExceededError (injected)');
          if (fault === 'hang') return never<void>();
          this.data.set(key, structuredClone(value));
          if (fault === 'kill') kill();
        }),
      del: (key) => live(() => void this.data.delete(key)),
    };
  }
}

/** chrome.alarms: owned by the browser (they outlive the worker), fired by the wall clock. */
export class ChromeAlarms implements AlarmsApi {
  readonly armed = new Map<string, { when: number; periodMs?: number }>();

  create(name: string, info: { when: number; periodInMinutes?: number }): void {
    const periodMs = info.periodInMinutes === undefined ? undefined : info.periodInMinutes * 60_000;
    this.armed.set(name, { when: info.when, ...(periodMs ? { periodMs } : {}) });
  }

  async clear(name: string): Promise<boolean> {
    return this.armed.delete(name);
  }

  async getAll() {
    return [...this.armed].map(([name, a]) => ({ name, scheduledTime: a.when }));
  }

  /** The alarms due now, rescheduled (repeating) or deleted (one-shot) as Chrome does. */
  ring(now: number): string[] {
    const due: string[] = [];
    for (const [name, alarm] of this.armed) {
      if (alarm.when > now) continue;
      due.push(name);
      if (alarm.periodMs === undefined) this.armed.delete(name);
      else alarm.when = Math.max(alarm.when + alarm.periodMs, now + alarm.periodMs);
    }
    return due;
  }
}

interface Worker {
  service: LineService;
  handleAlarm(name: string): Promise<void>;
  alive: boolean;
}

/** What the background talks to: the network behind its fetch, sign-in, and its settings. */
export interface Backend {
  route: Route;
  identity: FakeIdentity;
  settings: Settings;
}

/** The background over a given backend (the fake cloud: WorkerRig; the emulator: the simulation). */
export class BackgroundRig {
  readonly disk = new Disk();
  readonly alarms = new ChromeAlarms();
  readonly clock = { now: () => Date.now() };
  readonly http: ScriptedFetch;
  readonly identity: FakeIdentity;
  readonly random = new FakeRandom();
  readonly errors: string[] = [];
  /** Alarms Chrome fires a second time (a duplicate delivery) at the next step. */
  readonly ringAgain: string[] = [];
  starts = 0;
  kills = 0;
  private worker: Worker | null = null;
  private readonly settings: Settings;

  constructor(backend: Backend) {
    this.http = new ScriptedFetch(backend.route, () => Date.now());
    this.identity = backend.identity;
    this.settings = backend.settings;
  }

  /** The running worker, started (like Chrome does for an event) when there is none. */
  async current(): Promise<LineService> {
    if (this.worker?.alive) return this.worker.service;
    return (await this.start()).service;
  }

  alive(): boolean {
    return this.worker?.alive === true;
  }

  /** Called on every kill (a route can cut the dead worker's requests in flight). */
  readonly onKill: (() => void)[] = [];

  kill(): void {
    this.kills += 1;
    for (const listener of this.onKill) listener();
    if (this.worker) this.worker.alive = false;
    this.worker = null;
  }

  private async start(): Promise<Worker> {
    this.starts += 1;
    const worker = { alive: true } as Worker;
    const alive = () => worker.alive;
    const kill = () => {
      if (this.worker === worker) this.kill();
    };
    // Composed as the background composes it: the deadline on the disk, the cache in front.
    const store = cachedStore(deadlineStore(this.disk.view(alive, kill)));
    const fetch: Fetch = (input, init) =>
      worker.alive ? this.http.fetch(input, init) : never<Response>();
    const scheduler = createAlarmScheduler({
      alarms: this.alarms,
      store,
      clock: this.clock,
      minAlarmDelayMs: 0,
      onDue: (name) => (worker.alive ? worker.service.onTimer(name) : never<void>()),
      onError: (name, error) => this.errors.push(`${name}: ${String(error)}`),
    });
    worker.service = createLineService({
      store,
      scheduler,
      clock: this.clock,
      fetch,
      identity: this.identity,
      random: this.random,
      loadSettings: async () => structuredClone(this.settings),
      // SIM_TRACE=1: the engine's diagnostics on stdout, to read a replayed seed step by step.
      ...(process.env.SIM_TRACE
        ? {
            log: (entry: DiagnosticEntry) =>
              console.log(
                `${((entry.at - Date.UTC(2026, 0, 5, 9)) / 1000).toFixed(1)}s ${entry.kind} ${entry.message} ${JSON.stringify(entry.data ?? {})}`,
              ),
          }
        : {}),
    });
    worker.handleAlarm = (name) => scheduler.handleAlarm(name);
    this.worker = worker;
    // What the background does on every start: re-arm, then let the engine reconcile.
    void scheduler.rearm().catch((error: unknown) => this.errors.push(String(error)));
    void worker.service.onStartup('workerWake').catch(() => {});
    return worker;
  }

  /** Let time pass in steps, firing due alarms (and starting a worker for them) on the way. */
  async advance(ms: number, stepMs = 250): Promise<void> {
    for (let passed = 0; passed < ms; passed += stepMs) {
      await vi.advanceTimersByTimeAsync(stepMs);
      const again = this.ringAgain.splice(0);
      for (const name of [...this.alarms.ring(Date.now()), ...again]) {
        const worker = this.worker?.alive ? this.worker : await this.start();
        void worker.handleAlarm(name).catch((error: unknown) => this.errors.push(String(error)));
      }
    }
    await vi.advanceTimersByTimeAsync(0);
  }

  /** Keepalives Mobius received since `from` (ms since the epoch). */
  keepalives(from = 0): number {
    return this.http.calls
      .filter((c) => c.method === 'POST' && /\/status$/.test(c.url))
      .filter((c) => (c.at ?? 0) >= from).length;
  }

  /** Signed in and registered, through the same service calls the popup makes. */
  async registered(): Promise<void> {
    const service = await this.current();
    const signIn = await service.signInWithOutcome();
    if (signIn.outcome !== 'signedIn') throw new Error(`sign-in failed: ${signIn.message}`);
    await service.register();
    await this.advance(1_000);
    const state = (await service.snapshot()).state;
    if (state !== 'active') throw new Error(`expected active, got ${state}`);
  }
}

/** The background over the fake Webex cloud (tests/unit/fakes/cloud.ts). */
export class WorkerRig extends BackgroundRig {
  readonly cloud: FakeCloud;

  constructor() {
    const cloud = new FakeCloud({ now: () => Date.now() } as FakeClock);
    super({ route: cloud.handle, identity: new FakeIdentity(cloud), settings: testSettings() });
    this.cloud = cloud;
  }
}
