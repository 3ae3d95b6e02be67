/**
 * The service worker's side of click to call: it records a page's request (page-calls.ts, pure),
 * opens the extension's own confirmation window, dials only when the user clicks Call there,
 * and tells each page the state of its own call. Browser APIs arrive as arguments
 * (lib/platform/confirm-window.ts in the extension), so this is testable.
 */

import { dialledNumber } from '../call/dial-number';
import type { CallingView } from '../messaging/calls';
import type { PageCallDetails, PageCallState, StatusSnapshot } from '../messaging/protocol';
import type { ConfirmWindows, PageCallStorage, PageCallTabs } from '../page-call-ports';
import type { Clock } from '../ports';
import { serialQueue } from '../serial-queue';
import { observe, pageCallState, requestState } from './page-call-progress';
import {
  answer,
  ask,
  dialFailed,
  mayAnswer,
  NO_PAGE_CALLS,
  onlySites,
  PageCallRefusal,
  type PageCalls,
  parsePageCalls,
  requestOf,
  tabChanged,
  windowClosed,
  windowOpened,
  windowsToClose,
} from './page-calls';

export type { ConfirmWindows, PageCallStorage, PageCallTabs } from '../page-call-ports';

export interface PageCallHostDeps {
  storage: PageCallStorage;
  windows: ConfirmWindows;
  tabs: PageCallTabs;
  /** Relay a dial to the calls document (`calls.command`): its view, or an error. */
  dial(command: { kind: 'dial'; key: string; number: string }): Promise<CallingView>;
  /** A fresh call key (the worker's; a page never chooses it). */
  newCallKey(): string;
  /** A fresh, unguessable request id. */
  newRequestId(): string;
  clock: Clock;
  /** What pages may see changed: send every page its status again. */
  changed(): void;
  log(message: string, data?: Record<string, unknown>): void;
}

export interface PageOrigin {
  tabId: number;
  origin: string;
}

export interface PageCallHost {
  /** Load the stored requests (once) and settle those whose window is gone. */
  ready(): Promise<void>;
  /** A page asks to call `payload.number`: refused with a PageCallRefusal, or now confirming. */
  ask(page: PageOrigin, payload: unknown, snapshot: StatusSnapshot): Promise<void>;
  /** What the confirmation window shows; only the tab of that window may ask. */
  details(payload: unknown, fromTabId: number | undefined): Promise<PageCallDetails>;
  /** The user's Call or Cancel; only the tab of that window may answer. */
  confirm(payload: unknown, fromTabId: number | undefined): Promise<PageCallDetails>;
  windowClosed(windowId: number): Promise<void>;
  /** The tab closed (no origin) or started loading a page (its origin, if the browser says). */
  tabChanged(tabId: number, origin?: string): Promise<void>;
  /** The opted-in sites changed: requests of sites taken off the list are dropped. */
  restrictTo(sites: readonly string[]): Promise<void>;
  /** The state of the call `page` asked for, from memory (before `ready`: none). */
  forPage(page: PageOrigin, view: CallingView | undefined): PageCallState | undefined;
}

const REQUEST_ID = /^[\w-]{8,100}$/;

function requestIdOf(payload: unknown): string {
  const id = (payload as { requestId?: unknown } | null)?.requestId;
  if (typeof id !== 'string' || !REQUEST_ID.test(id))
    throw new PageCallRefusal('invalid', 'requestId is not a request.');
  return id;
}

/** Whether the line can place a call at all (else no window is opened). */
function notReady(snapshot: StatusSnapshot): string | null {
  if (snapshot.auth !== 'signedIn') return 'Sign in to Webex first.';
  if (snapshot.calling?.ring === 'unsupported') return 'This browser cannot place calls.';
  const lineUp = snapshot.display === 'registered' || snapshot.display === 'reconnecting';
  if (!lineUp || snapshot.calling?.ring === 'off') return 'The Webex line is not registered.';
  return null;
}

