/**
 * Registration attempts against Mobius: a round over a server list (SDK
 * attemptRegistrationWithServers), the device-limit restore (§9.1), and the clean-ups that keep
 * "at most one device at the server" true across kills and network loss.
 */

import type { LineErrorPayload } from '../messaging/protocol';
import { classifyFailure, deviceLimitError, toLineError } from '../webex/errors';
import {
  deleteDevice,
  listDevices,
  type MobiusDevice,
  registerDevice,
  serverOfDevice,
} from '../webex/mobius';
import { anything, arrayOf, object, optional, parseWith } from '../webex/validate';
import type { EngineCore } from './core';
import type { RegistrationContext } from './ports';
import type { DeviceRef, EngineRecord, ServerRef, ServerRole } from './record';

export type RoundResult =
  | { kind: 'registered' }
  /** A final error was emitted and persisted. */
  | { kind: 'final' }
  /** The user deregistered meanwhile. */
  | { kind: 'aborted' }
  /** 404 and the caller asked to handle it (re-create the WDM device once). */
  | { kind: 'notFound'; error: LineErrorPayload }
  | {
      kind: 'failed';
      /** Retry-After (seconds) from a 429 in this round, if any. */
      retryAfterSec?: number;
      /** Every server failed without any HTTP answer: the network is probably down. */
      networkOnly: boolean;
    };

export const roleOf = (context: RegistrationContext, url: string): ServerRole =>
  context.primary.includes(url) ? 'primary' : 'backup';

/** Try each server in order until one registers or a final error stops the round. */
export async function tryServers(
  core: EngineCore,
  record: EngineRecord,
  context: RegistrationContext,
  servers: string[],
  options: { reportNotFound?: boolean } = {},
): Promise<RoundResult> {
  let retryAfterSec: number | undefined;
  let networkOnly = servers.length > 0;
  for (const url of servers) {
    const attempt = await postRegistration(core, record, context, {
      url,
      role: roleOf(context, url),
    });
    switch (attempt.kind) {
      case 'registered':
      case 'final':
      case 'aborted':
        return attempt;
      case 'notFound':
        if (options.reportNotFound) return attempt;
        await core.fail(record, attempt.error);
        return { kind: 'final' };
      case 'deviceLimit': {
        const restored = await restoreDeviceLimit(core, record, context, attempt.body);
        if (restored === 'registered' || restored === 'final' || restored === 'aborted') {
          return { kind: restored };
        }
        if (typeof restored === 'object') {
          // A 429 on the re-POST: its Retry-After counts like any other in this round (§9.2).
          retryAfterSec = restored.retryAfterSec ?? retryAfterSec;
          networkOnly = false;
          break;
        }
        if (restored === 'unrestorable') {
          // Design choice: the limit is per user, so other servers would answer the same; end
          // with the seed's message now rather than after minutes of futile failover.
          await core.fail(record, deviceLimitError());
          return { kind: 'final' };
        }
        networkOnly = false;
        break;
      }
      case 'tooManyRequests':
        retryAfterSec = attempt.retryAfterSec;
        networkOnly = false;
        break;
      case 'failed':
        if (!attempt.network) networkOnly = false;
        break;
    }
  }
  return { kind: 'failed', retryAfterSec, networkOnly };
}

type PostResult =
  | { kind: 'registered' }
  | { kind: 'final' }
  | { kind: 'aborted' }
  | { kind: 'notFound'; error: LineErrorPayload }
  | { kind: 'deviceLimit'; body: unknown }
  | { kind: 'tooManyRequests'; retryAfterSec?: number }
  | { kind: 'failed'; network: boolean };

