import { browser } from 'wxt/browser';
import {
  PAGE_STATUS_PORT,
  type PageStatus,
  type PageStatusBroadcast,
  type PageStatusClosed,
  STATUS_PORT,
  type StatusBroadcast,
  type StatusSnapshot,
} from '../messaging/protocol';
import { classifySender, type ExtensionIds, originOf, type SenderInfo } from '../messaging/senders';

/** The part of runtime.Port used here (a Chrome port satisfies it). */
export interface StatusPort {
  name: string;
  sender?: { id?: string; url?: string; frameId?: number; tab?: { id?: number } };
  postMessage(message: unknown): void;
  disconnect(): void;
  onDisconnect: { addListener(callback: () => void): void };
}

/** What a port is judged by when it connects: the opted-in sites and the status to send first. */
export interface PortContext {
  sites: readonly string[];
  current: StatusSnapshot;
}

export interface StatusPorts {
  /**
   * Call synchronously from runtime.onConnect. Accepts our pages and opted-in content scripts,
   * drops the rest; a port that goes away while `load` runs is never tracked.
   */
  accept(port: StatusPort, load: () => Promise<PortContext>): Promise<void>;
  broadcast(message: StatusBroadcast): void;
  /** The opted-in sites changed: content scripts of sites no longer listed lose their port. */
  restrictTo(sites: readonly string[]): void;
}

function senderOf(port: StatusPort): SenderInfo {
  const sender = port.sender;
  return { id: sender?.id, url: sender?.url, tabId: sender?.tab?.id, frameId: sender?.frameId };
}

/** Tell a content script it is no longer served (so it stops at once, not after retries). */
function closeForGood(port: StatusPort): void {
  safely(() => port.postMessage({ kind: 'page-status-closed' } satisfies PageStatusClosed));
  safely(() => port.disconnect());
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // The other side went away between its disconnect event and this call.
  }
}

const browserIds = (): ExtensionIds => ({
  extensionId: browser.runtime.id,
  extensionOrigin: new URL(browser.runtime.getURL('/')).origin,
});

/** The tab and origin of a content script's port (its status may include that tab's call). */
export interface PortPage {
  tabId: number;
  origin: string;
}

/**
 * Live status for every open popup, options page and content script. Pages get the full
 * broadcast; content scripts only the page status (no tokens, ids, settings or server names),
 * each for its own tab (the state of the call that tab asked for, and no other).
 */
export function createStatusPorts(
  /** What a web page may learn of a snapshot (lib/app/page-status.ts), for its tab. */
  reduce: (snapshot: StatusSnapshot, page?: PortPage) => PageStatus,
  ids: ExtensionIds = browserIds(),
): StatusPorts {
  const pages = new Set<StatusPort>();
  /** Each content script's sender and the last status it was sent (sent again only if changed). */
  const contentScripts = new Map<StatusPort, { sender: SenderInfo; last: string }>();

  const pageOfSender = (sender: SenderInfo): PortPage | undefined => {
    const origin = originOf(sender.url);
    return origin && sender.tabId !== undefined ? { tabId: sender.tabId, origin } : undefined;
  };
  const pageStatus = (snapshot: StatusSnapshot, sender: SenderInfo): PageStatusBroadcast => ({
    kind: 'page-status',
    status: reduce(snapshot, pageOfSender(sender)),
  });

  return {
    async accept(port, load) {
      // Listen before the first await: a disconnect during `load` must not leave a dead port.
      let gone = false;
      port.onDisconnect.addListener(() => {
        gone = true;
        pages.delete(port);
        contentScripts.delete(port);
      });
      let context: PortContext;
      try {
        context = await load();
      } catch {
        // Refused, not left hanging: the client reconnects and asks again.
        safely(() => port.disconnect());
        return;
      }
      if (gone) return;
      const sender = senderOf(port);
      const kind = classifySender(sender, ids, context.sites);
      if (port.name === STATUS_PORT && kind === 'extension') {
        pages.add(port);
        safely(() =>
          port.postMessage({
            kind: 'snapshot',
            snapshot: context.current,
          } satisfies StatusBroadcast),
        );
      } else if (port.name === PAGE_STATUS_PORT && kind === 'content') {
        const first = pageStatus(context.current, sender);
        contentScripts.set(port, { sender, last: JSON.stringify(first) });
        safely(() => port.postMessage(first));
      } else {
        if (port.name === PAGE_STATUS_PORT) closeForGood(port);
        else safely(() => port.disconnect());
      }
    },
    broadcast(message) {
      for (const port of pages) safely(() => port.postMessage(message));
      // Pages learn only changes of their own status, not every engine step.
      for (const [port, entry] of contentScripts) {
        const forPage = pageStatus(message.snapshot, entry.sender);
        const key = JSON.stringify(forPage);
        if (key === entry.last) continue;
        entry.last = key;
        safely(() => port.postMessage(forPage));
      }
    },
    restrictTo(sites) {
      for (const [port, { sender }] of [...contentScripts]) {
        if (classifySender(sender, ids, sites) === 'content') continue;
        contentScripts.delete(port);
        closeForGood(port);
      }
    },
  };
}
