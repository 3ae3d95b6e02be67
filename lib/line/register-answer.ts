/**
 * What one registration POST's answer means (the error table, reference §9), including the
 * device-limit restore (§9.1). Pure, like the rest of the table.
 */
import { classifyFailure } from '../webex/errors';
import { deviceLimitError, toLineError, untrustedServerError } from '../webex/line-errors';
import { serverOfDevice } from '../webex/mobius';
import { parseRestoreDevice } from './device-limit';
import type { Effects, TransitionContext } from './events';
import { type AttemptFlow, type RegistrationContext, type Round, roleOf } from './flow';
import { tooManyRequests } from './policy';
import { type EngineRecord, type ServerRef, unconfirmedOf } from './record';
import type { RequestResult } from './requests';
import { toActive, toInactive } from './states';

type Ctx = TransitionContext;
type RegisterOutcome = Extract<RequestResult, { tag: 'register' }>['outcome'];

/** A POST of the round answered. */
export function onPosted(
  record: EngineRecord,
  flow: AttemptFlow,
  outcome: RegisterOutcome,
  sentAt: number,
  ctx: Ctx,
  out: Effects,
) {
  const round = flow.round as Round;
  const url = round.servers[round.index] as string;
  const server: ServerRef = { url, role: roleOf(flow, url) };
  if (outcome.ok) {
    return toActive(record, ctx, out, server, flow.context as RegistrationContext, outcome.value);
  }
  const failure = classifyFailure(outcome.error);
  out.log('mobius', 'Registration failed', {
    server: url,
    status: failure.httpStatus,
    errorCode: failure.errorCode,
    sdkType: failure.row.sdkType,
    detail: failure.detail,
  });
  const { row } = failure;
  if (unknownAnswer(outcome)) {
    // A garbled 2xx or no answer in time: the POST may have made a device. Check there first.
    record.unconfirmed.push(unconfirmedOf(url, sentAt, flow.context?.clientDeviceUri));
    flow.phase = 'verify';
  }
  if (outcome.error.kind === 'untrusted') {
    return toInactive(record, out, untrustedServerError(outcome.error.message));
  }
  if (row.final) {
    const cachedWdm = flow.context?.wdmFromCache && !flow.wdmRecreated;
    if (row.status === 404 && cachedWdm && flow.plan.kind === 'register') {
      // "Re-create on 404": the cached WDM device may be gone. One more round with a new one.
      out.log('line', 'Mobius does not know this device; registering a new WDM device');
      flow.phase = 'forgetDevice';
      return;
    }
    return toInactive(record, out, toLineError(failure));
  }
  if (row.reaction === 'restoreDeviceLimit') return deviceLimit(record, flow, failure.body, out);
  round.networkOnly &&= failure.network;
  round.index += 1;
  if (row.reaction === 'retryAfter') {
    const decision = tooManyRequests(
      { where: 'registration', retryAfterSec: failure.retryAfter },
      ctx.timing,
      ctx.int,
    );
    if (decision.kind === 'nextServer')
      round.retryAfterSec = decision.holdSec ?? round.retryAfterSec;
    return;
  }
  out.emit('unregistered');
}

/** No readable answer: a garbled 2xx, or none in time. The POST may have made a device. */
export const unknownAnswer = (outcome: RegisterOutcome) =>
  !outcome.ok &&
  (outcome.error.kind === 'malformed' ||
    (outcome.error.kind === 'network' && outcome.error.timedOut === true));

/**
 * §9.1: take `devices[0]` of the 403/101 body, delete it at its own server (with its own
 * clientDeviceUri), then register once at that server. Only when this registration may evict
 * another device; a registration a web page started stops with the seed's error instead.
 */
function deviceLimit(record: EngineRecord, flow: AttemptFlow, body: unknown, out: Effects) {
  const first = parseRestoreDevice(body);
  if (!first || !flow.evict) {
    out.log(
      'mobius',
      first
        ? 'Device limit reached; not replacing a device without asking'
        : 'Device limit reached and no device listed to restore',
    );
    if (!first) out.emit('unregistered');
    return toInactive(record, out, deviceLimitError(first !== undefined && !flow.evict));
  }
  const serverUrl = serverOfDevice(first);
  out.log('mobius', 'Device limit reached; replacing the listed device', {
    server: serverUrl,
    deviceId: first.deviceId,
  });
  flow.restore = {
    server: { url: serverUrl, role: roleOf(flow, serverUrl) },
    device: {
      serverUrl,
      deviceId: first.deviceId,
      clientDeviceUri:
        first.clientDeviceUri ?? (flow.context as RegistrationContext).clientDeviceUri,
    },
  };
  flow.phase = 'restoreDelete';
}

/** The single re-POST of a device-limit restore answered. */
export function onRestorePosted(
  record: EngineRecord,
  flow: AttemptFlow,
  outcome: RegisterOutcome,
  sentAt: number,
  ctx: Ctx,
  out: Effects,
) {
  const restore = flow.restore as NonNullable<AttemptFlow['restore']>;
  const round = flow.round as Round;
  flow.restore = null;
  flow.phase = 'round';
  if (outcome.ok) {
    out.log('mobius', 'Registration restored successfully.');
    return toActive(
      record,
      ctx,
      out,
      restore.server,
      flow.context as RegistrationContext,
      outcome.value,
    );
  }
  const failure = classifyFailure(outcome.error);
  if (unknownAnswer(outcome)) {
    record.unconfirmed.push(
      unconfirmedOf(restore.server.url, sentAt, flow.context?.clientDeviceUri),
    );
    flow.phase = 'verify';
  }
  if (outcome.error.kind === 'untrusted') {
    return toInactive(record, out, untrustedServerError(outcome.error.message));
  }
  const { row } = failure;
  if (row.final) return toInactive(record, out, toLineError(failure));
  if (row.reaction === 'restoreDeviceLimit') {
    out.emit('unregistered');
    return toInactive(record, out, deviceLimitError(false));
  }
  round.networkOnly = false;
  round.index += 1;
  // A 429 on the re-POST: its Retry-After counts like any other in this round (§9.2).
  if (row.reaction === 'retryAfter')
    round.retryAfterSec = failure.retryAfter ?? round.retryAfterSec;
  else out.emit('unregistered');
}
