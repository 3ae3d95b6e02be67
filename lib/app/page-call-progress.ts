/**
 * How a placed page call goes on, read from the views of the calls (the calls document's), and
 * what a page (or the confirmation window) is told of its request. Pure, like the requests
 * themselves (page-calls.ts); the shell (page-call-host.ts) passes it the views it gets.
 */

import type { CallingView } from '../messaging/calls';
import type { PageCallState } from '../messaging/protocol';
import { type PageCallRequest, type PageCalls, requestOfTab } from './page-calls';

/**
 * A placed call that has not shown up in any view of the calls after this long is taken as
 * failed (the dial's answer normally lists it at once).
 */
export const PLACED_GRACE_MS = 20_000;

const liveState = (view: CallingView | undefined, key: string) =>
  view?.calls.find((call) => call.key === key);

/**
 * Follow the placed calls through a view of the calls: a call listed is seen (and remembered if
 * it connected); a call seen before and listed no more, or named as the last one ended, has
 * ended; one never seen after PLACED_GRACE_MS has failed. Returns the same object when nothing
 * changed, so the shell writes only real changes.
 */
export function observe(state: PageCalls, view: CallingView | undefined, now: number): PageCalls {
  let changed = false;
  const requests = state.requests.map((request) => {
    if (request.phase !== 'placed' || !request.key || !view) return request;
    const call = liveState(view, request.key);
    let next = request;
    if (call) {
      if (!request.seen || (call.state === 'connected' && !request.connected)) {
        next = {
          ...request,
          seen: true,
          ...(call.state === 'connected' || request.connected ? { connected: true } : {}),
        };
      }
    } else if (request.seen || view.lastEnded?.key === request.key) {
      next = { ...request, phase: 'ended' };
    } else if (now - (request.placedAt ?? request.askedAt) > PLACED_GRACE_MS) {
      next = { ...request, phase: 'failed' };
    }
    if (next !== request) changed = true;
    return next;
  });
  return changed ? { requests } : state;
}

/**
 * What the page in `tabId`, showing `origin`, may learn: the state of the call it asked for, or
 * nothing (no request, another tab's, or another origin's).
 */
export function pageCallState(
  state: PageCalls,
  page: { tabId: number; origin: string },
  view: CallingView | undefined,
  now: number,
): PageCallState | undefined {
  const request = requestOfTab(state, page.tabId);
  if (!request || request.origin !== page.origin) return undefined;
  return requestState(request, view, now);
}

/** A request's state as a page (or the confirmation window) is told it. */
export function requestState(
  request: PageCallRequest,
  view: CallingView | undefined,
  now: number,
): PageCallState {
  switch (request.phase) {
    case 'confirming':
      return 'confirming';
    case 'ended':
    case 'refused':
    case 'failed':
      return request.phase;
    case 'placed': {
      const call = request.key ? liveState(view, request.key) : undefined;
      if (call) return call.state === 'connected' ? 'connected' : 'ringing';
      if (view && request.key && (request.seen || view.lastEnded?.key === request.key))
        return 'ended';
      if (now - (request.placedAt ?? request.askedAt) > PLACED_GRACE_MS) return 'failed';
      return 'ringing';
    }
  }
}