/** One registration POST, with the in-flight marker persisted before it is sent. */
async function postRegistration(
  core: EngineCore,
  record: EngineRecord,
  context: RegistrationContext,
  server: ServerRef,
  { emitNonFinal = true }: { emitNonFinal?: boolean } = {},
): Promise<PostResult> {
  const { deps } = core;
  if ((await core.intent()) !== 'registered') return { kind: 'aborted' };
  record.target = server;
  record.inflight = { serverUrl: server.url, since: deps.clock.now() };
  core.watchdog(record);
  await core.commit(record);
  deps.log('mobius', 'Registering', { server: server.url, role: server.role });
  const outcome = await core.mobius(context.clientDeviceUri, (auth) =>
    registerDevice(deps.fetch, server.url, auth, context.userId, {
      timeoutMs: deps.timing.requestTimeoutMs,
    }),
  );
  if (outcome.ok) {
    record.inflight = null;
    await core.registered(record, context, server, outcome.value);
    return { kind: 'registered' };
  }
  const failure = classifyFailure(outcome.error);
  deps.log('mobius', 'Registration failed', {
    server: server.url,
    status: failure.httpStatus,
    errorCode: failure.errorCode,
    sdkType: failure.row.sdkType,
    detail: failure.detail,
  });
  if (outcome.error.kind === 'malformed') {
    // A 2xx we could not read may still have created a device: remove ours before going on.
    await removeOurDevices(core, context, server.url);
  }
  record.inflight = null;
  await core.commit(record);
  const { row } = failure;
  if (row.final) {
    if (row.status === 404) return { kind: 'notFound', error: toLineError(failure) };
    await core.fail(record, toLineError(failure));
    return { kind: 'final' };
  }
  if (row.reaction === 'restoreDeviceLimit') return { kind: 'deviceLimit', body: failure.body };
  // 429 emits nothing (SDK); every other non-final failure emits `unregistered`.
  if (row.reaction === 'retryAfter')
    return { kind: 'tooManyRequests', retryAfterSec: failure.retryAfter };
  if (emitNonFinal) await core.emit('unregistered');
  return { kind: 'failed', network: failure.network };
}

const restoreBodySchema = object({ devices: optional(arrayOf(anything)) });

/**
 * §9.1: take `devices[0]` of the 403/101 body, delete it at its own server (with its own
 * clientDeviceUri), then register once at that server. A second 101 or an empty list means the
 * limit cannot be restored.
 */
async function restoreDeviceLimit(
  core: EngineCore,
  record: EngineRecord,
  context: RegistrationContext,
  body: unknown,
): Promise<
  | 'registered'
  | 'final'
  | 'aborted'
  | 'unrestorable'
  | 'failed'
  | { kind: 'tooManyRequests'; retryAfterSec?: number }
> {
  const { deps } = core;
  const parsed = parseWith(restoreBodySchema, body, 'Device-limit answer');
  const first = parsed.ok ? parseDevice(parsed.value.devices?.[0]) : undefined;
  if (!first) {
    deps.log('mobius', 'Device limit reached and no device listed to restore');
    await core.emit('unregistered');
    return 'unrestorable';
  }
  const serverUrl = serverOfDevice(first);
  const server: ServerRef = { url: serverUrl, role: roleOf(context, serverUrl) };
  deps.log('mobius', 'Device limit reached; replacing the listed device', {
    server: serverUrl,
    deviceId: first.deviceId,
  });
  // Persist the target first: a kill after the DELETE resumes with a clean-up at this server.
  record.target = server;
  record.inflight = { serverUrl, since: deps.clock.now() };
  core.watchdog(record);
  await core.commit(record);
  await core.mobius(first.clientDeviceUri ?? context.clientDeviceUri, (auth) =>
    deleteDevice(deps.fetch, serverUrl, first.deviceId, auth, {
      timeoutMs: deps.timing.requestTimeoutMs,
    }),
  );
  record.inflight = null;
  await core.commit(record);
  await core.emit('unregistered');
  const retry = await postRegistration(core, record, context, server, { emitNonFinal: false });
  switch (retry.kind) {
    case 'registered':
    case 'final':
    case 'aborted':
      deps.log(
        'mobius',
        retry.kind === 'registered' ? 'Registration restored successfully.' : 'Restore ended',
      );
      return retry.kind;
    case 'notFound':
      await core.fail(record, retry.error);
      return 'final';
    case 'deviceLimit':
      await core.emit('unregistered');
      return 'unrestorable';
    case 'tooManyRequests':
      return retry;
    case 'failed':
      await core.emit('unregistered');
      return 'failed';
  }
}

const deviceShape = object({ deviceId: anything, uri: anything, clientDeviceUri: anything });