export function createPageCallHost(deps: PageCallHostDeps): PageCallHost {
  let state: PageCalls = NO_PAGE_CALLS;
  let loaded = false;
  let loading: Promise<void> | null = null;
  const queue = serialQueue();
  /** Windows being opened, by request: answers from them wait until the window is known. */
  const opening = new Map<string, Promise<unknown>>();
  /** Windows that closed before their opening was recorded. */
  const closedEarly = new Set<number>();

  const now = () => deps.clock.now();

  const write = async (next: PageCalls, tell = true) => {
    if (next === state) return;
    const before = state;
    await deps.storage.save(next);
    state = next;
    deps.tabs.follow(next.requests.length > 0);
    for (const windowId of windowsToClose(before, next)) {
      deps.windows.close(windowId).catch(() => undefined);
    }
    if (tell) deps.changed();
  };

  const load = () => {
    loading ??= (async () => {
      const stored = parsePageCalls(await deps.storage.load().catch(() => undefined));
      state = stored;
      // Tabs closed or navigated elsewhere while no worker ran (no listener heard them).
      let next = stored;
      for (const request of stored.requests) {
        const origin = await deps.tabs.originOf(request.tabId).catch(() => null);
        if (origin !== request.origin) next = tabChanged(next, request.tabId, origin ?? undefined);
      }
      for (const request of stored.requests) {
        if (request.phase !== 'confirming' || !requestOf(next, request.id)) {
          if (request.windowId !== undefined && request.phase === 'confirming')
            deps.windows.close(request.windowId).catch(() => undefined);
          continue;
        }
        // A window that closed while no worker ran refused its request; one never recorded
        // (the worker stopped while opening it) cannot be answered: refused too.
        const open =
          request.windowId !== undefined &&
          request.windowTabId !== undefined &&
          (await deps.windows.exists(request.windowId).catch(() => false));
        if (!open) {
          next = answer(next, request.id, false, '', now()).state;
          if (request.windowId !== undefined)
            deps.windows.close(request.windowId).catch(() => undefined);
        }
      }
      if (next !== stored) await deps.storage.save(next);
      state = next;
      loaded = true;
      deps.tabs.follow(next.requests.length > 0);
      if (next.requests.length > 0) deps.changed();
    })().catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };

  /** One change at a time, on the loaded state. */
  const update = <T>(change: (current: PageCalls) => { next: PageCalls; result: T }) =>
    queue(async () => {
      await load();
      const { next, result } = change(state);
      await write(next);
      return result;
    });

  const openWindow = async (id: string) => {
    try {
      const opened = await deps.windows.open(id);
      await update((current) => {
        const next = closedEarly.delete(opened.windowId)
          ? answer(current, id, false, '', now()).state
          : windowOpened(current, id, opened.windowId, opened.tabId);
        const request = requestOf(next, id);
        // Dropped or answered meanwhile (the tab went away): this window has nothing to ask.
        if (request?.phase !== 'confirming' || request.windowId !== opened.windowId)
          deps.windows.close(opened.windowId).catch(() => undefined);
        return { next, result: undefined };
      });
    } catch (error) {
      deps.log('The call confirmation window did not open', { error: String(error) });
      await update((current) => ({ next: dialFailedOrRefused(current, id), result: undefined }));
    }
  };

  /** A window that never opened: the request fails (the user was never asked). */
  const dialFailedOrRefused = (current: PageCalls, id: string): PageCalls => {
    const request = requestOf(current, id);
    if (request?.phase !== 'confirming') return current;
    return {
      requests: current.requests.map((r) => (r.id === id ? { ...r, phase: 'failed' } : r)),
    };
  };

  /** The request as its own window sees it, or why that sender may not. */
  const ownRequest = async (id: string, fromTabId: number | undefined) => {
    await opening.get(id);
    await load();
    const request = requestOf(state, id);
    if (!request) throw new PageCallRefusal('gone', 'This call request is no longer waiting.');
    if (!mayAnswer(request, fromTabId))
      throw new PageCallRefusal('forbidden', 'Only its own window may answer a call request.');
    return request;
  };

  const detailsOf = (id: string): PageCallDetails => {
    const request = requestOf(state, id);
    if (!request) throw new PageCallRefusal('gone', 'This call request is no longer waiting.');
    return {
      number: request.number,
      origin: request.origin,
      state: requestState(request, undefined, now()),
    };
  };

  return {
    ready: load,

    async ask(page, payload, snapshot) {
      const raw = (payload as { number?: unknown } | null)?.number;
      if (typeof raw !== 'string') throw new PageCallRefusal('invalid', 'number must be a string.');
      const dialled = dialledNumber(raw);
      if (!dialled.ok) throw new PageCallRefusal('invalid', dialled.reason);
      const why = notReady(snapshot);
      if (why) throw new PageCallRefusal('notReady', why);
      const id = deps.newRequestId();
      await update((current) => ({
        next: ask(current, page, dialled.number, id, now()),
        result: undefined,
      }));
      deps.log('A web page asks to place a call; asking the user', { origin: page.origin });
      const opened = openWindow(id);
      opening.set(id, opened);
      await opened.finally(() => opening.delete(id));
    },

    async details(payload, fromTabId) {
      const id = requestIdOf(payload);
      await ownRequest(id, fromTabId);
      return detailsOf(id);
    },

    async confirm(payload, fromTabId) {
      const id = requestIdOf(payload);
      const accept = (payload as { accept?: unknown }).accept;
      if (typeof accept !== 'boolean')
        throw new PageCallRefusal('invalid', 'accept must be true or false.');
      await ownRequest(id, fromTabId);
      const dial = await update((current) => {
        const request = requestOf(current, id);
        if (request?.phase !== 'confirming')
          throw new PageCallRefusal('gone', 'This call request is no longer waiting.');
        const answered = answer(current, id, accept, accept ? deps.newCallKey() : '', now());
        return { next: answered.state, result: answered.dial };
      });
      if (!dial) {
        deps.log('The user did not place the call a web page asked for');
        return detailsOf(id);
      }
      deps.log('The user placed the call a web page asked for');
      try {
        const view = await deps.dial({ kind: 'dial', key: dial.key, number: dial.number });
        await update((current) => ({ next: observe(current, view, now()), result: undefined }));
      } catch (error) {
        deps.log('The call a web page asked for could not be placed', { error: String(error) });
        await update((current) => ({ next: dialFailed(current, id), result: undefined }));
      }
      return detailsOf(id);
    },

    async windowClosed(windowId) {
      await update((current) => {
        // A window whose opening is not recorded yet: its opening will find it closed.
        const known = current.requests.some((request) => request.windowId === windowId);
        if (!known && opening.size > 0) closedEarly.add(windowId);
        return { next: windowClosed(current, windowId), result: undefined };
      });
    },

    async tabChanged(tabId, origin) {
      await update((current) => ({ next: tabChanged(current, tabId, origin), result: undefined }));
    },

    async restrictTo(sites) {
      await update((current) => ({ next: onlySites(current, sites), result: undefined }));
    },

    forPage(page, view) {
      if (!loaded) return undefined;
      const observed = observe(state, view, now());
      if (observed !== state) {
        // Remember what this view showed (seen, ended); the broadcast that brought the view
        // already carries the state derived here, so pages are not told again.
        void queue(async () => write(observe(state, view, now()), false)).catch((error: unknown) =>
          deps.log('Page call state not saved', { error: String(error) }),
        );
      }
      return pageCallState(observed, page, view, now());
    },
  };
}
