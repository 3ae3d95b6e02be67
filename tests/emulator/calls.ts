/**
 * The Mobius call API (mobius-calls.md §2) on a call: PATCH alerting/connected (incoming),
 * POST media (ROAP, both directions), POST status (call keepalive), DELETE with a body. The
 * setup of outgoing calls and mid-call services are in outgoing-calls.ts. Strict: a request
 * that strays from §2-§6 is served as Mobius would and recorded as a deviation.
 */

import { acceptAnswer, endCall } from './call-flow';
import type { EmuCall } from './call-store';
import { clientOk } from './callee-flow';
import { restError } from './errors';
import { isObject, jsonReply, parseJsonBody, type Reply, type RequestContext } from './http';
import { authenticateMobius, ownDeviceHere } from './mobius';
import { MOBIUS_SERVERS, type Route } from './router';
import type { EmulatorState } from './state';

/** §2 `setDisconnectReason`: the only cause codes the SDK sends, with their text. */
export const CAUSES: Readonly<Record<number, string>> = {
  0: 'Normal Disconnect.',
  115: 'User Busy.',
  131: 'Media Inactivity.',
};

const CALL = '^\\/api\\/v1\\/calling\\/web\\/devices\\/([^/]+)\\/calls\\/([^/]+)';

export function callRoutes(state: EmulatorState): Route[] {
  const route = (
    method: string,
    suffix: string,
    endpoint: Route['endpoint'],
    label: string,
    act: (ctx: RequestContext, call: EmuCall, body: Record<string, unknown> | null) => Reply,
  ): Route => ({
    method,
    pattern: new RegExp(`${CALL}${suffix}$`),
    servers: MOBIUS_SERVERS,
    kind: 'api',
    endpoint,
    handle: (ctx) => withCall(ctx, state, label, act),
  });
  return [
    route('PATCH', '', 'callPatch', 'PATCH', (c, call, body) => patch(c, call, body)),
    route('POST', '\\/media', 'callMedia', 'media', (c, call, body) => media(c, state, call, body)),
    route('POST', '\\/status', 'callStatus', 'status', (c, call) => status(c, call)),
    route('DELETE', '', 'callDelete', 'DELETE', (c, call, body) => remove(c, state, call, body)),
  ];
}

/** Auth, the line, the call, and the `{device, callId}` every call body carries. */
function withCall(
  ctx: RequestContext,
  state: EmulatorState,
  what: string,
  act: (ctx: RequestContext, call: EmuCall, body: Record<string, unknown> | null) => Reply,
): Reply {
  const auth = authenticateMobius(ctx, state);
  if (!auth.ok) return auth.reply;
  const device = ownDeviceHere(ctx, state, auth.user, what);
  if ('status' in device) return device;
  const callId = ctx.params[1] ?? '';
  if (what === 'DELETE' && callId.startsWith('DefaultLocalId_')) {
    return failedSetupDelete(ctx, state, device.deviceId, callId);
  }
  const call = state.calls.get(callId);
  if (!call || call.deviceId !== device.deviceId || call.failedSetup) {
    ctx.deviate(`${what} for an unknown call ${callId}`);
    return restError(ctx, 404, 'Call not found.');
  }
  call.callIdUsed = true;
  const body = callBody(ctx, call, what);
  // After its DELETE a call is gone for the client too; a client that still talks to it did not stop.
  if (call.deleted || (call.state === 'ended' && what !== 'DELETE')) {
    ctx.deviate(`${what} for a call that already ended`);
    return restError(ctx, 404, 'Call is no longer active.');
  }
  const reply = act(ctx, call, body);
  // Waits on the call's view (waitForCall) see signalling too, not only media.
  call.peer.recheck();
  return reply;
}

