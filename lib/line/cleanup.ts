/**
 * Deleting devices we no longer want (`record.leftovers`), one request at a time, for the flows
 * that end with no device (deregister, sign-out) or follow a registration (tidy). A leftover
 * whose server cannot be reached, or answers 429 or 5xx, is kept for a later attempt; any other
 * HTTP answer settles it.
 */
import type { Outcome, WebexFailure } from '../webex/http';
import type { Effects, TransitionContext } from './events';
import type { DeregisterFlow, SignOutFlow, TidyFlow } from './flow';
import type { EngineRecord } from './record';
import type { RequestResult } from './requests';
import { dropDevice, send, setFlow, toConnecting, toIdle } from './states';

/**
 * The DELETE of `record.leftovers[cursor]` answered. Returns true when the leftover is settled
 * (removed from the list), false when it is kept (unreachable, or no usable token yet).
 */
export function settleLeftover(
  record: EngineRecord,
  cursor: number,
  outcome: Outcome<unknown>,
  out: Effects,
): boolean {
  const leftover = record.leftovers[cursor];
  if (!leftover) return true;
  if (!outcome.ok && deleteNotDone(outcome.error)) {
    out.log('mobius', 'Could not delete a device yet; will try again', {
      deviceId: leftover.deviceId,
      reason: outcome.error.kind,
    });
    return false;
  }
  out.log(
    'mobius',
    outcome.ok || outcome.error.kind !== 'untrusted'
      ? 'Deleted device'
      : 'Device on an untrusted server dropped',
    {
      deviceId: leftover.deviceId,
      status: outcome.ok
        ? outcome.status
        : 'status' in outcome.error
          ? outcome.error.status
          : undefined,
    },
  );
  record.leftovers.splice(cursor, 1);
  return true;
}

/**
 * The device may still be there: no answer, no usable token, or Mobius asking us to come back
 * (429, 5xx). Forgetting it then would leave a device nobody deletes beside the next one.
 */
function deleteNotDone(error: WebexFailure): boolean {
  if (error.kind === 'network' || error.kind === 'auth') return true;
  return error.kind === 'http' && (error.status === 429 || error.status >= 500);
}

/**
 * A DELETE answered after its flow gave way to another (a sign-out over a deregistration): its
 * answer still settles the device, which is then not deleted a second time after a 404.
 */
export function settleLeftoverOf(
  record: EngineRecord,
  deviceId: string,
  outcome: Outcome<unknown>,
  out: Effects,
): void {
  const at = record.leftovers.findIndex((leftover) => leftover.deviceId === deviceId);
  if (at >= 0) settleLeftover(record, at, outcome, out);
}

type CleanupFlow = DeregisterFlow | SignOutFlow | TidyFlow;

/** Issue the next DELETE of a clean-up flow, or finish it. */
export function proceedCleanup(
  record: EngineRecord,
  flow: CleanupFlow,
  ctx: TransitionContext,
  out: Effects,
  startRegistration: (evict: boolean) => void,
) {
  if (flow.kind !== 'tidy') {
    // The line is no longer registered from here on; the DELETE is on its way. A Register
    // pressed meanwhile shows as connecting through the DELETEs (it registers right after).
    dropDevice(record);
    if (flow.kind === 'deregister' && flow.thenRegister) {
      if (record.state !== 'connecting') toConnecting(record, out);
    } else if (record.state !== 'inactive') record.state = 'idle';
  }
  if (flow.kind === 'signOut' && flow.phase === 'session') {
    return send(record, ctx, out, { tag: 'endSession' });
  }
  const leftover = record.leftovers[flow.cursor];
  if (leftover) return send(record, ctx, out, { tag: 'delete', device: leftover });
  switch (flow.kind) {
    case 'tidy':
      setFlow(record, null);
      if (flow.thenRegister && record.wanted && !record.device) {
        startRegistration(flow.thenRegister.evict);
      }
      return;
    case 'signOut':
      flow.phase = 'session';
      return send(record, ctx, out, { tag: 'endSession' });
    case 'deregister':
      toIdle(record, flow.byUser);
      if (flow.announce) out.emit('unregistered');
      if (flow.thenRegister) startRegistration(true);
  }
}

/** An outcome for a clean-up flow's request. */
export function onCleanupOutcome(
  record: EngineRecord,
  flow: CleanupFlow,
  result: RequestResult,
  out: Effects,
) {
  if (result.tag === 'delete') {
    if (!settleLeftover(record, flow.cursor, result.outcome, out)) flow.cursor += 1;
    return;
  }
  if (result.tag === 'endSession' && flow.kind === 'signOut') {
    out.log('auth', result.done ? 'Signed out' : 'Sign-out could not finish cleaning up');
    setFlow(record, null);
    if (flow.announce) out.emit('unregistered');
  }
}
