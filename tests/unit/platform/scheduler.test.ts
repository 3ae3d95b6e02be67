import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deadlineStore } from '../../../lib/platform/deadline-store';
import { type AlarmsApi, createAlarmScheduler } from '../../../lib/platform/scheduler';
import { memoryStore } from './memory-store';

/** chrome.alarms as the scheduler sees it; `ring` is Chrome firing an alarm. */
function fakeAlarms(): AlarmsApi & { armed: Map<string, number>; ring(name: string): void } {
  const armed = new Map<string, number>();
  const periods = new Map<string, number>();
  return {
    armed,
    // A one-shot alarm is gone once it fires; a repeating one is rescheduled a period later.
    ring: (name) => {
      const at = armed.get(name);
      const period = periods.get(name);
      if (at === undefined) return;
      if (period === undefined) armed.delete(name);
      else armed.set(name, at + period);
    },
    create: (name, info) => {
      armed.set(name, info.when);
      if (info.periodInMinutes === undefined) periods.delete(name);
      else periods.set(name, info.periodInMinutes * 60_000);
    },
    clear: async (name) => armed.delete(name),
    getAll: async () => [...armed].map(([name, scheduledTime]) => ({ name, scheduledTime })),
  };
}

const clock = { now: () => Date.now() };

/** A scheduler over a shared store and alarms (a second one stands for a restarted worker). */
function schedulerOver(
  shared: { store: ReturnType<typeof memoryStore>; alarms: ReturnType<typeof fakeAlarms> },
  minAlarmDelayMs = 0,
) {
  const fired: string[] = [];
  const scheduler = createAlarmScheduler({
    ...shared,
    clock,
    minAlarmDelayMs,
    onDue: async (name) => void fired.push(name),
  });
  return { scheduler, fired };
}

