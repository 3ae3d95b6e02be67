/**
 * Calls asked for by web pages (click to call), as pure data and functions: the requests, one per
 * tab, and how each moves on (how a placed call goes on, and what a page may learn of its own:
 * page-call-progress.ts). The shell (page-call-host.ts) persists the state in the session's
 * storage (a worker restart keeps it; a browser restart, whose tab ids start again, does not),
 * opens the confirmation window and dials.
 *
 * A request's life: `confirming` (the extension's own window asks the user) -> `placed` (the user
 * clicked Call: the worker chose the call's key and asked the calls document to dial) -> final:
 * `ended`, `refused` (Cancel, or the window closed) or `failed`. A page sees only its tab's
 * request, only while the tab shows the origin that asked, and only as a `PageCallState`: never
 * the call's key, ids, the other party or any other call.
 */

export type { PageCallState } from '../messaging/protocol';

export type PageCallPhase = 'confirming' | 'placed' | 'ended' | 'refused' | 'failed';

export interface PageCallRequest {
  /** Random; names the request to the confirmation window (never to the page). */
  id: string;
  tabId: number;
  /** The origin of the page that asked: only that origin, in that tab, sees the call. */
  origin: string;
  /** As it will be dialled (dialledNumber's form). */
  number: string;
  askedAt: number;
  phase: PageCallPhase;
  /** The confirmation window, and the tab in it (the only sender that may answer). */
  windowId?: number;
  windowTabId?: number;
  /** Chosen by the worker when the user clicked Call: the call's correlationId. */
  key?: string;
  placedAt?: number;
  /** The call has appeared in a view of the calls: its absence now means it ended. */
  seen?: boolean;
  /** Connected at least once (a call that ended shows `ended` either way). */
  connected?: boolean;
}

export interface PageCalls {
  requests: PageCallRequest[];
}

export const NO_PAGE_CALLS: PageCalls = { requests: [] };

/** Why a page's request was refused, with a code the content script can tell the user about. */
export class PageCallRefusal extends Error {
  constructor(
    readonly code: 'busy' | 'invalid' | 'notReady' | 'forbidden' | 'gone',
    message: string,
  ) {
    super(message);
    this.name = 'PageCallRefusal';
  }
}

const FINAL: ReadonlySet<PageCallPhase> = new Set(['ended', 'refused', 'failed']);

export const isFinal = (request: PageCallRequest): boolean => FINAL.has(request.phase);

/** The requests `keep` keeps (the same object when it keeps them all). */
const without = (state: PageCalls, keep: (request: PageCallRequest) => boolean): PageCalls => {
  const requests = state.requests.filter(keep);
  return requests.length === state.requests.length ? state : { requests };
};

const replace = (state: PageCalls, next: PageCallRequest): PageCalls => ({
  requests: state.requests.map((request) => (request.id === next.id ? next : request)),
});

export const requestOf = (state: PageCalls, id: string): PageCallRequest | undefined =>
  state.requests.find((request) => request.id === id);

export const requestOfTab = (state: PageCalls, tabId: number): PageCallRequest | undefined =>
  state.requests.find((request) => request.tabId === tabId);

/**
 * A page asks to call `number` (already checked with dialledNumber). One request per tab at a
 * time: refused while that tab's request waits for the user or its call goes on. And one
 * confirmation window at a time in the whole browser: no page (or many tabs) can stack them.
 * A finished request of the same tab is replaced.
 */
export function ask(
  state: PageCalls,
  page: { tabId: number; origin: string },
  number: string,
  id: string,
  now: number,
): PageCalls {
  const mine = requestOfTab(state, page.tabId);
  if (mine && !isFinal(mine)) {
    throw new PageCallRefusal('busy', 'A call from this page is already waiting or in progress.');
  }
  if (state.requests.some((request) => request.phase === 'confirming')) {
    throw new PageCallRefusal('busy', 'Another call is waiting for the user to confirm it.');
  }
  const request: PageCallRequest = {
    id,
    tabId: page.tabId,
    origin: page.origin,
    number,
    askedAt: now,
    phase: 'confirming',
  };
  return { requests: [...without(state, (r) => r.tabId !== page.tabId).requests, request] };
}

/** The confirmation window for `id` is open (a request dropped meanwhile stays dropped). */
export function windowOpened(
  state: PageCalls,
  id: string,
  windowId: number,
  windowTabId: number | undefined,
): PageCalls {
  const request = requestOf(state, id);
  if (request?.phase !== 'confirming') return state;
  return replace(state, {
    ...request,
    windowId,
    ...(windowTabId === undefined ? {} : { windowTabId }),
  });
}