function callBody(
  ctx: RequestContext,
  call: EmuCall,
  what: string,
): Record<string, unknown> | null {
  if (ctx.body.length === 0) return null;
  const parsed = parseJsonBody(ctx);
  if (!parsed.ok || !isObject(parsed.value)) {
    ctx.deviate(`${what}: ${parsed.ok ? 'body is not a JSON object' : parsed.problem}`);
    return null;
  }
  const body = parsed.value;
  const device = isObject(body.device) ? body.device : {};
  if (device.deviceId !== call.deviceId) ctx.deviate(`${what}: device.deviceId is not the line's`);
  if (body.callId !== call.callId) ctx.deviate(`${what}: callId in the body is not the path's`);
  const correlationId = device.correlationId;
  if (typeof correlationId !== 'string' || !correlationId) {
    ctx.deviate(`${what}: missing device.correlationId`);
  } else if (call.correlationId === null) {
    call.correlationId = correlationId;
  } else if (call.correlationId !== correlationId) {
    ctx.deviate(`${what}: correlationId changed from ${call.correlationId}`);
  }
  return body;
}

/**
 * §5 step 7: after a failed setup the SDK DELETEs its placeholder `DefaultLocalId_<uuid>`, since
 * no callId ever reached it. So does it when the call ends before it read the setup's 200 (a
 * busy callee's `mobius.calldisconnected` can overtake the HTTP response, seen with the
 * unmodified SDK): that is the call's DELETE. Expected (found by the body's correlationId), not a deviation;
 * answered 200 (what Mobius answers is unconfirmed: it knows no such call).
 */
function failedSetupDelete(
  ctx: RequestContext,
  state: EmulatorState,
  deviceId: string,
  callId: string,
): Reply {
  const parsed = ctx.body.length ? parseJsonBody(ctx) : null;
  const body = parsed?.ok && isObject(parsed.value) ? parsed.value : null;
  const device = isObject(body?.device) ? body.device : {};
  if (state.calls.takeFaultedSetup(deviceId, device.correlationId)) {
    return jsonReply(200, { callId });
  }
  const unread = state.calls.unreadSetup(deviceId, device.correlationId);
  if (unread) {
    const reply = remove(ctx, state, unread, body);
    unread.peer.recheck();
    return reply;
  }
  const call = state.calls.failedSetup(deviceId, device.correlationId);
  if (!call) {
    ctx.deviate(`DELETE for an unknown call ${callId}`);
    return restError(ctx, 404, 'Call not found.');
  }
  if (!body) ctx.deviate('DELETE without a body');
  if (call.deleted) ctx.deviate('DELETE for a failed setup twice');
  call.deleted = true;
  call.peer.recheck();
  return jsonReply(200, { callId });
}

function missingBody(ctx: RequestContext, what: string): Reply {
  ctx.deviate(`${what} without a body`);
  return restError(ctx, 400, 'A JSON body is required.');
}

/** §4 steps 1 and 3: sig_alerting once, then sig_connected. */
function patch(ctx: RequestContext, call: EmuCall, body: Record<string, unknown> | null): Reply {
  if (!body) return missingBody(ctx, 'PATCH');
  if (call.direction === 'outbound') {
    // The SDK PATCHes only incoming calls (§2 `patch`, §4); an outgoing one hears from Mobius.
    ctx.deviate('PATCH on an outgoing call');
    return jsonReply(400, { errorCode: 116, message: 'Parsing error.' });
  }
  if (body.inbandMedia !== false) ctx.deviate('PATCH: inbandMedia is not false');
  if (body.callState === 'sig_alerting') {
    if (call.alerted || call.state !== 'ringing') ctx.deviate('PATCH sig_alerting out of order');
    call.alerted = true;
  } else if (body.callState === 'sig_connected') {
    if (!call.alerted) ctx.deviate('PATCH sig_connected before sig_alerting');
    if (call.connectedPatch) ctx.deviate('PATCH sig_connected twice');
    call.connectedPatch = true;
    call.state = call.okSent ? 'connected' : 'connecting';
  } else {
    ctx.deviate(`PATCH: unknown callState ${JSON.stringify(body.callState)}`);
    return jsonReply(400, { errorCode: 116, message: 'Parsing error.' });
  }
  return jsonReply(200, { callId: call.callId, callData: { callState: body.callState } });
}

