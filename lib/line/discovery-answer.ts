/**
 * What discovery's answer and a device list's answer mean for a registration attempt: go on,
 * wait for the network, retry discovery after a back-off (the 429 rule), or a final error.
 */
import {
  discoveryError,
  notConfiguredError,
  tokenExpiredError,
  untrustedServerError,
} from '../webex/line-errors';
import { type DeviceList, serverOfDevice } from '../webex/mobius';
import type { PrepareResult } from './deps';
import type { Effects, TransitionContext } from './events';
import { waitForNetwork } from './failover';
import type { AttemptFlow } from './flow';
import { tooManyRequests } from './policy';
import type { EngineRecord } from './record';
import type { RequestResult } from './requests';
import { toInactive, wait } from './states';

type Ctx = TransitionContext;

export function onPrepared(
  record: EngineRecord,
  flow: AttemptFlow,
  prepared: PrepareResult,
  ctx: Ctx,
  out: Effects,
) {
  if (prepared.ok) {
    flow.context = prepared.context;
    flow.phase = 'verify';
    return;
  }
  const failure = prepared.error;
  out.log('line', 'Discovery failed', { kind: failure.kind, error: failure.message });
  switch (failure.kind) {
    case 'network':
      return waitForNetwork(record, flow, ctx, out);
    case 'auth':
      return toInactive(record, out, tokenExpiredError(failure.status));
    case 'config':
      return toInactive(record, out, notConfiguredError(failure.message));
    case 'untrusted':
      return toInactive(record, out, untrustedServerError(failure.message));
    case 'http':
      if (failure.status === 429 || failure.status >= 500) {
        // The SDK gives up here; a line kept registered in the background should heal alone.
        const decision = tooManyRequests(
          {
            where: 'discovery',
            retryAfterSec: failure.retryAfter,
            triesSoFar: record.offlineTries,
          },
          ctx.timing,
          ctx.int,
        );
        if (decision.kind === 'retryDiscovery') {
          record.offlineTries += 1;
          out.log('line', 'Discovery failed for a moment; trying again', {
            delayMs: decision.delayMs,
          });
          return wait(record, ctx, flow, { kind: 'register' }, decision.delayMs);
        }
      }
      return toInactive(record, out, discoveryError(failure));
    default:
      return toInactive(record, out, discoveryError(failure));
  }
}

/**
 * A device of ours may exist where a registration answer was lost: delete what the list shows.
 * Unreachable: wait for the network while that device could still be alive at the server (it
 * expires after the missed-keepalive window, §7); after that, go on and check again later.
 */
export function onListed(
  record: EngineRecord,
  flow: AttemptFlow,
  outcome: Extract<RequestResult, { tag: 'list' }>['outcome'],
  ctx: Ctx,
  out: Effects,
) {
  const checking = record.unconfirmed.find((u) => !flow.verified.includes(u.serverUrl));
  if (!checking) return;
  flow.verified.push(checking.serverUrl);
  if (!outcome.ok && outcome.error.kind === 'network') {
    const { timing } = ctx;
    const window = timing.keepaliveFailureThreshold * timing.defaultKeepaliveSec * timing.secondMs;
    if (ctx.now - checking.since < window) {
      out.log('line', 'Cannot check for a device an interrupted registration left; waiting', {
        server: checking.serverUrl,
      });
      return waitForNetwork(record, flow, ctx, out);
    }
    out.log('line', 'An interrupted registration is past its expiry; going on', {
      server: checking.serverUrl,
    });
    return;
  }
  record.unconfirmed = record.unconfirmed.filter((u) => u !== checking);
  if (!outcome.ok) {
    out.log('mobius', 'Could not list devices for clean-up', {
      server: checking.serverUrl,
      error: outcome.error.message,
    });
    return;
  }
  // Ours: made as this session's WDM device, or as the one the lost POST was made as.
  const ours = (outcome.value as DeviceList).devices.filter(
    (device) =>
      device.clientDeviceUri !== undefined &&
      (device.clientDeviceUri === flow.context?.clientDeviceUri ||
        device.clientDeviceUri === checking.clientDeviceUri),
  );
  for (const device of ours) {
    out.log('mobius', 'Removing a device left by an interrupted registration', {
      deviceId: device.deviceId,
    });
    record.leftovers.push({
      serverUrl: serverOfDevice(device),
      deviceId: device.deviceId,
      clientDeviceUri: device.clientDeviceUri ?? checking.serverUrl,
    });
  }
}
