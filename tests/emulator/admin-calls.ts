/**
 * Admin API for calls and Mercury: ring a line ("Call me"), hang up (either direction), who
 * answers the numbers a user dials (callees), Mercury faults.
 */

import { callerEnds, ringUser } from './call-flow';
import { callView } from './call-store';
import { calleeKey, parseCallee } from './callees';
import { restErrorBody } from './errors';
import { isObject, jsonReply, type Reply, type RequestContext } from './http';
import { MERCURY_CLOSE_CODES, type MercuryFault } from './mercury-types';
import { BASE_ONLY, type Route } from './router';
import type { EmulatorState } from './state';
import { userByEmail } from './users';

export function callAdminRoutes(state: EmulatorState): Route[] {
  const route = (method: string, path: string, handle: Route['handle']): Route => ({
    method,
    pattern: new RegExp(`^/_emulator${path}$`),
    servers: BASE_ONLY,
    kind: 'admin',
    handle,
  });
  return [
    route('GET', '/calls', (ctx) => {
      const userId = userFilter(ctx);
      if (userId === null) return bad(ctx, 'no such test user');
      return jsonReply(200, { calls: state.calls.list(userId).map(callView) });
    }),
    route('POST', '/calls', async (ctx) => {
      const body = jsonBody(ctx);
      if (!body || typeof body.email !== 'string') return bad(ctx, 'email is required');
      const problem = ringProblem(body);
      if (problem) return bad(ctx, problem);
      const call = await ringUser(state, {
        email: body.email,
        ...(typeof body.callerName === 'string' ? { callerName: body.callerName } : {}),
        ...(typeof body.callerNumber === 'string' ? { callerNumber: body.callerNumber } : {}),
        ...(typeof body.ringTimeoutMs === 'number' ? { ringTimeoutMs: body.ringTimeoutMs } : {}),
        ...(typeof body.toneHz === 'number' ? { toneHz: body.toneHz } : {}),
        ...(typeof body.listenHz === 'number' ? { listenHz: body.listenHz } : {}),
        ...(typeof body.amplitude === 'number' ? { amplitude: body.amplitude } : {}),
      });
      if (typeof call === 'string') return jsonReply(409, restErrorBody(409, call, ctx.trackingId));
      return jsonReply(201, callView(call));
    }),
    route('POST', '/calls/([^/]+)/hangup', (ctx) => {
      const call = state.calls.get(ctx.params[0] ?? '');
      if (!call) return jsonReply(404, restErrorBody(404, 'no such call', ctx.trackingId));
      if (call.state === 'ended') return bad(ctx, 'the call already ended');
      callerEnds(state, call, 'hangup');
      return jsonReply(200, callView(call));
    }),
    route('GET', '/callees', () => jsonReply(200, state.callees.list())),
    route('POST', '/callees', (ctx) => {
      const body = jsonBody(ctx);
      const number = typeof body?.number === 'string' ? calleeKey(body.number) : '';
      if (!/\d/.test(number)) return bad(ctx, 'number is required (the dialled number)');
      const behaviour = parseCallee(body);
      if (typeof behaviour === 'string') return bad(ctx, behaviour);
      state.callees.set(number, behaviour);
      return jsonReply(201, { number, ...behaviour });
    }),
    route('POST', '/callees/default', (ctx) => {
      const body = jsonBody(ctx);
      const behaviour = parseCallee(body);
      if (typeof behaviour === 'string') return bad(ctx, behaviour);
      if (body && 'number' in body) return bad(ctx, 'the default has no number');
      state.callees.setDefault(behaviour);
      return jsonReply(200, state.callees.list());
    }),
    route('DELETE', '/callees', () => {
      state.callees.clear();
      return jsonReply(200, state.callees.list());
    }),
    route('GET', '/mercury', (ctx) => {
      const userId = userFilter(ctx);
      if (userId === null) return bad(ctx, 'no such test user');
      return jsonReply(200, { sockets: state.mercury.sockets(userId) });
    }),
    route('POST', '/mercury/faults', (ctx) => {
      const fault = parseMercuryFault(jsonBody(ctx));
      if (typeof fault === 'string') return bad(ctx, fault);
      const userId = fault.email === undefined ? undefined : userByEmail(fault.email)?.id;
      if (fault.email !== undefined && !userId) return bad(ctx, 'no such test user');
      return jsonReply(201, { affected: state.mercury.fault(fault, userId) });
    }),
  ];
}

export function parseMercuryFault(body: Record<string, unknown> | null): MercuryFault | string {
  if (!body) return 'body must be a JSON object';
  const email = typeof body.email === 'string' ? { email: body.email } : {};
  if (body.action === 'shutdown') return { action: 'shutdown', ...email };
  if (body.action === 'missingPongs') {
    const count = body.count ?? 1;
    if (!Number.isInteger(count) || (count as number) < 1)
      return 'count must be a positive integer';
    return { action: 'missingPongs', count: count as number, ...email };
  }
  if (body.action === 'close') {
    if (!MERCURY_CLOSE_CODES.includes(body.code as number)) {
      return `code must be one of ${MERCURY_CLOSE_CODES.join(', ')}`;
    }
    const reason = typeof body.reason === 'string' ? { reason: body.reason } : {};
    return { action: 'close', code: body.code as number, ...reason, ...email };
  }
  return 'action must be close, missingPongs or shutdown';
}

function ringProblem(body: Record<string, unknown>): string | null {
  const t = body.ringTimeoutMs;
  if (t !== undefined && (!Number.isInteger(t) || (t as number) < 0)) {
    return 'ringTimeoutMs must be a non-negative integer';
  }
  const a = body.amplitude;
  if (a !== undefined && (typeof a !== 'number' || a < 0 || a > 1)) return 'amplitude must be 0..1';
  const f = body.toneHz;
  if (f !== undefined && (typeof f !== 'number' || f < 100 || f > 3500)) {
    return 'toneHz must be 100..3500 (PCMU at 8 kHz)';
  }
  return null;
}

/** undefined: all users; null: an unknown email. */
function userFilter(ctx: RequestContext): string | undefined | null {
  const email = ctx.url.searchParams.get('email');
  if (email === null) return undefined;
  return userByEmail(email)?.id ?? null;
}

function jsonBody(ctx: RequestContext): Record<string, unknown> | null {
  try {
    const text = ctx.body.toString('utf8').trim();
    const value: unknown = text ? JSON.parse(text) : {};
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

function bad(ctx: RequestContext, description: string): Reply {
  return jsonReply(400, restErrorBody(400, description, ctx.trackingId));
}