/**
 * Whether `fromTabId` may answer request `id`: the tab of the window opened for it, once known.
 * Before the window's tab is known no answer is taken (the shell waits for the window first).
 */
export function mayAnswer(request: PageCallRequest, fromTabId: number | undefined): boolean {
  return request.windowTabId !== undefined && request.windowTabId === fromTabId;
}

/**
 * The user answered in the confirmation window. Accepting places the call under `key` (the
 * worker's, never a page's): the result says what to dial. Anything but a waiting request is
 * left alone (a second click, a late answer after the tab went away).
 */
export function answer(
  state: PageCalls,
  id: string,
  accept: boolean,
  key: string,
  now: number,
): { state: PageCalls; dial: { key: string; number: string } | null } {
  const request = requestOf(state, id);
  if (request?.phase !== 'confirming') return { state, dial: null };
  if (!accept) return { state: replace(state, { ...request, phase: 'refused' }), dial: null };
  return {
    state: replace(state, { ...request, phase: 'placed', key, placedAt: now }),
    dial: { key, number: request.number },
  };
}

/** The dial request itself failed (the calls document refused it, or is not there). */
export function dialFailed(state: PageCalls, id: string): PageCalls {
  const request = requestOf(state, id);
  if (request?.phase !== 'placed' || request.seen) return state;
  return replace(state, { ...request, phase: 'failed' });
}

/** A confirmation window closed: its request, if still waiting, is refused. */
export function windowClosed(state: PageCalls, windowId: number): PageCalls {
  const request = state.requests.find((r) => r.windowId === windowId && r.phase === 'confirming');
  return request ? replace(state, { ...request, phase: 'refused' }) : state;
}

/**
 * The tab is gone, or shows another page: its request is dropped (a call already placed goes on
 * in the calls document; no page sees it any more). `origin` is the tab's new origin when the
 * browser tells it (it does for opted-in sites), else undefined: dropped to be safe.
 */
export function tabChanged(state: PageCalls, tabId: number, origin?: string): PageCalls {
  return without(state, (r) => r.tabId !== tabId || (origin !== undefined && r.origin === origin));
}

/** The opted-in sites changed: requests of sites no longer listed are dropped. */
export function onlySites(state: PageCalls, sites: readonly string[]): PageCalls {
  return without(state, (r) => sites.includes(r.origin));
}

/**
 * The confirmation windows to close: those whose request was dropped or refused. A window whose
 * user clicked Call stays until the dial is answered (it closes itself, or says it failed).
 */
export function windowsToClose(before: PageCalls, after: PageCalls): number[] {
  const kept = new Set(
    after.requests
      .filter((r) => r.phase === 'confirming' || r.phase === 'placed')
      .map((r) => r.windowId),
  );
  return before.requests
    .filter((r) => r.phase === 'confirming' && r.windowId !== undefined && !kept.has(r.windowId))
    .map((r) => r.windowId as number);
}

const PHASES: ReadonlySet<string> = new Set(['confirming', 'placed', 'ended', 'refused', 'failed']);
const isInt = (value: unknown): value is number => Number.isInteger(value);
const isText = (value: unknown, max = 200): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

/** Stored state, checked field by field: anything malformed is dropped, never trusted. */
export function parsePageCalls(input: unknown): PageCalls {
  const list = (input as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(list)) return NO_PAGE_CALLS;
  const requests: PageCallRequest[] = [];
  const tabs = new Set<number>();
  for (const item of list.slice(0, 100)) {
    if (typeof item !== 'object' || item === null) continue;
    const r = item as Record<string, unknown>;
    if (
      !isText(r.id) ||
      !isInt(r.tabId) ||
      !isText(r.origin) ||
      !isText(r.number, 64) ||
      typeof r.askedAt !== 'number' ||
      !PHASES.has(r.phase as string) ||
      tabs.has(r.tabId)
    )
      continue;
    if (r.phase === 'placed' && !isText(r.key)) continue;
    tabs.add(r.tabId);
    requests.push({
      id: r.id,
      tabId: r.tabId,
      origin: r.origin,
      number: r.number,
      askedAt: r.askedAt,
      phase: r.phase as PageCallPhase,
      ...(isInt(r.windowId) ? { windowId: r.windowId } : {}),
      ...(isInt(r.windowTabId) ? { windowTabId: r.windowTabId } : {}),
      ...(isText(r.key) ? { key: r.key } : {}),
      ...(typeof r.placedAt === 'number' ? { placedAt: r.placedAt } : {}),
      ...(r.seen === true ? { seen: true } : {}),
      ...(r.connected === true ? { connected: true } : {}),
    });
  }
  return { requests };
}
