/**
 * The Mobius call API for placing calls and mid-call services (mobius-calls.md §2, §5, §6):
 * the setup `POST {server}devices/{deviceId}/call`, `POST {server}services/callhold/hold|resume`
 * and `POST {server}services/calltransfer/commit`. Strict like calls.ts: a request that strays
 * from the references is served as Mobius would and recorded as a deviation.
 */

import { callerEnds, endCall, newCallFields } from './call-flow';
import type { EmuCall } from './call-store';
import { renegotiate, runCallee } from './callee-flow';
import { calleeKey, sdkNumber } from './callees';
import { restError } from './errors';
import { isObject, jsonReply, parseJsonBody, type Reply, type RequestContext } from './http';
import { newUuid } from './ids';
import { MediaPeer } from './media-peer';
import { authenticateMobius, ownDeviceHere } from './mobius';
import { MOBIUS_SERVERS, type Route } from './router';
import type { EmulatorState } from './state';

const API = '^\\/api\\/v1\\/calling\\/web\\/';

/** §2 error table: the SDK maps these Mobius errorCodes (in a 503, or a 403 with a body). */
const PARSING_ERROR = { errorCode: 116, message: 'Parsing error.' };
const NOT_ACCEPTABLE = { errorCode: 118, message: 'Not acceptable.' };

export function outgoingCallRoutes(state: EmulatorState): Route[] {
  const route = (path: string, endpoint: Route['endpoint'], handle: Route['handle']): Route => ({
    method: 'POST',
    pattern: new RegExp(`${API}${path}$`),
    servers: MOBIUS_SERVERS,
    kind: 'api',
    endpoint,
    handle,
  });
  return [
    {
      ...route('devices\\/([^/]+)\\/call', 'callSetup', (c) => setup(c, state)),
      // An injected error is a failed setup too: the client's DefaultLocalId DELETE is due.
      onFaultAnswer: (c, status) => {
        if (status < 400) return;
        const parsed = c.body.length ? parseJsonBody(c) : null;
        const body = parsed?.ok && isObject(parsed.value) ? parsed.value : {};
        const device = isObject(body.device) ? body.device : {};
        const correlationId = device.correlationId;
        if (typeof correlationId === 'string' && correlationId) {
          state.calls.noteFaultedSetup(c.params[0] ?? '', correlationId);
        }
      },
    },
    route('services\\/callhold\\/hold', 'callHold', (c) =>
      withServiceCall(c, state, 'hold', (call) => holdOrResume(c, state, call, 'hold')),
    ),
    route('services\\/callhold\\/resume', 'callResume', (c) =>
      withServiceCall(c, state, 'resume', (call) => holdOrResume(c, state, call, 'resume')),
    ),
    route('services\\/calltransfer\\/commit', 'callTransfer', (c) =>
      withServiceCall(c, state, 'transfer', (call, body) => transfer(c, state, call, body)),
    ),
  ];
}

function jsonObject(ctx: RequestContext, what: string): Record<string, unknown> | null {
  if (ctx.body.length === 0) {
    ctx.deviate(`${what} without a body`);
    return null;
  }
  const parsed = parseJsonBody(ctx);
  if (!parsed.ok || !isObject(parsed.value)) {
    ctx.deviate(`${what}: ${parsed.ok ? 'body is not a JSON object' : parsed.problem}`);
    return null;
  }
  return parsed.value;
}

