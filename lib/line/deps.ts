/** What the registration engine needs from the rest of the extension (its ports). */
import type { Clock, Fetch, Random, Scheduler, Store } from '../ports';
import type { Outcome, WebexFailure } from '../webex/http';
import type { LineErrorPayload, LineEventName } from '../webex/line-contract';
import type { RegistrationContext } from './flow';
import type { Timing } from './timing';

export type { RegistrationContext } from './flow';

export type PrepareResult =
  | { ok: true; context: RegistrationContext }
  | { ok: false; error: WebexFailure };

export interface RegistrationContextProvider {
  prepare(): Promise<PrepareResult>;
  /** Forget the WDM device and the server list, so the next prepare() makes them again. */
  forgetDevice(): Promise<void>;
  /** Forget the server list only (after the failover gave up: the list may be stale). */
  forgetServers(): Promise<void>;
}

/**
 * Call a Webex API as the signed-in user: the session checks that `url` is a host the session's
 * environment trusts, passes `Bearer <token>` to `call`, and on a 401 refreshes once and replays.
 * A refusal (untrusted host, no token) comes back as a failure, never as an exception.
 */
export type Authorize = <T>(
  url: string,
  call: (authorization: string) => Promise<Outcome<T>>,
) => Promise<Outcome<T>>;

export interface EngineDeps {
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
  fetch: Fetch;
  random: Random;
  timing: Timing;
  authorize: Authorize;
  context: RegistrationContextProvider;
  /** Sign-out's last step, after the devices are gone: WDM device, tokens and caches. */
  endSession(): Promise<void>;
  /** Why registering cannot start (not signed in, not configured), or null. */
  preflight(): Promise<LineErrorPayload | null>;
  /** Deliver a line event (the record is already persisted when this is called). */
  emit(event: LineEventName, error?: LineErrorPayload): Promise<void>;
  /**
   * Whether a call is in progress in this browser (failback and re-registration wait for it).
   * Read before every transition, under `callsReadDeadlineMs`; absent: never.
   */
  callsActive?(): Promise<boolean>;
  /** Called after every event the engine handled: the persisted state may have changed. */
  changed?(): Promise<void>;
  log(kind: string, message: string, data?: Record<string, unknown>): void;
}
