import { type Browser, browser } from 'wxt/browser';
import { classifySender, type SenderInfo } from '../app/router';
import {
  PAGE_STATUS_PORT,
  type PageStatusBroadcast,
  STATUS_PORT,
  type StatusBroadcast,
  type StatusSnapshot,
  toPageStatus,
} from '../messaging/protocol';

type Port = Browser.runtime.Port;

export interface StatusPorts {
  /** Call from runtime.onConnect: accepts our pages and opted-in content scripts, drops the rest. */
  accept(port: Port, sites: readonly string[], current: StatusSnapshot): void;
  broadcast(message: StatusBroadcast): void;
}

function senderOf(port: Port): SenderInfo {
  return { id: port.sender?.id, url: port.sender?.url, tabId: port.sender?.tab?.id };
}

/**
 * Live status for every open popup, options page and content script. Pages get the full
 * broadcast; content scripts only the page status (no tokens, ids or settings).
 */
export function createStatusPorts(): StatusPorts {
  const pages = new Set<Port>();
  const contentScripts = new Set<Port>();
  let lastPageStatus = '';
  const ids = {
    extensionId: browser.runtime.id,
    extensionOrigin: new URL(browser.runtime.getURL('/')).origin,
  };

  const track = (set: Set<Port>, port: Port) => {
    set.add(port);
    port.onDisconnect.addListener(() => set.delete(port));
  };
  const post = (port: Port, message: unknown) => {
    try {
      port.postMessage(message);
    } catch {
      // The other side went away between the disconnect event and this post.
    }
  };
  const pageStatus = (snapshot: StatusSnapshot): PageStatusBroadcast => ({
    kind: 'page-status',
    status: toPageStatus(snapshot),
  });

  return {
    accept(port, sites, current) {
      const kind = classifySender(senderOf(port), ids, sites);
      if (port.name === STATUS_PORT && kind === 'extension') {
        track(pages, port);
        post(port, { kind: 'snapshot', snapshot: current } satisfies StatusBroadcast);
      } else if (port.name === PAGE_STATUS_PORT && kind === 'content') {
        track(contentScripts, port);
        post(port, pageStatus(current));
      } else {
        port.disconnect();
      }
    },
    broadcast(message) {
      for (const port of pages) post(port, message);
      // Pages learn only status changes, not every engine step.
      const forPages = pageStatus(message.snapshot);
      const key = JSON.stringify(forPages);
      if (key === lastPageStatus) return;
      lastPageStatus = key;
      for (const port of contentScripts) post(port, forPages);
    },
  };
}
