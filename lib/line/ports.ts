/** What the registration engine needs from the rest of the extension. */
import type { TokenSource } from '../auth/authorized';
import type { LineErrorPayload, LineEventName } from '../messaging/protocol';
import type { Clock, Fetch, Random, Scheduler, Store } from '../ports';
import type { WebexFailure } from '../webex/http';
import type { Timing } from './timing';

/** Everything a registration POST needs, from discovery (cached by the provider). */
export interface RegistrationContext {
  userId: string;
  /** WDM device URL: `clientDeviceUri` and `cisco-device-url`. */
  clientDeviceUri: string;
  primary: string[];
  backup: string[];
  /** True when the WDM device came from the cache (a Mobius 404 may mean it is gone). */
  wdmFromCache: boolean;
}

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

export interface EngineDeps {
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
  fetch: Fetch;
  random: Random;
  timing: Timing;
  tokens: TokenSource;
  context: RegistrationContextProvider;
  /** Why registering cannot start (not signed in, not configured), or null. */
  preflight(): Promise<LineErrorPayload | null>;
  /** Deliver a line event (the record is already persisted when this is called). */
  emit(event: LineEventName, error?: LineErrorPayload): Promise<void>;
  /** Called after every task: the persisted state may have changed without an event. */
  changed?(): Promise<void>;
  log(kind: string, message: string, data?: Record<string, unknown>): void;
}
