/** The transition table's inputs (events) and outputs (effects), as data. */
import type { LineErrorPayload, LineEventName } from '../webex/line-contract';
import type { DeviceRef, LineTimer } from './record';
import type { RequestResult, RequestSpec } from './requests';

export type StartupReason = 'browserStartup' | 'install' | 'update';

export type EngineEvent =
  /** The user (popup, shortcut, page, start-up preference) wants the line registered. */
  | {
      kind: 'register';
      /** Why it cannot start (not signed in, not configured), checked by the interpreter. */
      blocked: LineErrorPayload | null;
      /** May a device-limit answer delete another of the user's devices (SDK restore)? */
      evict: boolean;
    }
  | { kind: 'deregister' }
  | { kind: 'timer'; timer: LineTimer }
  | { kind: 'outcome'; id: string; result: RequestResult; serverUrl?: string }
  | { kind: 'network'; online: boolean }
  /**
   * This worker's first event (a previous one may have died mid-request), or a sign that time
   * jumped (the machine slept): confirm the registration now.
   */
  | { kind: 'wake'; reason: 'worker' | 'resumed' }
  /** Browser start-up / install / update: drop the previous session's device, maybe register. */
  | { kind: 'startup'; reason: StartupReason; keepRegistered: boolean; signedIn: boolean }
  /** A sign-in succeeded: clear a token error; register again if the user wants the line. */
  | { kind: 'signedIn'; keepRegistered: boolean; blocked: LineErrorPayload | null }
  /** Sign-out: delete the devices, then end the session. */
  | { kind: 'signOut' }
  /** The token could not be renewed: the line cannot stay registered. */
  | { kind: 'tokenLost'; error: LineErrorPayload }
  /** The user removes one of their devices (a stale one of this extension, another browser). */
  | { kind: 'removeDevice'; device: DeviceRef }
  /**
   * Re-derive what must exist from the record and repair it (every wake, and `line:reconcile`).
   * `blocked` as for register: a line that must be registered again may not be able to.
   */
  | { kind: 'reconcile'; blocked: LineErrorPayload | null }
  /**
   * The last call ended (SDK `callingClient:all_calls_cleared`): a re-registration deferred for
   * it runs now (`ctx.callsActive` has the final word, in case a call came in meanwhile).
   */
  | { kind: 'callsCleared' };

export type Effect =
  | { kind: 'emit'; event: LineEventName; error?: LineErrorPayload }
  /** Make this request; its outcome comes back as `{kind:'outcome', id}`. */
  | { kind: 'request'; id: string; spec: RequestSpec }
  | { kind: 'log'; topic: string; message: string; data?: Record<string, unknown> };

/** What a transition works with besides the record and the event. */
export interface TransitionContext {
  now: number;
  timing: import('./timing').Timing;
  /** A whole number in [min, max] (jitter; deterministic in tests). */
  int(min: number, max: number): number;
  /**
   * A call is in progress (ringing, answering or connected) in this browser, as the calls view
   * said just before this transition. Failback and re-registration wait for it (reference §11).
   */
  callsActive: boolean;
}

/** Collects a transition's effects in order. */
export class Effects {
  readonly list: Effect[] = [];

  emit(event: LineEventName, error?: LineErrorPayload): void {
    this.list.push(error ? { kind: 'emit', event, error } : { kind: 'emit', event });
  }

  log(topic: string, message: string, data?: Record<string, unknown>): void {
    this.list.push(data ? { kind: 'log', topic, message, data } : { kind: 'log', topic, message });
  }

  request(id: string, spec: RequestSpec): void {
    this.list.push({ kind: 'request', id, spec });
  }
}