/** §5 step 2: the OFFER travels in the setup; the callee's script runs after the 200. */
function setup(ctx: RequestContext, state: EmulatorState): Reply {
  const auth = authenticateMobius(ctx, state);
  if (!auth.ok) return auth.reply;
  const line = ownDeviceHere(ctx, state, auth.user, 'call setup');
  if ('status' in line) return line;
  const body = jsonObject(ctx, 'call setup');
  if (!body) return jsonReply(400, PARSING_ERROR);
  const device = isObject(body.device) ? body.device : {};
  if (device.deviceId !== line.deviceId)
    ctx.deviate('call setup: device.deviceId is not the path’s');
  const correlationId = device.correlationId;
  if (typeof correlationId !== 'string' || !correlationId) {
    // Without it no event of the call could reach the SDK (§1.7).
    ctx.deviate('call setup: missing device.correlationId');
    return jsonReply(400, PARSING_ERROR);
  }
  const callee = body.callee;
  if (!isObject(callee)) {
    // Only guest calling sets up without a callee (§2); the test users are calling users.
    ctx.deviate('call setup without callee');
    return jsonReply(400, PARSING_ERROR);
  }
  if (callee.type !== 'uri' && callee.type !== 'tel') {
    ctx.deviate(`call setup: callee.type ${JSON.stringify(callee.type)} is not uri or tel`);
  }
  const number = typeof callee.address === 'string' ? sdkNumber(callee.address) : null;
  if (number === null) {
    ctx.deviate(
      `call setup: callee.address ${JSON.stringify(callee.address)} is not tel:<number> as the SDK sends it (digits and ()*#+. only)`,
    );
    return jsonReply(400, PARSING_ERROR);
  }
  const local = isObject(body.localMedia) ? body.localMedia : {};
  if (typeof local.mediaId !== 'string' || !local.mediaId) {
    ctx.deviate('call setup: missing localMedia.mediaId');
  }
  const roap = isObject(local.roap) ? local.roap : {};
  if (roap.messageType !== 'OFFER' || roap.seq !== 1) {
    ctx.deviate(
      `call setup: localMedia.roap is not an OFFER seq 1 (${JSON.stringify([roap.messageType, roap.seq])})`,
    );
    return jsonReply(400, PARSING_ERROR);
  }
  if (typeof roap.sdp !== 'string' || !roap.sdp.includes('m=audio')) {
    ctx.deviate('call setup: the OFFER has no audio SDP');
    return jsonReply(400, PARSING_ERROR);
  }
  const behaviour = state.callees.get(number);
  const peer = new MediaPeer({
    ...(behaviour.toneHz !== undefined ? { toneHz: behaviour.toneHz } : {}),
    ...(behaviour.amplitude !== undefined ? { amplitude: behaviour.amplitude } : {}),
  });
  // Silent until the callee answers, unless the network plays early media.
  peer.sending = behaviour.earlyMedia === true;
  const call: EmuCall = {
    ...newCallFields(state),
    callId: newUuid(),
    direction: 'outbound',
    userId: auth.user.id,
    deviceId: line.deviceId,
    server: line.server,
    caller: { name: auth.user.displayName, number: auth.user.phoneNumber ?? '' },
    callee: { name: behaviour.name ?? number, number },
    behaviour,
    correlationId,
    offerBy: 'client',
    listenHz: behaviour.listenHz ?? 440,
    peer,
  };
  state.calls.add(call);
  if (behaviour.fail) {
    // No callId reaches the client: its DELETE goes to DefaultLocalId_<uuid> (§5 step 7).
    call.failedSetup = { ...behaviour.fail };
    endCall(state, call, { by: 'callee', reason: 'failed', at: state.now() });
    const { status, errorCode } = behaviour.fail;
    if (errorCode === undefined) return restError(ctx, status, 'The call could not be placed.');
    return jsonReply(status, { errorCode });
  }
  // After the 200 is written (the dispatcher writes it before any immediate runs).
  setImmediate(() => {
    void runCallee(state, call, roap.sdp as string);
  });
  return jsonReply(200, {
    device: { deviceId: line.deviceId, correlationId },
    callId: call.callId,
    callData: { callState: 'sig_proceeding' },
  });
}

/**
 * Auth, then the `{device:{deviceId, correlationId}, callId}` every services body carries: the
 * device must be the caller's own line on this listener, the call one of that line's.
 */
