/**
 * The named transitions: the only code that changes `record.state`, so the fields that belong to
 * a state are set and cleared in one place. Plus the two ways a flow moves on: `send` (one
 * request in flight) and `wait` (a timer).
 */
import { clampServerValue, type ServerValue } from '../webex/bounds';
import type { LineErrorPayload } from '../webex/line-contract';
import type { RegistrationResponse } from '../webex/mobius';
import type { Effects, TransitionContext } from './events';
import type { AttemptFlow, Flow, Plan, RegistrationContext } from './flow';
import { failbackDelayMs, keepaliveDelayMs } from './policy';
import { deviceRef, type EngineRecord, type ServerRef } from './record';
import type { RequestSpec } from './requests';
import type { Timing } from './timing';

/** Leftovers kept for another delete attempt; older ones have long expired at their server. */
const MAX_LEFTOVERS = 5;

/**
 * Make `flow` the engine's work. A request still in flight belongs to the flow that made it:
 * its outcome is absorbed, not fed to the new flow (`flowSeq`).
 */
export function setFlow(record: EngineRecord, flow: Flow | null): void {
  if (flow !== null && flow !== record.flow) record.flowSeq += 1;
  record.flow = flow;
}

/** Forget everything about the current work and its timers (not the device or the error). */
export function clearRuntime(record: EngineRecord): void {
  setFlow(record, null);
  record.retryAt = null;
  record.retryHoldUntil = null;
  record.target = null;
  record.keepaliveAt = null;
  record.failbackAt = null;
  record.keepaliveFailures = 0;
  record.failback429Retries = 0;
  record.offlineTries = 0;
  record.restorePending = null;
}

/** A new registration begins: `connecting`. */
export function toConnecting(record: EngineRecord, out: Effects): void {
  record.state = 'connecting';
  record.error = null;
  record.deregistered = false;
  out.emit('connecting');
}

/** Registered: the device is persisted before anyone hears `registered` (effects come after). */
export function toActive(
  record: EngineRecord,
  ctx: TransitionContext,
  out: Effects,
  server: ServerRef,
  context: Pick<RegistrationContext, 'clientDeviceUri'>,
  response: RegistrationResponse,
): void {
  const { now, timing } = ctx;
  const numbers = serverNumbers(response, timing, out);
  const { keepaliveInterval } = numbers;
  record.device = {
    serverUrl: server.url,
    role: server.role,
    deviceId: response.device.deviceId,
    uri: response.device.uri,
    clientDeviceUri: response.device.clientDeviceUri || context.clientDeviceUri,
    lastSeen: response.device.lastSeen,
    addresses: response.device.addresses ?? [],
    keepaliveInterval,
    callKeepaliveInterval: numbers.callKeepaliveInterval,
    rehomingIntervalMin: numbers.rehomingIntervalMin,
    rehomingIntervalMax: numbers.rehomingIntervalMax,
    voicePortalNumber: response.voicePortalNumber,
    voicePortalExtension: response.voicePortalExtension,
  };
  record.state = 'active';
  record.error = null;
  record.deregistered = false;
  record.lastServer = server;
  record.target = null;
  record.retryAt = null;
  record.keepaliveFailures = 0;
  record.offlineTries = 0;
  record.restorePending = null;
  record.confirmedAt = now;
  record.keepaliveAt = now + keepaliveDelayMs(keepaliveInterval, timing);
  if (server.role === 'primary') {
    // SDK setIntervalValues: the rehoming window is taken only from a primary's answer.
    record.rehoming = {
      min: numbers.rehomingIntervalMin ?? timing.defaultRehomingMinMin,
      max: Math.max(
        numbers.rehomingIntervalMin ?? timing.defaultRehomingMinMin,
        numbers.rehomingIntervalMax ?? timing.defaultRehomingMaxMin,
      ),
    };
    record.failbackAt = null;
    record.failback429Retries = 0;
  } else if (record.failbackAt === null) {
    record.failbackAt = now + failbackDelayMs(record.rehoming, timing, ctx.int);
    record.failback429Retries = 0;
  }
  // A device an earlier attempt could not delete (its server was unreachable): try again now.
  setFlow(record, record.leftovers.length > 0 ? { kind: 'tidy', cursor: 0 } : null);
  out.log('line', 'Registered', {
    server: server.url,
    role: server.role,
    deviceId: record.device.deviceId,
  });
  out.emit('registered');
}

/**
 * The registration answer's timing numbers, clamped to `SERVER_BOUNDS` (each clamp logged). A
 * missing (or non-positive) keepalive interval is the SDK default; a missing rehoming bound
 * stays missing (the default window applies).
 */
