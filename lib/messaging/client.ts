/**
 * The UI side of lib/messaging/protocol.ts: typed requests that unwrap `Response<T>`, and
 * long-lived status ports that reconnect when the service worker restarts. The runtime and the
 * timers are injectable so component tests pass fakes instead of a browser.
 */

import { browser } from 'wxt/browser';
import {
  type ContentScriptRequest,
  PAGE_STATUS_PORT,
  type PageStatus,
  type PageStatusBroadcast,
  type PageStatusClosed,
  type RequestPayload,
  type RequestType,
  type Response,
  type ResponsePayload,
  STATUS_PORT,
  type StatusBroadcast,
} from './protocol';

/** The part of a runtime port the client uses. */
export interface PortLike {
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: () => void): void };
  disconnect(): void;
}

/** The part of `browser.runtime` the client uses. */
export interface RuntimeLike {
  sendMessage(message: unknown): Promise<unknown>;
  connect(info: { name: string }): PortLike;
}

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A refused or failed request; `code` comes from the background's `Response` error. */
export class MessagingError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'MessagingError';
    this.code = code;
  }
}

/** What extension pages (popup, options) use. */
export interface MessagingClient {
  request<T extends RequestType>(type: T, payload: RequestPayload<T>): Promise<ResponsePayload<T>>;
  /** Calls `onBroadcast` for every broadcast, and with a fresh snapshot on every (re)connect. */
  connectStatus(onBroadcast: (broadcast: StatusBroadcast) => void): () => void;
}

/** What the content script uses: it only ever sees the reduced `PageStatus`. */
export interface PageMessagingClient {
  request(type: ContentScriptRequest): Promise<PageStatus>;
  /**
   * Calls `onStatus` for every page-status broadcast and on every (re)connect; `onGone` once
   * when the extension can no longer be reached from this page (it was reloaded or removed, or
   * keeps refusing: the site is no longer opted in).
   */
  connectPageStatus(onStatus: (status: PageStatus) => void, onGone?: () => void): () => void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Consecutive reconnects without a single answer before giving up. A worker restart answers at
 * once; a port that keeps being refused (a content script left on a site the user removed) must
 * not wake the worker every few seconds forever.
 */
export const MAX_SILENT_RECONNECTS = 8;

/** Delay before reconnect attempt `n` (1-based): at once, then backing off to 5 s. */
export function reconnectDelay(attempt: number): number {
  if (attempt <= 1) return 0;
  return Math.min(250 * 2 ** (attempt - 2), 5000);
}

async function sendRequest(runtime: RuntimeLike, type: string, payload: unknown): Promise<unknown> {
  const response = (await runtime.sendMessage({ type, payload })) as Response<unknown> | undefined;
  if (!response || typeof response !== 'object' || !('ok' in response)) {
    throw new MessagingError('no-response', 'The extension did not answer. Try again.');
  }
  if (!response.ok) throw new MessagingError(response.error.code, response.error.message);
  return response.value;
}

/**
 * Keep a named port open: reopen it whenever it disconnects (the service worker was stopped
 * and the next `connect` wakes it). `onOpen` runs after every (re)connect and calls `healthy`
 * once the worker answered, which resets the back-off. `onGone` runs once if it gives up.
 */
function keepPortOpen(
  runtime: RuntimeLike,
  timers: Timers,
  name: string,
  onMessage: (message: unknown, stop: () => void) => void,
  onOpen: (healthy: () => void) => void,
  onGone: () => void = () => {},
): () => void {
  let port: PortLike | null = null;
  let stopped = false;
  let pending: unknown = null;
  let failedAttempts = 0;

  const open = () => {
    pending = null;
    if (stopped) return;
    try {
      port = runtime.connect({ name });
    } catch {
      // The extension was reloaded or removed: this context can never talk to it again.
      stopped = true;
      onGone();
      return;
    }
    port.onMessage.addListener((message) => {
      failedAttempts = 0;
      onMessage(message, () => {
        // The background closed this port for good: no retries.
        stopped = true;
        onGone();
      });
    });
    port.onDisconnect.addListener(() => {
      port = null;
      if (stopped) return;
      failedAttempts += 1;
      if (failedAttempts > MAX_SILENT_RECONNECTS) {
        stopped = true;
        onGone();
        return;
      }
      pending = timers.setTimeout(open, reconnectDelay(failedAttempts));
    });
    onOpen(() => {
      failedAttempts = 0;
    });
  };

  open();
  return () => {
    stopped = true;
    if (pending !== null) timers.clearTimeout(pending);
    port?.disconnect();
    port = null;
  };
}

export function createMessagingClient(
  runtime: RuntimeLike = browser.runtime as unknown as RuntimeLike,
  timers: Timers = realTimers,
): MessagingClient {
  const request = <T extends RequestType>(type: T, payload: RequestPayload<T>) =>
    sendRequest(runtime, type, payload) as Promise<ResponsePayload<T>>;

  return {
    request,
    connectStatus(onBroadcast) {
      return keepPortOpen(
        runtime,
        timers,
        STATUS_PORT,
        (message) => onBroadcast(message as StatusBroadcast),
        (healthy) => {
          // Ask at once so the view is current even if no broadcast comes for a while. A failure
          // here is followed by a disconnect, which retries.
          request('status/get', {}).then(
            (snapshot) => {
              healthy();
              onBroadcast({ kind: 'snapshot', snapshot });
            },
            () => {},
          );
        },
      );
    },
  };
}

export function createPageMessagingClient(
  runtime: RuntimeLike = browser.runtime as unknown as RuntimeLike,
  timers: Timers = realTimers,
): PageMessagingClient {
  const request = (type: ContentScriptRequest) =>
    sendRequest(runtime, type, {}) as Promise<PageStatus>;

  return {
    request,
    connectPageStatus(onStatus, onGone) {
      // PageStatus carries no timestamp: a status/get answer is dropped when a broadcast
      // arrived after it was asked, since the broadcast is at least as new.
      let broadcastsSeen = 0;
      return keepPortOpen(
        runtime,
        timers,
        PAGE_STATUS_PORT,
        (message, stop) => {
          const broadcast = message as PageStatusBroadcast | PageStatusClosed;
          if (broadcast?.kind === 'page-status-closed') return stop();
          if (broadcast?.kind !== 'page-status') return;
          broadcastsSeen += 1;
          onStatus(broadcast.status);
        },
        (healthy) => {
          const seenWhenAsked = broadcastsSeen;
          request('status/get').then(
            (status) => {
              healthy();
              if (broadcastsSeen === seenWhenAsked) onStatus(status);
            },
            () => {},
          );
        },
        onGone,
      );
    },
  };
}

let defaultClient: MessagingClient | null = null;

/** The client for extension pages, created on first use. */
export function messagingClient(): MessagingClient {
  defaultClient ??= createMessagingClient();
  return defaultClient;
}

export function request<T extends RequestType>(
  type: T,
  payload: RequestPayload<T>,
): Promise<ResponsePayload<T>> {
  return messagingClient().request(type, payload);
}

export function connectStatus(onBroadcast: (broadcast: StatusBroadcast) => void): () => void {
  return messagingClient().connectStatus(onBroadcast);
}
