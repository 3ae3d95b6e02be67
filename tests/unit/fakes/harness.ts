/**
 * One service over fakes: clock, Store, Scheduler, scripted fetch in front of the fake cloud,
 * identity. `restart()` simulates a killed worker: a new service over the same Store and
 * Scheduler, the old instance abandoned mid-flight.
 */

import { DEFAULT_CALL_PREFERENCES } from '../../../lib/call-preferences';
import type { Timing } from '../../../lib/line/timing';
import type {
  DiagnosticEntry,
  LineErrorPayload,
  LineEventName,
} from '../../../lib/messaging/protocol';
import {
  createLineService,
  type LineBroadcast,
  type LineService,
} from '../../../lib/service/line-service';
import type { Settings } from '../../../lib/settings';
import { FakeClock } from './clock';
import { BASE, CLIENT_ID, CLIENT_SECRET, FakeCloud } from './cloud';
import { ScriptedFetch } from './fetch';
import { FakeIdentity } from './identity';
import { FakeRandom } from './random';
import { advanceTime, FakeScheduler } from './scheduler';
import { MemoryStore } from './store';

export interface Recorded {
  event?: LineEventName;
  error?: LineErrorPayload;
  state: string;
}

export function testSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    environment: { kind: 'custom', baseUrl: BASE },
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenBrokerUrl: '',
    keepRegistered: true,
    notifications: true,
    sites: [],
    calls: DEFAULT_CALL_PREFERENCES,
    ...overrides,
  };
}

export class Harness {
  readonly clock = new FakeClock();
  readonly store = new MemoryStore();
  readonly scheduler = new FakeScheduler();
  readonly random = new FakeRandom();
  readonly cloud = new FakeCloud(this.clock);
  readonly http = new ScriptedFetch(this.cloud.handle, () => this.clock.now());
  readonly identity = new FakeIdentity(this.cloud);
  readonly diagnostics: DiagnosticEntry[] = [];
  readonly broadcasts: Recorded[] = [];
  /** Every broadcast as delivered (snapshots included). */
  readonly raw: LineBroadcast[] = [];
  settings: Settings;
  service: LineService;

  constructor(
    private readonly options: {
      settings?: Partial<Settings>;
      timing?: Partial<Timing>;
      /** Settings from elsewhere (a settings store with a policy) instead of `this.settings`. */
      loadSettings?: () => Promise<Settings>;
      /** Whether a call is in progress (the calls view, in the background). */
      callsActive?: () => Promise<boolean>;
    } = {},
  ) {
    this.settings = testSettings(options.settings);
    this.service = this.build();
  }

  build(): LineService {
    const service = createLineService({
      store: this.store,
      scheduler: this.scheduler,
      clock: this.clock,
      fetch: this.http.fetch,
      identity: this.identity,
      random: this.random,
      loadSettings: this.options.loadSettings ?? (async () => structuredClone(this.settings)),
      timing: this.options.timing,
      log: (entry) => this.diagnostics.push(entry),
      callsActive: this.options.callsActive,
    });
    service.subscribe((b) => {
      this.raw.push(b);
      this.broadcasts.push({ event: b.event, error: b.error, state: b.snapshot.state });
    });
    return service;
  }

  /** A killed worker: the old instance is abandoned, a new one reads the same Store. */
  restart(): LineService {
    this.service = this.build();
    return this.service;
  }

  /** Line events so far, in order (optionally only since index `from`). */
  events(from = 0): LineEventName[] {
    return this.broadcasts.slice(from).flatMap((b) => (b.event ? [b.event] : []));
  }

  errors(): LineErrorPayload[] {
    return this.broadcasts.flatMap((b) => (b.error ? [b.error] : []));
  }

  mark(): number {
    return this.broadcasts.length;
  }

  async advance(ms: number): Promise<{ fired: string[]; killed: boolean }> {
    return advanceTime(
      ms,
      this.clock,
      this.scheduler,
      (name) => this.service.onTimer(name),
      () => this.service.whenIdle(),
    );
  }

  /** A start-up event, and the work it started (its requests included). */
  async startup(reason: Parameters<LineService['onStartup']>[0]): Promise<void> {
    await this.service.onStartup(reason);
    await this.service.whenIdle();
  }

  async signIn(): Promise<void> {
    const result = await this.service.signInWithOutcome();
    if (result.outcome !== 'signedIn') throw new Error(`sign-in failed: ${result.message}`);
  }

  /** Signed in and registered, with the request log cleared. */
  async registered(): Promise<void> {
    await this.signIn();
    await this.service.register();
    await this.service.whenIdle();
    const snap = await this.service.snapshot();
    if (snap.state !== 'active') throw new Error(`expected active, got ${snap.state}`);
    this.http.calls.length = 0;
  }

  async state(): Promise<string> {
    return (await this.service.snapshot()).state;
  }
}
