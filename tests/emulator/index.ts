import { adminRoutes } from './admin';
import { callAdminRoutes } from './admin-calls';
import { callerEnds, type RingOptions, ringUser } from './call-flow';
import { type CallView, callView } from './call-store';
import { callRoutes } from './calls';
import { catalogRoutes } from './catalog';
import { initialConfig } from './config';
import {
  type DeviceHistory,
  type DeviceSummary,
  EmulatorControls,
  type Lapse,
  type TokenResponse,
} from './controls';
import { demoRoutes } from './demo-page';
import { Dispatcher } from './dispatcher';
import type { Fault, FaultSpec } from './faults';
import { DEMO_INTEGRATION, type Integration } from './integrations';
import { Listener } from './listeners';
import type { MercuryServer } from './mercury';
import { mobiusRoutes } from './mobius';
import { authorizeRoutes } from './oauth-authorize';
import { tokenRoutes } from './oauth-token';
import { oidcRoutes } from './oidc';
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
import { TEST_USERS, type TestUser, userByEmail } from './users';
import { wdmRoutes } from './wdm';

export type { RingOptions } from './call-flow';
export type { CallView } from './call-store';
export type { DeviceHistory, DeviceLife, DeviceSummary, Lapse, TokenResponse } from './controls';
export { ENDPOINT_NAMES, type EndpointName, type Fault, type FaultSpec } from './faults';
export { s256 } from './ids';
export { DEMO_INTEGRATION, DEMO_SCOPES, type Integration } from './integrations';
export { PortInUseError } from './listeners';
export * from './types';
export * from './users';

/** A running emulator: three listeners plus helpers mirroring the admin API. */
export interface Emulator {
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
  /** The Mercury server (§1): sockets, push, faults. */
  readonly mercury: MercuryServer;
  /** "Call me": rings the user's line from a caller with a real media peer (§4). */
  callMe(options: RingOptions): Promise<CallView>;
  /** The caller hangs up. */
  hangUp(callId: string): CallView;
  calls(email?: string): CallView[];
  /** Resolves when the call's view passes `test` (checked on each media event), or rejects. */
  waitForCall(
    callId: string,
    test: (call: CallView) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<CallView>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const urls = {} as EmulatorUrls;
  const state = new EmulatorState(options.clock, initialConfig(options.config), urls);
  const routes: Route[] = [];
  const dispatcher = new Dispatcher(state, routes, log);
  const ports = options.ports ?? {};
  const listeners: Record<ServerName, Listener> = {
    base: new Listener(
      'base',
      host,
      ports.base ?? 0,
      dispatcher.handle,
      state.mercury.handleUpgrade,
    ),
    primary: new Listener('primary', host, ports.primary ?? 0, dispatcher.handle),
    backup: new Listener('backup', host, ports.backup ?? 0, dispatcher.handle),
  };
  const all = Object.values(listeners);
  const closeAll = async () => {
    dispatcher.dispose();
    await state.mercury.close();
    await state.calls.clear();
    await Promise.all(all.map((l) => l.down()));
  };
  try {
    for (const listener of all) await listener.up();
  } catch (err) {
    await closeAll();
    throw err;
  }
  Object.assign(urls, buildUrls(host, listeners));

  const controls = new EmulatorControls(state, listeners);
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
    ...demoRoutes(state),
    ...adminRoutes(state, controls),
    ...callAdminRoutes(state),
  );
  state.reset();

  const orThrow = <T>(result: T | string): T => {
    if (typeof result === 'string') throw new Error(`emulator: ${result}`);
    return result;
  };
  return {
    urls,
    get config() {
      return state.config;
    },
    users: TEST_USERS,
    demoIntegration: DEMO_INTEGRATION,
    close: closeAll,
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
    mercury: state.mercury,
    callMe: async (opts) => callView(orThrow(await ringUser(state, opts))),
    hangUp: (callId) => {
      const call = orThrow(state.calls.get(callId) ?? `no call ${callId}`);
      callerEnds(state, call, 'hangup');
      return callView(call);
    },
    waitForCall: async (callId, test, what, timeoutMs) => {
      const call = orThrow(state.calls.get(callId) ?? `no call ${callId}`);
      await call.peer.waitFor(() => test(callView(call)), what, timeoutMs);
      return callView(call);
    },
    calls: (email) =>
      state.calls
        .list(
          email === undefined
            ? undefined
            : orThrow(userByEmail(email)?.id ?? `no test user ${email}`),
        )
        .map(callView),
  };
}

function buildUrls(host: string, listeners: Record<ServerName, Listener>): EmulatorUrls {
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = (l: Listener) => `http://${urlHost}:${l.port}`;
  const base = origin(listeners.base);
  const primary = origin(listeners.primary);
  const backup = origin(listeners.backup);
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
