/**
 * The extension pages' side of lib/messaging/protocol.ts (popup, options): typed requests that
 * unwrap `Response<T>`, and a long-lived status port that reconnects when the service worker
 * restarts. The runtime and the timers are injectable so component tests pass fakes instead of
 * a browser. The content script has its own client (page-client.ts), without `wxt/browser`.
 */

import { browser } from 'wxt/browser';
import {
  type RequestPayload,
  type RequestType,
  type ResponsePayload,
  STATUS_PORT,
  type StatusBroadcast,
} from './protocol';
import { keepPortOpen, type RuntimeLike, realTimers, sendRequest, type Timers } from './transport';

export {
  GONE_CHECK_MS,
  MAX_SILENT_RECONNECTS,
  MessagingError,
  type PortLike,
  type RuntimeLike,
  reconnectDelay,
  type Timers,
} from './transport';

/** What extension pages (popup, options) use. */
export interface MessagingClient {
  request<T extends RequestType>(type: T, payload: RequestPayload<T>): Promise<ResponsePayload<T>>;
  /** Calls `onBroadcast` for every broadcast, and with a fresh snapshot on every (re)connect. */
  connectStatus(onBroadcast: (broadcast: StatusBroadcast) => void): () => void;
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
      return keepPortOpen(runtime, timers, STATUS_PORT, {
        onMessage: (message) => onBroadcast(message as StatusBroadcast),
        onOpen(healthy) {
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
      });
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
