/**
 * Performs the call machine's request specs with the Mobius call API and turns the outcome into
 * the machine's data (status, Retry-After, message).
 */
import type { Fetch, Random } from '../ports';
import { type CallSpec, sendCall } from '../webex/calls';
import type { Outcome } from '../webex/http';
import type { CallTarget } from './orphans';
import type { RequestOutcome } from './types';

export function toRequestOutcome(outcome: Outcome<unknown>): RequestOutcome {
  if (outcome.ok) {
    // Only the setup POST's body is read: the call's id.
    const value = outcome.value as { callId?: unknown } | null;
    const callId = typeof value?.callId === 'string' ? value.callId : undefined;
    return callId ? { ok: true, callId } : { ok: true };
  }
  const error = outcome.error;
  const result: RequestOutcome = { ok: false, message: error.message };
  if (error.kind === 'http') {
    result.status = error.status;
    if (error.retryAfter !== undefined) result.retryAfter = error.retryAfter;
    const body = error.body;
    if (typeof body !== 'object' || body === null) result.noBody = true;
    else {
      const code = Number((body as Record<string, unknown>).errorCode);
      if (Number.isFinite(code)) result.errorCode = code;
    }
  } else if (error.kind === 'auth' && error.status !== undefined) {
    result.status = error.status;
  }
  return result;
}

/** The port the interpreter sends through: the host binds server, auth and fetch. */
export type SendCallRequest = (spec: CallSpec) => Promise<RequestOutcome>;

export interface SenderDeps {
  fetch: Fetch;
  random: Random;
  /** `Bearer …` from the worker; `rejected` is one a server just refused (it refreshes). */
  token(rejected?: string): Promise<string | null>;
}

/** One call request to `target`; a 401 is retried once with a token the worker refreshed. */
export async function sendAuthorized(
  deps: SenderDeps,
  target: CallTarget,
  spec: CallSpec,
): Promise<RequestOutcome> {
  let used: string | undefined;
  const attempt = async (rejected?: string) => {
    const authorization = await deps.token(rejected);
    if (!authorization) return null;
    used = authorization;
    return sendCall(
      deps.fetch,
      target.serverUrl,
      {
        authorization,
        clientDeviceUri: target.clientDeviceUri,
        trackingId: `webex-line-extension_${deps.random.uuid()}`,
      },
      spec,
    );
  };
  let outcome = await attempt();
  if (outcome && !outcome.ok && outcome.error.kind === 'http' && outcome.error.status === 401)
    outcome = await attempt(used);
  if (!outcome) return { ok: false, message: 'Not signed in.' };
  return toRequestOutcome(outcome);
}
