import { callerEnds, type RingOptions, ringUser } from './call-flow';
import { type CallView, callView } from './call-store';
import { type CalleeBehaviour, calleeKey, parseCallee } from './callees';
import { closeParts, createParts, type EmulatorCore, emulatorUrls, wireParts } from './core';
import { Listener } from './listeners';
import type { MercuryServer } from './mercury';
import type { EmulatorOptions, EmulatorUrls, ServerName } from './types';
import { userByEmail } from './users';

export type { RingOptions } from './call-flow';
export type { CallView, Transfer } from './call-store';
export type { CalleeBehaviour } from './callees';
export { DEFAULT_CALLEE } from './callees';
export type { DeviceHistory, DeviceLife, DeviceSummary, Lapse, TokenResponse } from './controls';
export type { EmulatorCore } from './core';
export { ENDPOINT_NAMES, type EndpointName, type Fault, type FaultSpec } from './faults';
export { s256 } from './ids';
export { DEMO_INTEGRATION, DEMO_SCOPES, type Integration } from './integrations';
export { PortInUseError } from './listeners';
export * from './types';
export * from './users';

/** A running emulator: three listeners plus helpers mirroring the admin API. */
export interface Emulator extends EmulatorCore {
  /** The Mercury server (§1): sockets, push, faults. */
  readonly mercury: MercuryServer;
  /** "Call me": rings the user's line from a caller with a real media peer (§4). */
  callMe(options: RingOptions): Promise<CallView>;
  /**
   * The remote party hangs up: the caller of an incoming call, the callee of an outgoing one
   * (mobius.calldisconnected; the client must then DELETE the call).
   */
  hangUp(callId: string): CallView;
  /**
   * How the party at `number` answers the calls the user places (§5); the number is matched
   * as the SDK sends it (spaces and dashes stripped). Validated like the admin API (throws).
   */
  setCallee(number: string, behaviour: CalleeBehaviour): void;
  /** The behaviour for every number without its own (default: answers after 500 ms). */
  setDefaultCallee(behaviour: CalleeBehaviour): void;
  /**
   * The oldest call placed to `number` not handed out by an earlier waitForOutgoing, once the
   * client has placed it (a failed setup too): each call is handed out once.
   */
  waitForOutgoing(number: string, timeoutMs?: number): Promise<CallView>;
  calls(email?: string): CallView[];
  /**
   * Resolves when the call's view passes `test` (checked on each media event and after each
   * call request or hang-up), or rejects.
   */
  waitForCall(
    callId: string,
    test: (call: CallView) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<CallView>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const urls = {} as EmulatorUrls;
  const parts = createParts(options, urls);
  const { state, dispatcher } = parts;
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
  const closeAll = () => closeParts(parts, listeners);
  try {
    for (const listener of Object.values(listeners)) await listener.up();
  } catch (err) {
    await closeAll();
    throw err;
  }
  Object.assign(urls, buildUrls(host, listeners));

  const { core, orThrow } = wireParts(parts, listeners, closeAll);
  // Onto `core` itself: a spread would copy the live `config` getter's value.
  const calling: Omit<Emulator, keyof EmulatorCore> = {
    mercury: state.mercury,
    callMe: async (opts) => callView(orThrow(await ringUser(state, opts))),
    hangUp: (callId) => {
      const call = orThrow(state.calls.get(callId) ?? `no call ${callId}`);
      callerEnds(state, call, 'hangup');
      return callView(call);
    },
    setCallee: (number, behaviour) => {
      state.callees.set(number, orThrow(parseCallee(behaviour)));
    },
    setDefaultCallee: (behaviour) => {
      state.callees.setDefault(orThrow(parseCallee(behaviour)));
    },
    waitForOutgoing: async (number, timeoutMs = 5000) => {
      const key = calleeKey(number);
      const call = await state.calls.nextOutgoing((c) => c.callee?.number === key, timeoutMs);
      return callView(call);
    },
    waitForCall: async (callId, test, what, timeoutMs) => {
      const call = orThrow(state.calls.get(callId) ?? `no call ${callId}`);
      await call.peer.waitFor(() => test(callView(call)), what, timeoutMs);
      return callView(call);
    },
    calls: (email) => {
      // A user id is a string too: look it up without orThrow, which takes strings for errors.
      const user = email === undefined ? undefined : userByEmail(email);
      if (email !== undefined && !user) throw new Error(`emulator: no test user ${email}`);
      return state.calls.list(user?.id).map(callView);
    },
  };
  return Object.assign(core, calling);
}

function buildUrls(host: string, listeners: Record<ServerName, Listener>): EmulatorUrls {
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const origin = (l: Listener) => `http://${urlHost}:${l.port}`;
  return emulatorUrls(origin(listeners.base), origin(listeners.primary), origin(listeners.backup));
}
