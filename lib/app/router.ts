/**
 * The runtime message router: the one place that checks who sent a message (classifySender,
 * pageOf) and what it may ask, then hands the request to the answers for its sender class:
 * extension-requests.ts for the extension's pages, page-requests.ts for our content script.
 */
import {
  CONTENT_SCRIPT_REQUESTS,
  type RequestMap,
  type RequestType,
  type Response,
} from '../messaging/protocol';
import { classifySender, pageOf, type SenderInfo } from '../messaging/senders';
import { EXTENSION_HANDLERS } from './extension-requests';
import { PageCallRefusal } from './page-calls';
import { answerPage } from './page-requests';
import { type RouterContext, RouterError } from './router-context';

export type { SenderInfo } from '../messaging/senders';

const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>([
  'status/get',
  'auth/signIn',
  'auth/signOut',
  'line/register',
  'line/deregister',
  'settings/get',
  'settings/save',
  'settings/calls',
  'sites/list',
  'sites/add',
  'sites/remove',
  'diagnostics/get',
  'diagnostics/clear',
  'dev/timing',
  'devices/list',
  'devices/remove',
  'calls/command',
  'page/call',
  'pageCall/get',
  'pageCall/confirm',
]);

/** The largest payload any request needs (settings with a long URL) is far below this. */
export const MAX_PAYLOAD_CHARS = 16_384;

function isRequest(message: unknown): message is { type: RequestType; payload: unknown } {
  if (typeof message !== 'object' || message === null) return false;
  const { type, payload } = message as Record<string, unknown>;
  return (
    typeof type === 'string' &&
    REQUEST_TYPES.has(type) &&
    (payload === undefined || typeof payload === 'object')
  );
}

function payloadTooLarge(payload: unknown): boolean {
  try {
    return (JSON.stringify(payload) ?? '').length > MAX_PAYLOAD_CHARS;
  } catch {
    // Cycles cannot arrive through runtime messaging; treat anything unserialisable as hostile.
    return true;
  }
}

function fail(code: string, message: string): Response<never> {
  return { ok: false, error: { code, message } };
}

/** The requests whose answer depends on the organisation's policy: it is read first. */
const NEEDS_FRESH_POLICY: ReadonlySet<string> = new Set([
  'auth/signIn',
  'line/register',
  'settings/get',
  'settings/save',
  'sites/list',
  'sites/add',
]);

/**
 * Answer one runtime message. Returns `undefined` (no answer at all) for senders we do not
 * serve and for messages that are not ours; errors cross the boundary as data.
 */
export async function routeMessage(
  message: unknown,
  sender: SenderInfo,
  ctx: RouterContext,
): Promise<Response<unknown> | undefined> {
  if (!isRequest(message)) return undefined;
  const { sites } = await ctx.settings.load();
  const kind = classifySender(sender, ctx, sites);
  if (kind === 'unknown') return undefined;
  // A policy read that fails keeps the last policy (policy-sync logs it): answer with that.
  if (NEEDS_FRESH_POLICY.has(message.type)) await ctx.freshPolicy?.().catch(() => undefined);
  if (payloadTooLarge(message.payload)) return fail('invalid', 'The request is too large.');
  try {
    if (kind === 'content') {
      // The top frame of an opted-in site (classifySender): its tab and the origin it shows.
      const page = pageOf(sender, ctx, sites);
      if (!page || !(CONTENT_SCRIPT_REQUESTS as readonly string[]).includes(message.type)) {
        return fail('forbidden', 'Not allowed from a web page.');
      }
      return { ok: true, value: await answerPage(message.type, message.payload, page, ctx) };
    }
    // A page's call is asked by its content script only (the popup dials with calls/command).
    if (message.type === 'page/call')
      return fail('forbidden', 'Only a call control on a web page asks this.');
    return {
      ok: true,
      value: await EXTENSION_HANDLERS[message.type](message.payload, ctx, sender),
    };
  } catch (error) {
    if (error instanceof RouterError || error instanceof PageCallRefusal)
      return fail(error.code, error.message);
    return fail('failed', error instanceof Error ? error.message : String(error));
  }
}

export type { RequestMap };