function serverNumbers(response: RegistrationResponse, timing: Timing, out: Effects) {
  const clamp = (name: ServerValue, sent: number | undefined) => {
    if (sent === undefined) return undefined;
    // Zero or less means "not set", as the SDK's falsy checks read it: the default applies.
    if (sent <= 0) {
      out.log('line', 'A server value was not positive; the default applies', { name, sent });
      return undefined;
    }
    const { value, clampedFrom } = clampServerValue(name, sent);
    if (clampedFrom !== undefined) {
      out.log('line', 'A server value was out of range; clamped', { name, sent, used: value });
    }
    return value;
  };
  return {
    keepaliveInterval:
      clamp('keepaliveInterval', response.keepaliveInterval) ?? timing.defaultKeepaliveSec,
    callKeepaliveInterval: clamp('callKeepaliveInterval', response.callKeepaliveInterval),
    rehomingIntervalMin: clamp('rehomingIntervalMin', response.rehomingIntervalMin),
    rehomingIntervalMax: clamp('rehomingIntervalMax', response.rehomingIntervalMax),
  };
}

/** Keepalives failing, or the line being restored: `reconnecting` (a registration stays `connecting`). */
export function toReconnecting(record: EngineRecord): void {
  if (record.state !== 'connecting') record.state = 'reconnecting';
}

/**
 * A final error: the device (if any) is deleted before the next registration; the error goes
 * with `error` (or, for a superseded line, with `unregistered`, as newer SDKs do).
 */
export function toInactive(
  record: EngineRecord,
  out: Effects,
  error: LineErrorPayload,
  event: 'error' | 'unregistered' = 'error',
): void {
  dropDevice(record);
  clearRuntime(record);
  // An outcome still in flight is stale from now on (a registration it made is cleaned up).
  record.pending = null;
  record.state = 'inactive';
  record.error = error;
  out.log('line', 'Line error', { type: error.type, msg: error.msg, detail: error.detail });
  out.emit(event, error);
}

/** Nothing registered, nothing running. A user deregistration makes the status `IDLE`. */
export function toIdle(record: EngineRecord, byUser: boolean): void {
  dropDevice(record);
  clearRuntime(record);
  record.state = 'idle';
  if (byUser) {
    record.deregistered = true;
    record.error = null;
    record.lastServer = null;
  }
}

/** The current device goes to the leftovers (deleted by the next clean-up); its timers stop. */
export function dropDevice(record: EngineRecord): void {
  if (record.device) {
    record.leftovers.push(deviceRef(record.device));
    record.device = null;
  }
  record.leftovers = record.leftovers.slice(-MAX_LEFTOVERS);
  record.keepaliveAt = null;
  record.failbackAt = null;
}

/** Make `spec` the one request in flight. */
export function send(
  record: EngineRecord,
  ctx: TransitionContext,
  out: Effects,
  spec: RequestSpec,
): void {
  record.seq += 1;
  const id = String(record.seq);
  const deadline =
    spec.tag === 'prepare' ? ctx.timing.prepareDeadlineMs : ctx.timing.requestDeadlineMs;
  record.pending = {
    id,
    flowSeq: record.flowSeq,
    tag: spec.tag,
    sentAt: ctx.now,
    deadlineAt: ctx.now + deadline,
    ...(spec.tag === 'register'
      ? { serverUrl: spec.server.url, clientDeviceUri: spec.clientDeviceUri }
      : {}),
    ...(spec.tag === 'delete' ? { deviceId: spec.device.deviceId } : {}),
  };
  if (spec.tag === 'register') record.target = spec.server;
  out.request(id, spec);
}

/** An attempt waits on `line:retry`, then runs `plan` from discovery. */
export function wait(
  record: EngineRecord,
  ctx: TransitionContext,
  flow: AttemptFlow,
  plan: Plan,
  delayMs: number,
): void {
  const retryAfterSec = flow.round?.retryAfterSec;
  flow.plan = plan;
  flow.phase = 'wait';
  flow.round = null;
  flow.restore = null;
  record.retryAt = ctx.now + Math.max(0, delayMs);
  record.retryHoldUntil =
    retryAfterSec === undefined ? null : ctx.now + retryAfterSec * ctx.timing.secondMs;
  record.target = null;
}

/** The registration responses's device as a leftover (a registration we did not want). */
export function leftoverOf(response: RegistrationResponse, serverUrl: string) {
  return {
    serverUrl,
    deviceId: response.device.deviceId,
    clientDeviceUri: response.device.clientDeviceUri ?? '',
  };
}
