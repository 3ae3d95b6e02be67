/**
 * What the engine is working on, persisted in the record as data: which flow, which phase, and
 * the bookkeeping the next step needs. A flow always has either a request in flight
 * (`record.pending`) or a timer it waits for (`record.retryAt`); the transition table moves it
 * on when that outcome or timer arrives.
 */
import type { DeviceRef, ServerRef } from './record';

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

/** Where a registration attempt starts, with the failover timer's bookkeeping (§10). */
export type Plan =
  /** Full registration: primaries, then the failover timer (SDK restartRegistration). */
  | { kind: 'register' }
  /** The failover timer's retry of all primaries. */
  | { kind: 'primaries'; attempt: number; elapsedSec: number; scheduledAt: number }
  /** Failover to the backups; `last` = the final try before `service_unavailable`. */
  | { kind: 'backups'; last: boolean }
  /** Keepalive lost or network back: the last server first, then a full restart (§11). */
  | { kind: 'restore'; reason: 'keepalive' | 'network' }
  /** Rehoming: the primaries, else back to the backup (§11). */
  | { kind: 'failback'; backupUrl: string };

/** Which list of servers a round tries, and so what its result leads to. */
export type RoundPurpose =
  | 'primaries'
  /** Every primary was unreachable: the backups at once (a design choice, see attempt.ts). */
  | 'networkBackups'
  | 'backups'
  | 'lastServer'
  /** A long Retry-After on the last (primary) server: the backups now (§9.2). */
  | 'restoreBackups'
  | 'failbackPrimaries'
  | 'failbackBackup';

export interface Round {
  purpose: RoundPurpose;
  servers: string[];
  index: number;
  /** Retry-After (seconds) from a 429 in this round, if any. */
  retryAfterSec?: number;
  /** Every server so far failed without any HTTP answer: the network is probably down. */
  networkOnly: boolean;
  /** The failover timer's count, carried over a round on the backups (`networkBackups`). */
  failover?: { attempt: number; elapsedSec: number };
}

export type AttemptPhase =
  /** Discovery: people, catalog, WDM, region, Mobius servers (cached). */
  | 'prepare'
  /** List our devices where a registration answer was lost (`record.unconfirmed`). */
  | 'verify'
  /** Delete the previous device and the leftovers, each once. */
  | 'cleanup'
  /** One registration POST per server of `round`. */
  | 'round'
  /** Device limit (§9.1): delete the listed device, then one POST at its server. */
  | 'restoreDelete'
  | 'restorePost'
  /** 404 with a cached WDM device: forget it, then discover again. */
  | 'forgetDevice'
  /** Retries exhausted: forget the (maybe stale) server list, then the final error. */
  | 'forgetServers'
  /** Waiting for `record.retryAt`, then `plan` starts again from `prepare`. */
  | 'wait';

export interface AttemptFlow {
  kind: 'attempt';
  plan: Plan;
  phase: AttemptPhase;
  /** Whether a device-limit answer may delete another of the user's devices (SDK restore). */
  evict: boolean;
  context: RegistrationContext | null;
  /** The 404 "re-create the WDM device" rule runs once per attempt. */
  wdmRecreated: boolean;
  /** Position in `record.leftovers` during `cleanup` (a leftover that fails is skipped). */
  cursor: number;
  /** Unconfirmed servers already checked in this attempt. */
  verified: string[];
  round: Round | null;
  /** The device-limit restore in progress. */
  restore: { server: ServerRef; device: DeviceRef } | null;
}

/** Failback timer fired on a backup: discover, then ping the primaries one by one. */
export interface FailbackFlow {
  kind: 'failback';
  phase: 'prepare' | 'ping';
  index: number;
  context: RegistrationContext | null;
}

/** Delete the device and the leftovers, then idle (deregister, start-up without registering). */
export interface DeregisterFlow {
  kind: 'deregister';
  cursor: number;
  /** A user deregistration (status IDLE) or a start-up clean-up (status inactive). */
  byUser: boolean;
  /** Emit `unregistered` at the end (a line was there to lose). */
  announce: boolean;
  /** A register arrived meanwhile: register once this is done. */
  thenRegister: boolean;
}

/** Sign-out: delete the devices, then end the session (WDM device, tokens, caches). */
export interface SignOutFlow {
  kind: 'signOut';
  phase: 'cleanup' | 'session';
  cursor: number;
  announce: boolean;
}

/** After registering: delete what earlier attempts could not (the line is already up). */
export interface TidyFlow {
  kind: 'tidy';
  cursor: number;
  /**
   * The user pressed Register while "Your devices" was removing a device (the device-limit
   * journey): register once the removal is done, with this eviction choice.
   */
  thenRegister?: { evict: boolean };
}

export type Flow = AttemptFlow | FailbackFlow | DeregisterFlow | SignOutFlow | TidyFlow;

/** A round over `servers`, from the first. */
export function newRound(purpose: RoundPurpose, servers: string[]): Round {
  return { purpose, servers: [...servers], index: 0, networkOnly: servers.length > 0 };
}

/** A server's role: primary when discovery listed it as one. */
export const roleOf = (flow: AttemptFlow, url: string): 'primary' | 'backup' =>
  flow.context?.primary.includes(url) ? 'primary' : 'backup';

/** A registration attempt at its first phase. */
export function attemptFlow(plan: Plan, evict: boolean, phase: AttemptPhase): AttemptFlow {
  return {
    kind: 'attempt',
    plan,
    phase,
    evict,
    context: null,
    wdmRecreated: false,
    cursor: 0,
    verified: [],
    round: null,
    restore: null,
  };
}

/** Delete the devices, then idle (`byUser`: the status becomes IDLE). */
export function deregisterFlow(byUser: boolean, announce: boolean): DeregisterFlow {
  return { kind: 'deregister', cursor: 0, byUser, announce, thenRegister: false };
}
