/**
 * The call interpreter, like lib/line/interpreter.ts: one event at a time through the table,
 * the timer port made to hold exactly the deadlines the records imply, then the effects:
 * notices to the host, media commands and requests whose outcomes come back as events. Every
 * request and media command runs against a deadline, so an answer that never comes is an event
 * too. Records live in memory: the document that owns the calls also owns their media.
 */
import type { Clock, Random } from '../ports';
import type { Timers } from './mercury-client';
import type { SendCallRequest } from './requests';
import { route } from './router';
import { CALL_TIMING, type CallTiming, deadlinesOf } from './timing';
import { transition } from './transition';
import type { CallEvent, CallNotice, Calls, Effect, MediaCommand, TimerName } from './types';

export interface CallDeps {
  clock: Clock;
  random: Random;
  timers: Timers;
  timing?: CallTiming;
  micUsable(): boolean;
  isOurDevice(deviceId: string): boolean;
  send: SendCallRequest;
  /** Perform a media command; resolves with the event it produces (null for none). */
  media(key: string, command: MediaCommand): Promise<CallEvent | null>;
  notify(notice: CallNotice): void;
  /** Diagnostics: every transition's name, and events that were dropped. */
  log?(line: string): void;
  /** A transition changed the calls (the host republishes its view). */
  changed?(): void;
}

/**
 * What a media command that does not answer in time becomes: the microphone failed, media
 * failed (the table decides whether that ends the call), or nothing (tones, closing).
 */
export function lateMediaEvent(key: string, command: MediaCommand): CallEvent | null {
  switch (command.kind) {
    case 'acquireMic':
      return { kind: 'micFailed', key, message: 'The microphone did not start in time.' };
    case 'answerOffer':
    case 'createOffer':
    case 'applyAnswer':
      return { kind: 'mediaFailed', key, message: `Media ${command.kind} did not finish in time.` };
    case 'insertDTMF':
      return { kind: 'digitsFailed', key, message: 'The keypad tones were not sent in time.' };
    case 'established':
    case 'close':
      return null;
  }
}

/** Longer than the 10 s request timeout of lib/webex/calls.ts: this only catches a hung port. */
export const REQUEST_DEADLINE_MS = 12_000;
/** getUserMedia and ICE gathering (≤3 s) both finish well inside the 10 s connect window. */
export const MEDIA_DEADLINE_MS = 8_000;

export class CallInterpreter {
  private state: Calls = { calls: {} };
  private queue: Promise<void> = Promise.resolve();
  private readonly armed = new Map<string, { at: number; handle: unknown }>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly deps: CallDeps) {}

  get calls(): Calls {
    return this.state;
  }

  /** A Mercury event (already parsed by lib/webex/mercury.ts). */
  mercury(eventType: string, data: Record<string, unknown>): Promise<void> {
    return this.enqueue(() => {
      const routed = route(this.state, eventType, data, this.deps.isOurDevice);
      if (routed.event) this.apply(routed.event);
      else this.deps.log?.(`dropped ${eventType}: ${routed.why}`);
    });
  }

  dispatch(event: CallEvent): Promise<void> {
    return this.enqueue(() => this.apply(event));
  }

  /** Resolves once no event is queued and no request or media command is in flight. */
  async idle(): Promise<void> {
    for (;;) {
      await this.queue;
      if (this.pending.size === 0) return;
      await Promise.all([...this.pending]);
    }
  }

  private enqueue(work: () => void): Promise<void> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private apply(event: CallEvent): void {
    const ctx = {
      now: this.deps.clock.now(),
      micUsable: this.deps.micUsable(),
      newId: () => this.deps.random.uuid(),
    };
    const result = transition(this.state, event, ctx, this.deps.timing ?? CALL_TIMING);
    const changed = result.calls !== this.state;
    this.state = result.calls;
    this.deps.log?.(`${event.kind} -> ${result.name}`);
    this.syncTimers();
    for (const effect of result.effects) this.perform(effect);
    if (changed) this.deps.changed?.();
  }

  private perform(effect: Effect): void {
    switch (effect.kind) {
      case 'notify':
        this.deps.notify(effect.notice);
        return;
      case 'request': {
        const { key, spec } = effect;
        this.track(
          this.deadline(this.deps.send(spec), REQUEST_DEADLINE_MS, {
            ok: false as const,
            message: `Mobius did not answer the ${spec.tag} request in time.`,
          }).then((outcome) => this.dispatch({ kind: 'requestDone', key, tag: spec.tag, outcome })),
        );
        return;
      }
      case 'media': {
        const { key, command } = effect;
        const fallback = lateMediaEvent(key, command);
        this.track(
          this.deadline(this.deps.media(key, command), MEDIA_DEADLINE_MS, fallback).then((event) =>
            event ? this.dispatch(event) : undefined,
          ),
        );
        return;
      }
    }
  }

  /** Arm exactly the deadlines the records imply; each fires a timer event for its call. */
  private syncTimers(): void {
    const wanted = new Map<string, { key: string; name: TimerName; at: number }>();
    for (const record of Object.values(this.state.calls)) {
      const deadlines = deadlinesOf(record, this.deps.timing ?? CALL_TIMING);
      for (const [name, at] of Object.entries(deadlines) as [TimerName, number][]) {
        wanted.set(`${record.key}:${name}`, { key: record.key, name, at });
      }
    }
    for (const [id, armed] of this.armed) {
      if (wanted.get(id)?.at !== armed.at) {
        this.deps.timers.clear(armed.handle);
        this.armed.delete(id);
      }
    }
    for (const [id, want] of wanted) {
      if (this.armed.has(id)) continue;
      const delay = Math.max(0, want.at - this.deps.clock.now());
      const handle = this.deps.timers.set(delay, () => {
        this.armed.delete(id);
        void this.dispatch({ kind: 'timer', key: want.key, name: want.name });
      });
      this.armed.set(id, { at: want.at, handle });
    }
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((error) => this.deps.log?.(`effect failed: ${String(error)}`));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private deadline<T, F>(work: Promise<T>, ms: number, fallback: F): Promise<T | F> {
    return new Promise((resolve) => {
      const handle = this.deps.timers.set(ms, () => resolve(fallback));
      work.then(
        (value) => {
          this.deps.timers.clear(handle);
          resolve(value);
        },
        () => {
          this.deps.timers.clear(handle);
          resolve(fallback);
        },
      );
    });
  }
}
