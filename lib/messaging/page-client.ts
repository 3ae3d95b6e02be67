/**
 * The content script's client: it only ever sees the reduced `PageStatus`. It imports no
 * browser API (the content script passes `chrome.runtime`, whose methods return promises from
 * Chrome 120, the manifest's minimum), so the script ships without webextension-polyfill.
 */

import {
  type ContentScriptRequest,
  PAGE_STATUS_PORT,
  type PageStatus,
  type PageStatusBroadcast,
  type PageStatusClosed,
} from './protocol';
import { keepPortOpen, type RuntimeLike, realTimers, sendRequest, type Timers } from './transport';

/** A runtime as a content script sees it: `id` turns undefined once the extension is gone. */
export interface PageRuntime extends RuntimeLike {
  readonly id: string | undefined;
}

export interface PageMessagingClient {
  request(type: Exclude<ContentScriptRequest, 'page/call'>): Promise<PageStatus>;
  /**
   * Ask to call `number` (after a trusted click on a visible call control): the extension asks
   * the user in its own window. Answers this page's status (its `call`: `confirming`), or fails
   * with a MessagingError whose code says why (`busy`, `notReady`, `invalid`, `forbidden`).
   */
  placeCall(number: string): Promise<PageStatus>;
  /**
   * Calls `onStatus` for every page-status broadcast and on every (re)connect; `onGone` once
   * when the extension can no longer be reached from this page (it was reloaded or removed, or
   * keeps refusing: the site is no longer opted in).
   */
  connectPageStatus(onStatus: (status: PageStatus) => void, onGone?: () => void): () => void;
}

export function createPageMessagingClient(
  runtime: PageRuntime,
  timers: Timers = realTimers,
): PageMessagingClient {
  const request = (type: Exclude<ContentScriptRequest, 'page/call'>) =>
    sendRequest(runtime, type, {}) as Promise<PageStatus>;

  return {
    request,
    placeCall: (number) => sendRequest(runtime, 'page/call', { number }) as Promise<PageStatus>,
    connectPageStatus(onStatus, onGone) {
      // PageStatus carries no timestamp: a status/get answer is dropped when a broadcast
      // arrived after it was asked, since the broadcast is at least as new.
      let broadcastsSeen = 0;
      return keepPortOpen(runtime, timers, PAGE_STATUS_PORT, {
        onMessage(message, stop) {
          const broadcast = message as PageStatusBroadcast | PageStatusClosed;
          if (broadcast?.kind === 'page-status-closed') return stop();
          if (broadcast?.kind !== 'page-status') return;
          broadcastsSeen += 1;
          onStatus(broadcast.status);
        },
        onOpen(healthy) {
          const seenWhenAsked = broadcastsSeen;
          request('status/get').then(
            (status) => {
              healthy();
              if (broadcastsSeen === seenWhenAsked) onStatus(status);
            },
            () => {},
          );
        },
        ...(onGone ? { onGone } : {}),
        // What WXT's ContentScriptContext checks too: an invalidated content script has no id.
        isGone: () => runtime.id === undefined,
      });
    },
  };
}