/** §3: the browser's ROAP in `localMedia.roap`, a new `mediaId` each time. */
function media(
  ctx: RequestContext,
  state: EmulatorState,
  call: EmuCall,
  body: Record<string, unknown> | null,
): Reply {
  if (!body) return missingBody(ctx, 'media');
  const local = isObject(body.localMedia) ? body.localMedia : {};
  if (typeof local.mediaId !== 'string' || !local.mediaId) ctx.deviate('media: missing mediaId');
  const roap = isObject(local.roap) ? local.roap : null;
  if (!roap) {
    ctx.deviate('media: missing localMedia.roap');
    return jsonReply(400, { errorCode: 116, message: 'Parsing error.' });
  }
  const { messageType, seq } = roap;
  if (messageType === 'ANSWER') {
    if (call.offerBy !== 'emulator') {
      // An outgoing call's only OFFER so far is the client's own (§3, §5).
      ctx.deviate('ROAP ANSWER with no OFFER from the emulator to answer');
      return jsonReply(200, { callId: call.callId });
    }
    if (seq !== call.offerSeq) {
      ctx.deviate(
        `ROAP ANSWER seq ${JSON.stringify(seq)} out of order (offer seq ${call.offerSeq})`,
      );
    }
    if (call.answered) ctx.deviate('ROAP ANSWER twice for one OFFER');
    else if (typeof roap.sdp !== 'string' || !roap.sdp.includes('m=audio')) {
      ctx.deviate('ROAP ANSWER without an audio SDP');
    } else {
      call.answered = true;
      if (call.state === 'ringing') call.state = 'connecting';
      void acceptAnswer(state, call, roap.sdp);
    }
  } else if (
    messageType === 'OK' &&
    call.offerBy === 'client' &&
    call.answered &&
    !call.okReceived
  ) {
    // §5 step 4: the client's OK for the callee's ANSWER, with the ANSWER's seq.
    if (seq !== call.offerSeq) {
      ctx.deviate(`ROAP OK seq ${JSON.stringify(seq)} out of order (answer seq ${call.offerSeq})`);
    }
    clientOk(call);
  } else if (messageType === 'ERROR') {
    call.roapErrors.push(String(roap.errorType ?? 'ERROR'));
  } else {
    // OK only answers an ANSWER of the emulator's, and the client makes no offer of its own
    // after an outgoing call's setup (its hold/resume go through services/callhold).
    ctx.deviate(`ROAP ${JSON.stringify(messageType)} not expected on this call now`);
  }
  return jsonReply(200, { callId: call.callId });
}

/** §2/§6 call keepalive: 200 while the call lives (the SDK reads only the status). */
function status(_ctx: RequestContext, call: EmuCall): Reply {
  // Not only while connected: on Mercury `online` the SDK checks every active call, ringing too.
  call.statusChecks++;
  return jsonReply(200, { callId: call.callId });
}

/** §2: DELETE with `{device, callId, metrics, causecode, cause}`. */
function remove(
  ctx: RequestContext,
  state: EmulatorState,
  call: EmuCall,
  body: Record<string, unknown> | null,
): Reply {
  if (!body) ctx.deviate('DELETE without a body');
  const causecode = body?.causecode;
  if (body && (typeof causecode !== 'number' || CAUSES[causecode] !== body.cause)) {
    ctx.deviate(
      `DELETE: causecode/cause ${JSON.stringify([causecode, body.cause])} not one of §2's`,
    );
  }
  if (body && !isObject(body.metrics)) ctx.deviate('DELETE: missing metrics');
  call.deleted = true;
  if (call.state !== 'ended') {
    endCall(state, call, {
      by: 'client',
      reason: 'deleted',
      ...(typeof causecode === 'number' ? { causecode } : {}),
      ...(typeof body?.cause === 'string' ? { cause: body.cause } : {}),
      at: state.now(),
    });
  } else if (call.end && typeof causecode === 'number') {
    call.end.causecode = causecode;
    if (typeof body?.cause === 'string') call.end.cause = body.cause;
  }
  return jsonReply(200, { callId: call.callId });
}
