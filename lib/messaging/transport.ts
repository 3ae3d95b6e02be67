/**
 * What both clients of lib/messaging/protocol.ts share: a request that unwraps `Response<T>`,
 * and a long-lived port that reopens when the service worker restarts. It imports no browser
 * API: the runtime (and the timers) are arguments, so the content script can hand it
 * `chrome.runtime` and ship without webextension-polyfill, and tests hand it fakes.
 */

import type { Response } from './protocol';

/** The part of a runtime port the client uses. */
export interface PortLike {
  onMessage: { addListener(callback: (message: unknown) => void): void };
  onDisconnect: { addListener(callback: () => void): void };
  disconnect(): void;
}

/** The part of `browser.runtime` (or `chrome.runtime`) the client uses. */
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

export const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Consecutive reconnects without a single answer before giving up. A worker restart answers at
 * once; a port that keeps being refused (a content script left on a site the user removed) must
 * not wake the worker every few seconds forever.
 */
export const MAX_SILENT_RECONNECTS = 8;

/**
 * While a port is open but the worker has not answered on it yet, how often to ask `isGone`.
 * A content script whose extension is reloaded sees the worker's port drop, reconnects at once,
 * and is then cut off: Chrome sends an orphaned script no more events, so only `isGone` tells.
 */
export const GONE_CHECK_MS = 1000;

/** Delay before reconnect attempt `n` (1-based): at once, then backing off to 5 s. */
export function reconnectDelay(attempt: number): number {
  if (attempt <= 1) return 0;
  return Math.min(250 * 2 ** (attempt - 2), 5000);
}

export async function sendRequest(
  runtime: RuntimeLike,
  type: string,
  payload: unknown,
): Promise<unknown> {
  const response = (await runtime.sendMessage({ type, payload })) as Response<unknown> | undefined;
  if (!response || typeof response !== 'object' || !('ok' in response)) {
    throw new MessagingError('no-response', 'The extension did not answer. Try again.');
  }
  if (!response.ok) throw new MessagingError(response.error.code, response.error.message);
  return response.value;
}

export interface PortHandlers {
  /** Every message on the port; `stop` closes it for good (the background said so). */
  onMessage(message: unknown, stop: () => void): void;
  /** After every (re)connect; call `healthy` once the worker answered (resets the back-off). */
  onOpen(healthy: () => void): void;
  /** Once, when it gives up. */
  onGone?(): void;
  /**
   * Whether this context can never reach the extension again (it was reloaded or removed),
   * checked before each connect, on each disconnect, and every GONE_CHECK_MS while a port
   * waits for its first answer: a disconnect then is final, not a worker restart to wait out.
   */
  isGone?(): boolean;
}

/**
 * Keep a named port open: reopen it whenever it disconnects (the service worker was stopped
 * and the next `connect` wakes it). Returns how to close it.
 */
export function keepPortOpen(
  runtime: RuntimeLike,
  timers: Timers,
  name: string,
  { onMessage, onOpen, onGone = () => {}, isGone }: PortHandlers,
): () => void {
  let port: PortLike | null = null;
  let stopped = false;
  let pending: unknown = null;
  let watch: unknown = null;
  let failedAttempts = 0;

  const unwatch = () => {
    if (watch !== null) timers.clearTimeout(watch);
    watch = null;
  };
  const giveUp = () => {
    stopped = true;
    unwatch();
    onGone();
  };
  /** The extension is gone: its ports are dead objects, not to be touched again. */
  const abandon = () => {
    port = null;
    giveUp();
  };
  const gone = () => isGone?.() === true;
  /** Until the worker answers on this port, keep asking whether the extension is still there. */
  const watchUntilAnswered = () => {
    if (!isGone) return;
    watch = timers.setTimeout(() => {
      watch = null;
      if (stopped) return;
      if (gone()) abandon();
      else watchUntilAnswered();
    }, GONE_CHECK_MS);
  };
  const answered = () => {
    failedAttempts = 0;
    unwatch();
  };

  const open = () => {
    pending = null;
    if (stopped) return;
    if (gone()) return giveUp();
    try {
      port = runtime.connect({ name });
    } catch {
      // The extension was reloaded or removed: this context can never talk to it again.
      return giveUp();
    }
    const opened = port;
    port.onMessage.addListener((message) => {
      answered();
      // The background closed this port for good: no retries.
      onMessage(message, giveUp);
    });
    port.onDisconnect.addListener(() => {
      port = null;
      unwatch();
      if (stopped) return;
      failedAttempts += 1;
      if (failedAttempts > MAX_SILENT_RECONNECTS || gone()) return giveUp();
      pending = timers.setTimeout(open, reconnectDelay(failedAttempts));
    });
    watchUntilAnswered();
    onOpen(() => {
      // A late answer to an earlier port's request says nothing about this one.
      if (port === opened) answered();
    });
  };

  open();
  return () => {
    stopped = true;
    unwatch();
    if (pending !== null) timers.clearTimeout(pending);
    try {
      port?.disconnect();
    } catch {
      // An orphaned context's port throws: there is nothing left to close.
    }
    port = null;
  };
}
