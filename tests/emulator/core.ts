/**
 * What the HTTP emulator (index.ts) and the in-process one (in-process.ts) share: the state, the
 * dispatcher and its routes, the controls, and the helpers mirroring the admin API. Only the
 * transport differs: listeners on sockets, or a `fetch` that calls the dispatcher directly.
 */
import { adminRoutes } from './admin';
import { callAdminRoutes } from './admin-calls';
import { callRoutes } from './calls';
import { catalogRoutes } from './catalog';
import { initialConfig } from './config';
import {
  type DeviceHistory,
  type DeviceSummary,
  EmulatorControls,
  type Lapse,
  type ServerSwitch,
  type TokenResponse,
} from './controls';
import { demoRoutes } from './demo-page';
import { Dispatcher } from './dispatcher';
import type { Fault, FaultSpec } from './faults';
import { DEMO_INTEGRATION, type Integration } from './integrations';
import { mobiusRoutes } from './mobius';
import { authorizeRoutes } from './oauth-authorize';
import { tokenRoutes } from './oauth-token';
import { oidcRoutes } from './oidc';
import { outgoingCallRoutes } from './outgoing-calls';
import { peopleRoutes } from './people';
import { regionRoutes } from './region';
import type { Route } from './router';
import { EmulatorState } from './state';
import type {
  Deviation,
  EmulatorConfig,
  EmulatorOptions,
  EmulatorUrls,
  LogEntry,
  ServerName,
} from './types';
import { TEST_USERS, type TestUser } from './users';
import { wdmRoutes } from './wdm';

/** The emulator's state and controls, whatever carries its requests. */
export interface EmulatorCore {
  urls: EmulatorUrls;
  /** The live config (mutations take effect; prefer setConfig, which validates). */
  readonly config: EmulatorConfig;
  readonly users: readonly TestUser[];
  readonly demoIntegration: Readonly<Integration>;
  close(): Promise<void>;
  reset(): Promise<void>;
  setConfig(patch: Partial<EmulatorConfig>): EmulatorConfig;
  devices(email?: string): DeviceSummary[];
  /** Every device's life since the last reset, and the most one user had alive at once. */
  deviceHistory(email?: string): DeviceHistory;
  /** Devices that expired because their keepalives stopped. */
  lapses(email?: string): Lapse[];
  requestLog(): LogEntry[];
  deviations(): Deviation[];
  clearLog(): void;
  injectFault(spec: FaultSpec): Fault;
  /** Faults not yet used up (a fault a request took is gone from here). */
  pendingFaults(): Fault[];
  clearFaults(): void;
  /** Takes a listener down; `base` too (in process only: the admin API lives on it). */
  serverDown(name: ServerName): Promise<void>;
  serverUp(name: ServerName): Promise<void>;
  revokeTokens(filter?: { email?: string; accessToken?: string }): number;
  expireTokens(filter?: { email?: string; refreshTokens?: boolean }): number;
  issueTokens(email: string, options?: { clientId?: string; scopes?: string[] }): TokenResponse;
  addIntegration(integration: Integration): void;
  /** Moves the emulator's clock forward (on top of the injected clock). */
  advanceClock(ms: number): void;
  now(): number;
}

/** State, dispatcher and its (not yet filled) routes, before any transport exists. */
export interface Parts {
  state: EmulatorState;
  dispatcher: Dispatcher;
  routes: Route[];
}

export function createParts(
  options: Pick<EmulatorOptions, 'clock' | 'config' | 'log'>,
  urls: EmulatorUrls,
): Parts {
  const state = new EmulatorState(options.clock, initialConfig(options.config), urls);
  const routes: Route[] = [];
  const dispatcher = new Dispatcher(state, routes, options.log ?? (() => {}));
  return { state, dispatcher, routes };
}

/** Ends everything a transport left pending, then takes its servers down. */
export async function closeParts(
  { state, dispatcher }: Parts,
  servers: Record<ServerName, ServerSwitch>,
): Promise<void> {
  dispatcher.dispose();
  await state.mercury.close();
  await state.calls.clear();
  await Promise.all(Object.values(servers).map((server) => server.down()));
}

/**
 * Fills the routes (the servers exist now: the admin API switches them), resets the state, and
 * returns the controls and the helpers.
 */
export function wireParts(
  { state, routes }: Parts,
  servers: Record<ServerName, ServerSwitch>,
  close: () => Promise<void>,
): { controls: EmulatorControls; core: EmulatorCore; orThrow: <T>(result: T | string) => T } {
  const controls = new EmulatorControls(state, servers);
  routes.push(
    ...authorizeRoutes(state),
    ...tokenRoutes(state),
    ...oidcRoutes(state),
    ...peopleRoutes(state),
    ...catalogRoutes(state),
    ...regionRoutes(),
    ...wdmRoutes(state),
    ...mobiusRoutes(state),
    ...callRoutes(state),
    ...outgoingCallRoutes(state),
    ...demoRoutes(state),
    ...adminRoutes(state, controls),
    ...callAdminRoutes(state),
  );
  state.reset();

  const orThrow = <T>(result: T | string): T => {
    if (typeof result === 'string') throw new Error(`emulator: ${result}`);
    return result;
  };
  const core: EmulatorCore = {
    urls: state.urls,
    get config() {
      return state.config;
    },
    users: TEST_USERS,
    demoIntegration: DEMO_INTEGRATION,
    close,
    reset: () => controls.reset(),
    setConfig: (patch) => orThrow(controls.setConfig(patch)),
    devices: (email) => orThrow(controls.devices(email)),
    deviceHistory: (email) => orThrow(controls.deviceHistory(email)),
    lapses: (email) => orThrow(controls.lapses(email)),
    requestLog: () => state.log.all(),
    deviations: () => state.log.deviations(),
    clearLog: () => state.log.clear(),
    injectFault: (spec) => orThrow(controls.injectFault(spec)),
    pendingFaults: () => state.faults.list(),
    clearFaults: () => {
      state.faults.clear();
    },
    serverDown: (name) => controls.setServer(name, false),
    serverUp: (name) => controls.setServer(name, true),
    revokeTokens: (filter = {}) => orThrow(controls.revokeTokens(filter)),
    expireTokens: (filter = {}) => orThrow(controls.expireTokens(filter)),
    issueTokens: (email, opts) => orThrow(controls.issueTokens(email, opts)),
    addIntegration: (integration) => controls.addIntegration(integration),
    advanceClock: (ms) => state.clock.advance(ms),
    now: () => state.now(),
  };
  return { controls, core, orThrow };
}

/** The URLs of an emulator whose three servers answer at these origins. */
export function emulatorUrls(base: string, primary: string, backup: string): EmulatorUrls {
  return {
    base,
    primary,
    backup,
    wdm: `${base}/wdm/api/v1`,
    mobiusPrimaryApi: `${primary}/api/v1`,
    mobiusBackupApi: `${backup}/api/v1`,
    admin: `${base}/_emulator`,
    demo: `${base}/demo`,
  };
}