function parseDevice(
  input: unknown,
): (Pick<MobiusDevice, 'deviceId' | 'uri'> & { clientDeviceUri?: string }) | undefined {
  const parsed = parseWith(deviceShape, input, 'device');
  if (!parsed.ok) return undefined;
  const { deviceId, uri, clientDeviceUri } = parsed.value;
  if (typeof deviceId !== 'string' || typeof uri !== 'string' || deviceId === '') return undefined;
  return {
    deviceId,
    uri,
    clientDeviceUri: typeof clientDeviceUri === 'string' ? clientDeviceUri : undefined,
  };
}

/**
 * Delete every device at `serverUrl` whose clientDeviceUri is ours. Used when a registration POST
 * may have succeeded without us learning the answer (a kill, a garbled body). We delete rather
 * than adopt: the device list lacks the registration response's intervals and voice-portal
 * fields, and one extra request in a rare path is cheaper than a line with guessed values.
 */
export async function removeOurDevices(
  core: EngineCore,
  context: RegistrationContext,
  serverUrl: string,
): Promise<'done' | 'network'> {
  const { deps } = core;
  const timeoutMs = deps.timing.requestTimeoutMs;
  const listed = await core.mobius(context.clientDeviceUri, (auth) =>
    listDevices(deps.fetch, serverUrl, context.userId, auth, { timeoutMs }),
  );
  if (!listed.ok) {
    if (listed.error.kind === 'network') return 'network';
    deps.log('mobius', 'Could not list devices for clean-up', {
      server: serverUrl,
      error: listed.error.message,
    });
    return 'done';
  }
  for (const device of listed.value.devices) {
    if (device.clientDeviceUri !== context.clientDeviceUri) continue;
    deps.log('mobius', 'Removing a device left by an interrupted registration', {
      deviceId: device.deviceId,
    });
    const deleted = await core.mobius(context.clientDeviceUri, (auth) =>
      deleteDevice(deps.fetch, serverOfDevice(device), device.deviceId, auth, { timeoutMs }),
    );
    if (!deleted.ok && deleted.error.kind === 'network') return 'network';
  }
  return 'done';
}

/** Leftovers kept for another delete attempt; older ones have long expired at their server. */
const MAX_LEFTOVERS = 5;

/**
 * Move the current device (if any) to the leftovers and delete every leftover. A leftover whose
 * server cannot be reached is kept for a later attempt but does not block registering
 * elsewhere: that server is the one that failed, and it drops the device itself after missed
 * keepalives (§7). Whether the network is down at all is for the registration round that
 * follows to find out.
 */
export async function dropDevices(core: EngineCore, record: EngineRecord): Promise<void> {
  if (record.device) {
    const { serverUrl, deviceId, clientDeviceUri } = record.device;
    record.leftovers.push({ serverUrl, deviceId, clientDeviceUri });
    record.device = null;
    record.keepaliveAt = null;
    record.failbackAt = null;
    await core.commit(record);
  }
  await deleteLeftovers(core, record);
}

/** Delete the devices earlier attempts left behind. Any HTTP answer (even 404) settles one. */
export async function deleteLeftovers(core: EngineCore, record: EngineRecord): Promise<void> {
  const { deps } = core;
  const kept: DeviceRef[] = [];
  for (const leftover of [...record.leftovers]) {
    const outcome = await core.mobius(leftover.clientDeviceUri, (auth) =>
      deleteDevice(deps.fetch, leftover.serverUrl, leftover.deviceId, auth, {
        timeoutMs: deps.timing.requestTimeoutMs,
      }),
    );
    if (!outcome.ok && (outcome.error.kind === 'network' || outcome.error.kind === 'auth')) {
      // Unreachable, or no usable token: try again with the next attempt or sign-in.
      deps.log('mobius', 'Could not delete a device yet; will try again', {
        deviceId: leftover.deviceId,
        reason: outcome.error.kind,
      });
      kept.push(leftover);
      continue;
    }
    deps.log('mobius', 'Deleted device', {
      deviceId: leftover.deviceId,
      status: outcome.ok
        ? outcome.status
        : 'status' in outcome.error
          ? outcome.error.status
          : undefined,
    });
  }
  record.leftovers = kept.slice(-MAX_LEFTOVERS);
  await core.commit(record);
}
