/**
 * Mobius's rules about a device's life that a client can break: talking to a device it was
 * told is gone (tombstones), and keeping a device alive too often (two schedulers).
 */
import { restError } from './errors';
import type { Reply, RequestContext } from './http';
import type { MobiusDevice } from './mobius-store';
import type { EmulatorState } from './state';

/**
 * A device that is dead (deleted, expired, removed) or was never issued: 404, as Mobius answers.
 * A client hears that once; asking again means it did not stop (a deviation). A superseded
 * device's keepalive answers 409 instead (§13), under the same rule.
 */
export function goneReply(
  ctx: RequestContext,
  state: EmulatorState,
  deviceId: string,
  action: string,
): Reply {
  const tombstone = state.mobius.tombstone(deviceId);
  // A stalled answer never reaches the client whole (its body never ends): it was not told.
  const before = state.mobius.countGone(deviceId, !ctx.answerStalls);
  const what = tombstone ? `a device that was ${tombstone.end}` : 'a device that was never issued';
  const superseded = tombstone?.end === 'superseded' && action === 'keepalive';
  const answer = superseded ? '409' : '404';
  if (before > 0) {
    ctx.deviate(`${action} for ${what}, after ${before} earlier ${answer} answer(s) for it`);
  }
  if (superseded) {
    return restError(ctx, 409, 'This device was superseded by a newer registration of the user.');
  }
  return restError(ctx, 404, 'Device not found.');
}

/**
 * Two keepalives for one device less than half an interval apart (two schedulers in one client,
 * or a keepalive loop): a deviation, and 429 when `rateLimitEarlyKeepalives` (Mobius rate-limits
 * it). Arrival times count, so a keepalive held by an injected delay is placed when it was sent.
 */
export function keepaliveTooSoon(ctx: RequestContext, state: EmulatorState, device: MobiusDevice) {
  const previous = device.lastKeepaliveArrivedAt;
  device.lastKeepaliveArrivedAt = Math.max(previous ?? ctx.receivedAt, ctx.receivedAt);
  if (previous === undefined) return null;
  const gapMs = Math.abs(ctx.receivedAt - previous);
  // A client follows the interval it was told: a shorter announced one (a `registrationAnswer`
  // override) is no reason to flag it.
  const intervalSec = Math.min(
    device.keepaliveIntervalSec,
    device.announcedKeepaliveIntervalSec ?? Number.POSITIVE_INFINITY,
  );
  const halfMs = (intervalSec * 1000) / 2;
  if (gapMs >= halfMs) return null;
  ctx.deviate(
    `keepalive ${gapMs} ms after the previous one for this device, sooner than half the ${intervalSec} s interval`,
  );
  if (!state.config.rateLimitEarlyKeepalives) return null;
  return restError(ctx, 429, 'Keepalives are sent too often.', {
    'Retry-After': String(device.keepaliveIntervalSec),
  });
}
