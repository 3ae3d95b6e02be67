import type { Clock, Scheduler, Store, TimerHandler } from '../ports';
import { serialQueue } from '../serial-queue';

/** The part of chrome.alarms the scheduler uses (injectable for tests). */
export interface AlarmsApi {
  create(name: string, info: { when: number; periodInMinutes?: number }): Promise<void> | void;
  clear(name: string): Promise<boolean>;
  getAll(): Promise<{ name: string; scheduledTime: number }[]>;
}

export interface AlarmSchedulerOptions {
  alarms: AlarmsApi;
  store: Store;
  clock: Clock;
  /**
   * Packed extensions may not set alarms sooner than 30 s ahead; unpacked ones may. Alarms are
   * clamped to this; shorter deadlines are met by an in-memory timer while the worker is alive,
   * with the alarm as the backstop that wakes a stopped worker.
   */
  minAlarmDelayMs: number;
  onDue: TimerHandler;
  /**
   * A handler failed. Its timer is spent either way; the failure must not stop the other timers
   * (nor surface as an unhandled rejection from a setTimeout or alarm callback).
   */
  onError?: (name: string, error: unknown) => void;
  /** Alarms this scheduler does not own (other features) are left alone. */
  prefix?: string;
  /**
   * Every alarm repeats at this period (1 s by default, or Chrome's minimum) until its handler
   * has finished, so a worker killed anywhere after the alarm fired (before its first await,
   * inside the handler) is woken again to run it; a handler still running after this long is
   * run again.
   */
  backstopMs?: number;
}

const DEADLINES_KEY = 'scheduler:deadlines';
/** An alarm this much later than wanted is re-armed (Chrome's own jitter is far smaller). */
const ALARM_SLACK_MS = 1_000;

export interface AlarmScheduler extends Scheduler {
  /** Call from chrome.alarms.onAlarm. */
  handleAlarm(alarmName: string): Promise<void>;
  /** Call once per worker start: fires overdue deadlines and re-arms missing alarms. */
  rearm(): Promise<void>;
}

/**
 * One owner for every timer: a persisted deadline plus an alarm (plus a setTimeout while the
 * worker is alive). Deadlines are written before the alarm is created, so a worker killed in
 * between still finds the deadline on its next start and re-arms it.
 */
