/**
 * The interpreter: the only code in the engine that awaits. For each event, one at a time: load
 * the record, apply the transition table, save the record, make the scheduler hold exactly the
 * deadlines the record implies, then perform the effects: events to the listeners, and the one
 * request in flight, whose outcome comes back as an event.
 *
 * Liveness by construction:
 * - every request runs against one deadline (covering the response body too); past it, the
 *   outcome is "did not answer in time" and the flow moves on;
 * - a request is never awaited inside a task: the queue only ever waits on storage and listeners,
 *   and a task that overruns its own deadline is abandoned (its later writes are dropped);
 * - timers are derived from the record, and a request in flight keeps a watchdog timer of its
 *   own, so a worker that died mid-request is woken to carry on;
 * - nothing caches a rejected promise: every task reads the store afresh;
 * - a record's timers are armed before it is saved, and a `pending` request this worker is not
 *   making is lost and resumed, whatever lost it (a killed worker, a failed or hung write);
 * - level-triggered too: a `reconcile` event re-derives what must exist (reconcile.ts) and
 *   compares the timers with the scheduler's own list.
 */
import type { EngineDeps } from './deps';
import type { Effect, EngineEvent, TransitionContext } from './events';
import {
  deadlinesOf,
  type EngineRecord,
  LINE_TIMERS,
  type LineTimer,
  loadRecord,
  saveRecord,
} from './record';
import { perform, type RequestSpec, serverOf, timedOut } from './requests';
import { transition } from './transition';

type Deadlines = Record<string, number | null>;
/** An event, or a thunk that reads what the event needs (preflight, settings) in its turn. */
export type EventSource = EngineEvent | (() => Promise<EngineEvent | null>);

interface Task {
  abandoned: boolean;
}

export class Interpreter {
  private queue: Promise<void> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();
  /** Ids of the requests this worker has in flight: a `pending` not among them is lost. */
  private readonly inflightIds = new Set<string>();
  /** Timer deadlines as last written by this worker; null = compare with the scheduler. */
  private baseline: Deadlines | null = null;

  constructor(private readonly deps: EngineDeps) {}

  /** Handle `source` after every earlier event. Resolves once its effects have started. */
  dispatch(source: EventSource, label?: string): Promise<void> {
    return this.dispatchChecked(source, label).then(() => undefined);
  }

  /**
   * `dispatch`, resolving to whether the task finished (false: it failed or overran). A timer's
   * handler uses it so a failed tick keeps its timer (the scheduler runs it again).
   */
  dispatchChecked(
    source: EventSource,
    label = typeof source === 'function' ? 'event' : source.kind,
  ): Promise<boolean> {
    const run = async (task: Task) => {
      const event = typeof source === 'function' ? await source() : source;
      let record = await loadRecord(this.deps.store);
      const lost = record.pending;
      if (lost && !this.inflightIds.has(lost.id)) {
        // A request no worker is making (this one just started, or its write or task failed
        // before the request went out): resume the flow without it.
        record = await this.apply(task, record, { kind: 'wake', reason: 'worker' });
      }
      // Reconciling compares the timers with the scheduler itself, not with our memory of it.
      if (event?.kind === 'reconcile') this.baseline = null;
      if (event) await this.apply(task, record, event);
      if (!task.abandoned) await this.deps.changed?.();
    };
    const result = this.queue.then(() => this.bounded(run, label));
    this.queue = result.then(() => undefined);
    return result;
  }

  /**
   * Run `work` in the queue, between two events (under the task deadline), for work outside the
   * table that must not interleave with it: a sign-in saving its tokens. It must not wait for
   * an event it dispatches (that event runs after it).
   */
  exclusive(label: string, work: () => Promise<void>): Promise<void> {
    const result = this.queue.then(() =>
      this.bounded(async (task) => {
        await work();
        if (!task.abandoned) await this.deps.changed?.();
      }, label),
    );
    this.queue = result.then(() => undefined);
    return this.queue;
  }

