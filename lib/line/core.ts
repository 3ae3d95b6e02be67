/**
 * What the engine's step modules (steps, keepalive, failback, network, rounds) may use of the
 * engine: persistence with its timers, events, authorised Mobius calls, and step control.
 */
import type { LineErrorPayload, LineEventName } from '../messaging/protocol';
import type { Outcome } from '../webex/http';
import type { MobiusAuth, RegistrationResponse } from '../webex/mobius';
import type { EngineDeps, RegistrationContext } from './ports';
import type { EngineRecord, Intent, ServerRef, Step } from './record';

export const LINE_TIMERS = {
  keepalive: 'line:keepalive',
  retry: 'line:retry',
  failback: 'line:failback',
} as const;

/** A timer fired within this much of its deadline counts as due (alarms are not exact). */
export const DUE_SLACK_MS = 1000;

export interface EngineCore {
  readonly deps: EngineDeps;
  /** Persist the record, then make the timers match it. */
  commit(record: EngineRecord): Promise<void>;
  intent(): Promise<Intent>;
  /** Push the running step's watchdog deadline forward (in memory; commit to persist). */
  watchdog(record: EngineRecord): void;
  /** Push and persist the running task's watchdog before a slow operation. */
  keepWatch(): Promise<void>;
  mobius<T>(
    clientDeviceUri: string,
    call: (auth: MobiusAuth) => Promise<Outcome<T>>,
  ): Promise<Outcome<T>>;
  /** A registration succeeded: persist the device, arm keepalive/failback, emit `registered`. */
  registered(
    record: EngineRecord,
    context: RegistrationContext,
    server: ServerRef,
    response: RegistrationResponse,
  ): Promise<void>;
  /** A final error: persist `inactive` with the error, stop timers, emit `error`. */
  fail(record: EngineRecord, error: LineErrorPayload): Promise<void>;
  emit(event: LineEventName, error?: LineErrorPayload): Promise<void>;
  /** Make `step` the next one, to run after `delayMs` on the `line:retry` timer. */
  schedule(record: EngineRecord, step: Step, delayMs: number): Promise<void>;
  /** Switch to `step` and run it now. */
  goTo(record: EngineRecord, step: Step): Promise<void>;
  /** Run the record's current step (under a watchdog). */
  runStep(record: EngineRecord): Promise<void>;
}