export function createAlarmScheduler(options: AlarmSchedulerOptions): AlarmScheduler {
  const { alarms, store, clock, minAlarmDelayMs, onDue } = options;
  const prefix = options.prefix ?? 'timer:';
  // Short: a worker killed inside a handler must be woken before the server drops the device
  // (alarms are clamped to Chrome's minimum anyway).
  const backstopMs = options.backstopMs ?? 1_000;
  const timeouts = new Map<string, ReturnType<typeof setTimeout>>();
  const inOrder = serialQueue();

  /** Deadline-map updates are serialised so concurrent set/clear never lose a write. */
  function withDeadlines<T>(update: (deadlines: Record<string, number>) => T): Promise<T> {
    return inOrder(async () => {
      // The store gives every call a deadline (deadline-store.ts): a hung write of this list
      // fails, the caller sees it, and the repeating alarm tries again.
      const deadlines = (await store.get<Record<string, number>>(DEADLINES_KEY)) ?? {};
      const result = update(deadlines);
      await store.set(DEADLINES_KEY, deadlines);
      return result;
    });
  }

  function armTimeout(name: string, at: number): void {
    clearTimeout(timeouts.get(name));
    const delay = Math.max(0, at - clock.now());
    // Only worth it while the worker is likely alive; the alarm covers the rest.
    if (delay <= 60_000)
      timeouts.set(
        name,
        setTimeout(() => {
          // A store failure here must not become an unhandled rejection; the alarm retries.
          // A timeout measures elapsed time, which a clock set back does not change: it fires
          // the timer even when the wall clock says it is not due yet.
          fire(name, 'elapsed').catch((error: unknown) => options.onError?.(name, error));
        }, delay),
      );
  }

  // Repeating, not one-shot: Chrome deletes a one-shot alarm as it fires, so a worker stopped
  // before its handler could arm another would be left with nothing to wake it. A repeating
  // alarm is rescheduled by Chrome itself; it is cleared or replaced once the handler is done.
  const periodInMinutes = Math.max(backstopMs, minAlarmDelayMs) / 60_000;

  async function armAlarm(name: string, at: number): Promise<void> {
    await alarms.create(prefix + name, {
      when: Math.max(at, clock.now() + minAlarmDelayMs),
      periodInMinutes,
    });
  }

  /** Timers whose handler is running now, and since when (a handler may never finish). */
  const running = new Map<string, number>();

  /**
   * Fire a due timer, whichever of its timeout or alarm comes first. The deadline stays stored
   * and its repeating alarm stays armed until the handler has finished: a worker that dies
   * inside the handler is woken again by that alarm and fires the timer once more. Only when
   * the handler left the deadline unchanged (it did not re-arm or clear it) is it removed.
   */
  async function fire(name: string, due: 'wall' | 'elapsed' = 'wall'): Promise<void> {
    const startedAt = running.get(name);
    // Still running: the alarm repeats, so a handler that never finishes is run again later.
    if (startedAt !== undefined && Math.abs(clock.now() - startedAt) < backstopMs) return;
    const at = await withDeadlines((deadlines) => deadlines[name]);
    if (at === undefined || (due === 'wall' && at > clock.now() + 50)) return;
    running.set(name, clock.now());
    clearTimeout(timeouts.get(name));
    timeouts.delete(name);
    let failed = false;
    try {
      await onDue(name);
    } catch (error) {
      failed = true;
      options.onError?.(name, error);
    } finally {
      running.delete(name);
    }
    // A failed handler's timer is not spent: its repeating alarm runs it again.
    if (failed) return;
    const spent = await withDeadlines((deadlines) => {
      if (deadlines[name] !== at || at > clock.now() + 50) return false;
      delete deadlines[name];
      return true;
    });
    if (spent) await alarms.clear(prefix + name);
    else if (at > clock.now() + 50) {
      // Fired by elapsed time while the wall clock says later (it was set back): the handler
      // saw that and moved the deadline, or it did not; either way keep this one armed.
      const current = await withDeadlines((deadlines) => deadlines[name]);
      if (current === at) {
        armTimeout(name, at);
        await armAlarm(name, at);
      }
    }
  }

  return {
    async set(name, at) {
      await withDeadlines((deadlines) => {
        deadlines[name] = at;
      });
      armTimeout(name, at);
      await armAlarm(name, at);
    },
    async clear(name) {
      await withDeadlines((deadlines) => {
        delete deadlines[name];
      });
      clearTimeout(timeouts.get(name));
      timeouts.delete(name);
      await alarms.clear(prefix + name);
    },
    async list() {
      return withDeadlines((deadlines) => ({ ...deadlines }));
    },
    async handleAlarm(alarmName) {
      if (!alarmName.startsWith(prefix)) return;
      const name = alarmName.slice(prefix.length);
      const deadlines = await withDeadlines((d) => ({ ...d }));
      const at = deadlines[name];
      // A repeating alarm whose timer is gone (cleared while this worker was stopped).
      if (at === undefined) {
        await alarms.clear(alarmName);
        return;
      }
      if (at > clock.now() + 50) {
        // An alarm from an older deadline: keep the newer one armed. This worker may have just
        // been woken by it, so the in-memory timer is needed too (the alarm may be clamped later).
        armTimeout(name, at);
        await armAlarm(name, at);
        return;
      }
      await fire(name);
    },
    async rearm() {
      const deadlines = await withDeadlines((d) => ({ ...d }));
      const scheduled = new Map(
        (await alarms.getAll()).map((alarm) => [alarm.name, alarm.scheduledTime]),
      );
      const now = clock.now();
      const overdue: string[] = [];
      // Arm every future timer first: an overdue handler (a keepalive request) may take a while.
      for (const [name, at] of Object.entries(deadlines).sort((a, b) => a[1] - b[1])) {
        if (at <= now) {
          overdue.push(name);
          continue;
        }
        armTimeout(name, at);
        // Missing, or later than this deadline: the worker was killed between writing a new,
        // earlier deadline and replacing the old alarm.
        const alarmAt = scheduled.get(prefix + name);
        const wanted = Math.max(at, now + minAlarmDelayMs);
        if (alarmAt === undefined || alarmAt > wanted + ALARM_SLACK_MS) await armAlarm(name, at);
      }
      for (const name of overdue) await fire(name);
    },
  };
}
