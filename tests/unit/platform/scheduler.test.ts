import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AlarmsApi, createAlarmScheduler } from '../../../lib/platform/scheduler';
import { memoryStore } from './memory-store';

function fakeAlarms(): AlarmsApi & { armed: Map<string, number> } {
  const armed = new Map<string, number>();
  return {
    armed,
    create: (name, info) => {
      armed.set(name, info.when);
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
});