  /** Resolves when no event is queued and no request is in flight. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const queued = this.queue;
      await queued;
      if (this.inflight.size === 0 && queued === this.queue) return;
      await Promise.all([...this.inflight]);
    }
  }

  /** Run one task under its deadline; an overrun is abandoned and reported, never fatal. */
  private async bounded(run: (task: Task) => Promise<void>, label: string): Promise<boolean> {
    const task: Task = { abandoned: false };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overrun = new Promise<'overrun'>((resolve) => {
      timer = setTimeout(() => resolve('overrun'), this.deps.timing.taskDeadlineMs);
      (timer as { unref?: () => void }).unref?.();
    });
    try {
      const outcome = await Promise.race([run(task).then(() => 'done' as const), overrun]);
      if (outcome === 'overrun') {
        task.abandoned = true;
        this.baseline = null;
        this.deps.log('error', `Engine task "${label}" overran its deadline; abandoned`);
        return false;
      }
      return true;
    } catch (error) {
      task.abandoned = true;
      this.baseline = null;
      this.deps.log('error', `Engine task "${label}" failed`, {
        error: error instanceof Error ? error.message : String(error),
      });
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async context(): Promise<TransitionContext> {
    const { clock, timing, random } = this.deps;
    const callsActive = await this.callsActive();
    return { now: clock.now(), timing, int: (min, max) => random.int(min, max), callsActive };
  }

  /**
   * Is a call in progress? A read that fails or is late counts as "no". Counting it as "yes"
   * would let a broken read hold the line hostage: no failback ever, and a lost registration
   * waiting hours to come back, for every user whose storage hiccups. "No" costs at most the
   * engine as it was before it knew of calls, and only when a call coincides with a failed read
   * (the read is a memory read after the worker's first).
   */
  private async callsActive(): Promise<boolean> {
    const { callsActive: read, timing } = this.deps;
    if (!read) return false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timing.callsReadDeadlineMs);
      (timer as { unref?: () => void }).unref?.();
    });
    const answer = await Promise.race([
      Promise.resolve()
        .then(read)
        .catch(() => 'failed' as const),
      late,
    ]);
    clearTimeout(timer);
    if (typeof answer === 'boolean') return answer;
    this.deps.log('line', `Calls in progress unknown (${answer}); taken as none`);
    return false;
  }

  private async apply(task: Task, record: EngineRecord, event: EngineEvent) {
    const { record: next, effects } = transition(record, event, await this.context());
    if (task.abandoned) return next;
    // Timers first, the record second, stale timers last: a worker killed (or a write failing)
    // anywhere in between leaves a timer that wakes it, never a record nothing will wake.
    await this.syncTimers(task, next, 'arm');
    // Nothing changed (a wake with nothing to resume, an old alarm): no write.
    if (JSON.stringify(next) !== JSON.stringify(record)) await saveRecord(this.deps.store, next);
    await this.syncTimers(task, next, 'clear');
    this.trace(record, next);
    for (const effect of effects) {
      if (task.abandoned) break;
      await this.effect(effect, next);
    }
    return next;
  }

  private async effect(effect: Effect, record: EngineRecord): Promise<void> {
    switch (effect.kind) {
      case 'log':
        this.deps.log(effect.topic, effect.message, effect.data);
        return;
      case 'emit':
        await this.deps.emit(effect.event, effect.error);
        return;
      case 'request':
        this.start(effect.id, effect.spec, record.pending?.deadlineAt ?? this.deps.clock.now());
    }
  }

  /** Make a request under its deadline; its outcome (whatever happens) becomes an event. */
  private start(id: string, spec: RequestSpec, deadlineAt: number): void {
    const { deps } = this;
    const trackingId = `webex-line-extension_${deps.random.uuid()}`;
    const serverUrl = serverOf(spec);
    const sentAt = deps.clock.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<ReturnType<typeof timedOut>>((resolve) => {
      timer = setTimeout(
        () => resolve(timedOut(spec, 'did not answer in time')),
        Math.max(0, deadlineAt - sentAt),
      );
      (timer as { unref?: () => void }).unref?.();
    });
    const work = Promise.race([
      perform(spec, deps, trackingId).catch((error: unknown) =>
        timedOut(spec, `failed: ${error instanceof Error ? error.message : String(error)}`),
      ),
      late,
    ])
      .then((result) => {
        clearTimeout(timer);
        const status =
          'outcome' in result
            ? describeOutcome(result.outcome)
            : 'prepared' in result
              ? result.prepared.ok
                ? 'done'
                : result.prepared.error.kind
              : undefined;
        deps.log(
          'request',
          `${spec.tag} ${status ?? ('done' in result && result.done ? 'done' : 'failed')}`,
          {
            server: serverUrl,
            trackingId,
            ms: deps.clock.now() - sentAt,
          },
        );
        return this.dispatch({ kind: 'outcome', id, result, serverUrl }, `outcome:${spec.tag}`);
      })
      .finally(() => {
        this.inflight.delete(work);
        this.inflightIds.delete(id);
      });
    this.inflight.add(work);
    this.inflightIds.add(id);
  }

  /**
   * Make the scheduler hold exactly the deadlines `record` implies: `arm` sets the new and moved
   * ones, `clear` removes the ones it no longer implies.
   */
  private async syncTimers(task: Task, record: EngineRecord, step: 'arm' | 'clear') {
    const { scheduler, timing } = this.deps;
    const wanted = deadlinesOf(record, timing.watchdogSlackMs);
    const armed = this.baseline ?? (await scheduler.list());
    for (const [name, at] of Object.entries(wanted)) {
      if (task.abandoned) return;
      if ((armed[name] ?? null) === at || (at === null) !== (step === 'clear')) continue;
      if (at === null) await scheduler.clear(name);
      else await scheduler.set(name, at);
    }
    if (step === 'clear') this.baseline = wanted;
  }

  /** State changes go to the diagnostics timeline. */
  private trace(before: EngineRecord, after: EngineRecord): void {
    if (before.state === after.state) return;
    this.deps.log('state', `${before.state} -> ${after.state}`, {
      flow: after.flow?.kind,
      server: after.device?.serverUrl ?? after.target?.url,
    });
  }
}

/** "HTTP 200", "HTTP 404", "network", for the timeline. */
function describeOutcome(outcome: {
  ok: boolean;
  status?: number;
  error?: { kind: string; status?: number };
}) {
  if (outcome.ok) return `HTTP ${outcome.status}`;
  const error = outcome.error;
  return error?.status !== undefined ? `HTTP ${error.status}` : (error?.kind ?? 'failed');
}

/** Timer names the engine owns -> the table's timer events. */
export function timerOf(name: string): LineTimer | undefined {
  const entry = Object.entries(LINE_TIMERS).find(([, value]) => value === name);
  return entry?.[0] as LineTimer | undefined;
}