function withServiceCall(
  ctx: RequestContext,
  state: EmulatorState,
  what: string,
  act: (call: EmuCall, body: Record<string, unknown>) => Reply,
): Reply {
  const auth = authenticateMobius(ctx, state);
  if (!auth.ok) return auth.reply;
  const body = jsonObject(ctx, what);
  if (!body) return jsonReply(400, PARSING_ERROR);
  const device = isObject(body.device) ? body.device : {};
  const deviceId = typeof device.deviceId === 'string' ? device.deviceId : '';
  const line = ownDeviceHere({ ...ctx, params: [deviceId] }, state, auth.user, what);
  if ('status' in line) return line;
  const callId = typeof body.callId === 'string' ? body.callId : '';
  const call = state.calls.get(callId);
  if (!call || call.deviceId !== line.deviceId || call.failedSetup) {
    ctx.deviate(`${what} for an unknown call ${callId}`);
    return restError(ctx, 404, 'Call not found.');
  }
  call.callIdUsed = true;
  if (device.correlationId !== call.correlationId) {
    ctx.deviate(`${what}: device.correlationId is not the call’s`);
  }
  if (call.deleted || call.state === 'ended') {
    ctx.deviate(`${what} for a call that already ended`);
    return restError(ctx, 404, 'Call is no longer active.');
  }
  const reply = act(call, body);
  call.peer.recheck();
  return reply;
}

/**
 * §6: 200, then the re-offer and the midCallService event (callee-flow.ts). A hold of a held
 * call, a resume of a call not held, either while one is under way or before the call is
 * connected: a deviation, answered 503 with the table's 118 "not acceptable" (what Mobius
 * answers there is unconfirmed).
 */
function holdOrResume(
  ctx: RequestContext,
  state: EmulatorState,
  call: EmuCall,
  kind: 'hold' | 'resume',
): Reply {
  const problem =
    call.state !== 'connected'
      ? `${kind} of a call that is not connected (${call.state})`
      : call.midCall
        ? `${kind} while a ${call.midCall} is under way`
        : kind === 'hold' && call.held
          ? 'hold of a call already held'
          : kind === 'resume' && !call.held
            ? 'resume of a call that is not held'
            : null;
  if (problem) {
    ctx.deviate(problem);
    return jsonReply(503, NOT_ACCEPTABLE);
  }
  call.midCall = kind;
  setImmediate(() => {
    void renegotiate(state, call, kind);
  });
  return jsonReply(200, {
    device: { deviceId: call.deviceId, correlationId: call.correlationId },
    callId: call.callId,
  });
}

/**
 * §2 blind transfer: recorded, answered 200, and then the call ends for the transferor with
 * `mobius.calldisconnected` (the SDK then DELETEs it). Consult transfer is not emulated.
 */
function transfer(
  ctx: RequestContext,
  state: EmulatorState,
  call: EmuCall,
  body: Record<string, unknown>,
): Reply {
  if (body.transferType === 'CONSULT') {
    return restError(ctx, 501, 'Consult transfer is not emulated.');
  }
  if (body.transferType !== 'BLIND') {
    ctx.deviate(
      `transfer: transferType ${JSON.stringify(body.transferType)} is not BLIND or CONSULT`,
    );
    return jsonReply(400, PARSING_ERROR);
  }
  const context = isObject(body.blindTransferContext) ? body.blindTransferContext : {};
  if (context.transferorCallId !== call.callId) {
    ctx.deviate('transfer: blindTransferContext.transferorCallId is not the call’s');
  }
  const destination = context.destination;
  if (typeof destination !== 'string' || !calleeKey(destination)) {
    ctx.deviate('transfer: blindTransferContext.destination is missing');
    return jsonReply(400, PARSING_ERROR);
  }
  if (call.state !== 'connected') {
    ctx.deviate(`transfer of a call that is not connected (${call.state})`);
    return jsonReply(503, NOT_ACCEPTABLE);
  }
  call.transfers.push({ to: destination, at: state.now() });
  setImmediate(() => callerEnds(state, call, 'transferred'));
  return jsonReply(200, {
    device: { deviceId: call.deviceId, correlationId: call.correlationId },
    callId: call.callId,
  });
}