describe('alarm scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => vi.useRealTimers());

  it('persists the deadline, clamps the alarm and fires once through the in-memory timer', async () => {
    const alarms = fakeAlarms();
    const { scheduler, fired } = schedulerOver({ store: memoryStore(), alarms }, 30_000);

    await scheduler.set('keepalive', 1_005_000);
    expect(await scheduler.list()).toEqual({ keepalive: 1_005_000 });
    expect(alarms.armed.get('timer:keepalive')).toBe(1_030_000);

    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toEqual(['keepalive']);
    expect(await scheduler.list()).toEqual({});
    expect(alarms.armed.has('timer:keepalive')).toBe(false);

    // The backstop alarm arriving later does not fire it again.
    await scheduler.handleAlarm('timer:keepalive');
    expect(fired).toEqual(['keepalive']);
  });

  it('a handler that fails keeps its timer: the repeating alarm runs it again', async () => {
    const alarms = fakeAlarms();
    const store = memoryStore();
    let failures = 1;
    const fired: string[] = [];
    const scheduler = createAlarmScheduler({
      store,
      alarms,
      clock,
      minAlarmDelayMs: 0,
      onDue: async (name) => {
        fired.push(name);
        if (failures-- > 0) throw new Error('write failed');
      },
    });
    await scheduler.set('keepalive', 1_005_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toEqual(['keepalive']);
    // The old scheduler took the timer as handled and deleted it: nothing would fire again.
    expect(await scheduler.list()).toEqual({ keepalive: 1_005_000 });
    expect(alarms.armed.has('timer:keepalive')).toBe(true);
    await scheduler.handleAlarm('timer:keepalive');
    expect(fired).toEqual(['keepalive', 'keepalive']);
    expect(await scheduler.list()).toEqual({});
  });

  it('a clock set back does not hold a timer: its in-memory timeout counts elapsed time', async () => {
    const alarms = fakeAlarms();
    const { scheduler, fired } = schedulerOver({ store: memoryStore(), alarms });
    await scheduler.set('keepalive', 1_030_000);
    vi.setSystemTime(1_000_000 - 3_600_000);
    await vi.advanceTimersByTimeAsync(30_000);
    // Fired on time; the handler (which sees the step) decides, and the deadline it left stays.
    expect(fired).toEqual(['keepalive']);
    expect(await scheduler.list()).toEqual({ keepalive: 1_030_000 });
  });

  it('a new worker re-arms from the persisted deadlines and fires overdue ones', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const alarms = shared.alarms;
    const { scheduler: first } = schedulerOver(shared);
    await first.set('overdue', 1_001_000);
    await first.set('later', 1_500_000);
    alarms.armed.clear(); // the browser restarted and lost its alarms

    vi.setSystemTime(1_002_000);
    const { scheduler: second, fired } = schedulerOver(shared);
    await second.rearm();
    expect(fired).toEqual(['overdue']);
    expect(alarms.armed.get('timer:later')).toBe(1_500_000);
  });

  it('replacing or clearing a deadline makes the older alarm harmless', async () => {
    const alarms = fakeAlarms();
    const { scheduler, fired } = schedulerOver({ store: memoryStore(), alarms });
    await scheduler.set('retry', 1_001_000);
    await scheduler.set('retry', 1_900_000);
    vi.setSystemTime(1_001_000);
    await scheduler.handleAlarm('timer:retry');
    expect(fired).toEqual([]);
    expect(alarms.armed.get('timer:retry')).toBe(1_900_000);

    await scheduler.clear('retry');
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(fired).toEqual([]);
    await scheduler.handleAlarm('someone-else');
    expect(fired).toEqual([]);
  });

  it('a handler may set its own timer again (keepalive loop)', async () => {
    const store = memoryStore();
    const alarms = fakeAlarms();
    let count = 0;
    const scheduler = createAlarmScheduler({
      alarms,
      store,
      clock,
      minAlarmDelayMs: 0,
      onDue: async (name) => {
        count += 1;
        await scheduler.set(name, Date.now() + 1_000);
      },
    });
    await scheduler.set('tick', Date.now() + 1_000);
    await vi.advanceTimersByTimeAsync(3_500);
    expect(count).toBe(3);
    expect(alarms.armed.get('timer:tick')).toBe(Date.now() + 500);
  });

  it('on start, re-arms an alarm left later than its deadline by a worker killed mid-set', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const { scheduler: first } = schedulerOver(shared, 30_000);
    await first.set('failback', 1_000_000 + 20 * 60_000);
    // The engine moved the deadline earlier; the worker died before the alarm was replaced.
    await shared.store.set('scheduler:deadlines', { failback: 1_000_000 + 5 * 60_000 });

    const { scheduler: second } = schedulerOver(shared, 30_000);
    await second.rearm();
    expect(shared.alarms.armed.get('timer:failback')).toBe(1_000_000 + 5 * 60_000);
  });

  it('arms the other timers before running an overdue one, however long it takes', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const { scheduler: first } = schedulerOver(shared);
    await first.set('keepalive', 1_001_000);
    await first.set('refresh', 1_008_000);
    vi.clearAllTimers(); // the first worker is gone, and its in-memory timers with it
    vi.setSystemTime(1_003_000);

    const fired: string[] = [];
    const second = createAlarmScheduler({
      ...shared,
      clock,
      minAlarmDelayMs: 30_000,
      onDue: async (name) => {
        fired.push(name);
        if (name === 'keepalive') await new Promise(() => {}); // a request that never ends
      },
    });
    void second.rearm();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fired).toEqual(['keepalive', 'refresh']);
  });

  it('a failing handler is reported and does not stop the other timers', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const { scheduler: first } = schedulerOver(shared);
    await first.set('retry', 1_001_000);
    await first.set('keepalive', 1_002_000);
    await first.set('refresh', 1_500_000);
    vi.clearAllTimers(); // the browser restarted: no in-memory timers, no alarms
    shared.alarms.armed.clear();
    vi.setSystemTime(1_003_000);

    const fired: string[] = [];
    const errors: string[] = [];
    const second = createAlarmScheduler({
      ...shared,
      clock,
      minAlarmDelayMs: 0,
      onDue: async (name) => {
        fired.push(name);
        if (name === 'retry') throw new Error('boom');
      },
      onError: (name, error) => errors.push(`${name}: ${(error as Error).message}`),
    });
    await second.rearm();
    expect(fired).toEqual(['retry', 'keepalive']);
    expect(errors).toEqual(['retry: boom']);
    expect(shared.alarms.armed.get('timer:refresh')).toBe(1_500_000);

    // Through the in-memory timer too: no unhandled rejection (vitest would fail the run).
    await second.set('soon', Date.now() + 1_000);
    await second.set('retry', Date.now() + 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fired).toEqual(['retry', 'keepalive', 'soon', 'retry']);
    expect(errors).toEqual(['retry: boom', 'retry: boom']);
  });

  it('a worker woken by an older alarm also arms the in-memory timer for the newer deadline', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const { scheduler: first } = schedulerOver(shared, 30_000);
    await first.set('retry', 1_002_000);
    await first.set('retry', 1_012_000);
    vi.clearAllTimers(); // Chrome stopped the first worker

    vi.setSystemTime(1_002_000);
    const { scheduler: woken, fired } = schedulerOver(shared, 30_000);
    await woken.handleAlarm('timer:retry');
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fired).toEqual(['retry']);
  });

  it('keeps the deadline and an alarm armed while the handler runs: a worker killed inside it fires it again', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const started: string[] = [];
    const dying = createAlarmScheduler({
      ...shared,
      clock,
      minAlarmDelayMs: 0,
      backstopMs: 20_000,
      // The worker dies inside the handler: it never finishes.
      onDue: async (name) => {
        started.push(name);
        await new Promise(() => {});
      },
    });
    await dying.set('keepalive', 1_001_000);
    await vi.advanceTimersByTimeAsync(1_000);
    // The in-memory timer started the handler; the alarm rings too while it runs.
    shared.alarms.ring('timer:keepalive');
    await dying.handleAlarm('timer:keepalive');
    expect(started).toEqual(['keepalive']);
    expect(await dying.list()).toEqual({ keepalive: 1_001_000 });
    expect(shared.alarms.armed.get('timer:keepalive')).toBe(1_021_000);
    vi.clearAllTimers(); // Chrome stopped the worker

    // The backstop alarm wakes a new worker, which runs the handler again.
    vi.setSystemTime(1_021_000);
    const { scheduler: woken, fired } = schedulerOver(shared);
    await woken.handleAlarm('timer:keepalive');
    expect(fired).toEqual(['keepalive']);
    expect(await woken.list()).toEqual({});
    expect(shared.alarms.armed.has('timer:keepalive')).toBe(false);
  });

  it('a handler that never finishes is run again by the backstop in the same worker, not in parallel before', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    let runs = 0;
    const scheduler = createAlarmScheduler({
      ...shared,
      clock,
      minAlarmDelayMs: 0,
      backstopMs: 20_000,
      onDue: async () => {
        runs += 1;
        if (runs === 1) await new Promise(() => {});
      },
    });
    await scheduler.set('retry', 1_001_000);
    await vi.advanceTimersByTimeAsync(1_000);
    // The alarm and the in-memory timer both arriving while it runs: no second run yet, and
    // the alarm stays armed a period later.
    shared.alarms.ring('timer:retry');
    await scheduler.handleAlarm('timer:retry');
    expect(runs).toBe(1);
    expect(shared.alarms.armed.get('timer:retry')).toBe(Date.now() + 20_000);
    await vi.advanceTimersByTimeAsync(20_000);
    shared.alarms.ring('timer:retry');
    await scheduler.handleAlarm('timer:retry');
    expect(runs).toBe(2);
    expect(await scheduler.list()).toEqual({});
  });

  it('a worker stopped as its alarm rings, before it could run anything, is woken again', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const { scheduler: first } = schedulerOver(shared);
    await first.set('keepalive', 1_001_000);
    vi.clearAllTimers(); // Chrome stops the worker just as the alarm rings: nothing runs
    vi.setSystemTime(1_001_000);
    shared.alarms.ring('timer:keepalive');
    expect(shared.alarms.armed.get('timer:keepalive')).toBe(1_002_000);

    vi.setSystemTime(1_002_000);
    shared.alarms.ring('timer:keepalive');
    const { scheduler: woken, fired } = schedulerOver(shared);
    await woken.handleAlarm('timer:keepalive');
    expect(fired).toEqual(['keepalive']);
    expect(shared.alarms.armed.has('timer:keepalive')).toBe(false);
  });

  it('clears a repeating alarm whose timer is gone', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    const { scheduler, fired } = schedulerOver(shared);
    await shared.alarms.create('timer:stale', { when: 1_000_000, periodInMinutes: 1 / 60 });
    await scheduler.handleAlarm('timer:stale');
    expect(fired).toEqual([]);
    expect(shared.alarms.armed.has('timer:stale')).toBe(false);
  });

  it('a write of the deadlines that never ends holds the timers only until the store deadline (the simulation, seed 262)', async () => {
    const shared = { store: memoryStore(), alarms: fakeAlarms() };
    let hangNext = false;
    const disk = {
      ...shared.store,
      set: (key: string, value: unknown) => {
        if (!hangNext) return shared.store.set(key, value);
        hangNext = false;
        return new Promise<void>(() => {});
      },
    };
    const fired: string[] = [];
    const scheduler = createAlarmScheduler({
      store: deadlineStore(disk), // as the background composes it
      alarms: shared.alarms,
      clock,
      minAlarmDelayMs: 0,
      onDue: async (name) => void fired.push(name),
    });
    hangNext = true;
    void scheduler.set('reconcile', 1_010_000).catch(() => {});
    void scheduler.set('keepalive', 1_020_000).catch(() => {});
    await vi.advanceTimersByTimeAsync(30_000);
    await scheduler.handleAlarm('timer:keepalive');
    expect(fired).toContain('keepalive');
  });
});
