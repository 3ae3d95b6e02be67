/**
 * The requests the transition table asks for, as data, and how the interpreter performs each
 * (a Webex call through the `authorize` port, or a port of the session / discovery cache).
 * Every result is data: nothing here throws.
 */
import type { Outcome, WebexFailure } from '../webex/http';
import {
  type DeviceList,
  deleteDevice,
  listDevices,
  type MobiusAuth,
  ping,
  type RegistrationResponse,
  registerDevice,
  sendKeepalive,
} from '../webex/mobius';
import type { EngineDeps, PrepareResult } from './deps';
import type { DeviceRef, ServerRef } from './record';

export type RequestSpec =
  | { tag: 'prepare' }
  | { tag: 'forgetDevice' }
  | { tag: 'forgetServers' }
  | { tag: 'register'; server: ServerRef; userId: string; clientDeviceUri: string }
  | { tag: 'keepalive'; deviceUri: string; clientDeviceUri: string }
  | { tag: 'delete'; device: DeviceRef }
  | { tag: 'list'; serverUrl: string; userId: string; clientDeviceUri: string }
  | { tag: 'ping'; serverUrl: string; clientDeviceUri: string }
  /** Sign-out's last step: the session deletes the WDM device and forgets tokens and caches. */
  | { tag: 'endSession' };

export type RequestTag = RequestSpec['tag'];

export type RequestResult =
  | { tag: 'prepare'; prepared: PrepareResult }
  | { tag: 'register'; outcome: Outcome<RegistrationResponse> }
  | { tag: 'keepalive'; outcome: Outcome<unknown> }
  | { tag: 'delete'; outcome: Outcome<unknown> }
  | { tag: 'ping'; outcome: Outcome<unknown> }
  | { tag: 'list'; outcome: Outcome<DeviceList> }
  | { tag: 'forgetDevice' | 'forgetServers' | 'endSession'; done: boolean };

/** The server a request goes to, for diagnostics and the in-flight marker. */
export function serverOf(spec: RequestSpec): string | undefined {
  switch (spec.tag) {
    case 'register':
      return spec.server.url;
    case 'delete':
      return spec.device.serverUrl;
    case 'list':
    case 'ping':
      return spec.serverUrl;
    case 'keepalive':
      return spec.deviceUri;
    default:
      return undefined;
  }
}

/** The result a request gets when it did not finish by its deadline. */
export function timedOut(spec: RequestSpec, message: string): RequestResult {
  const error: WebexFailure = { kind: 'network', message, timedOut: true };
  switch (spec.tag) {
    case 'prepare':
      return { tag: 'prepare', prepared: { ok: false, error } };
    case 'forgetDevice':
    case 'forgetServers':
    case 'endSession':
      return { tag: spec.tag, done: false };
    default:
      return { tag: spec.tag, outcome: { ok: false, error } } as RequestResult;
  }
}

/** Perform one request. `trackingId` is what Mobius calls carry (and diagnostics record). */
export function perform(
  spec: RequestSpec,
  deps: EngineDeps,
  trackingId: string,
): Promise<RequestResult> {
  const { fetch, timing } = deps;
  const options = { timeoutMs: timing.requestTimeoutMs };
  const mobius = <T>(
    url: string,
    clientDeviceUri: string,
    call: (auth: MobiusAuth) => Promise<Outcome<T>>,
  ) => deps.authorize(url, (authorization) => call({ authorization, clientDeviceUri, trackingId }));
  switch (spec.tag) {
    case 'prepare':
      return deps.context.prepare().then((prepared) => ({ tag: 'prepare', prepared }));
    case 'forgetDevice':
      return done(spec.tag, deps.context.forgetDevice());
    case 'forgetServers':
      return done(spec.tag, deps.context.forgetServers());
    case 'endSession':
      return done(spec.tag, deps.endSession());
    case 'register':
      return mobius(spec.server.url, spec.clientDeviceUri, (auth) =>
        registerDevice(fetch, spec.server.url, auth, spec.userId, options),
      ).then((outcome) => ({ tag: 'register', outcome }));
    case 'keepalive':
      return mobius(spec.deviceUri, spec.clientDeviceUri, (auth) =>
        sendKeepalive(fetch, spec.deviceUri, auth, options),
      ).then((outcome) => ({ tag: 'keepalive', outcome }));
    case 'delete':
      return mobius(spec.device.serverUrl, spec.device.clientDeviceUri, (auth) =>
        deleteDevice(fetch, spec.device.serverUrl, spec.device.deviceId, auth, options),
      ).then((outcome) => ({ tag: 'delete', outcome }));
    case 'list':
      return mobius(spec.serverUrl, spec.clientDeviceUri, (auth) =>
        listDevices(fetch, spec.serverUrl, spec.userId, auth, options),
      ).then((outcome) => ({ tag: 'list', outcome }));
    case 'ping':
      return mobius(spec.serverUrl, spec.clientDeviceUri, (auth) =>
        ping(fetch, spec.serverUrl, auth, options),
      ).then((outcome) => ({ tag: 'ping', outcome }));
  }
}

function done(
  tag: 'forgetDevice' | 'forgetServers' | 'endSession',
  work: Promise<void>,
): Promise<RequestResult> {
  return work.then(
    () => ({ tag, done: true }),
    () => ({ tag, done: false }),
  );
}
