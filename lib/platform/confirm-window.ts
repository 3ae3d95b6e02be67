import { browser } from 'wxt/browser';
import { CONFIRM_CALL_PATH } from '../messaging/protocol';
import { originOf } from '../messaging/senders';
import type { ConfirmWindows, PageCallStorage, PageCallTabs } from '../page-call-ports';
import { withinMs } from '../within';
import { STORE_DEADLINE_MS } from './deadline-store';

/** Small enough to sit beside the page, big enough for the number, the site and two buttons. */
const WIDTH = 420;
const HEIGHT = 320;

/**
 * The confirmation of a page's call: an extension page in a popup window of its own, focused,
 * centred over the window the user was in. No page can script, frame or read it.
 */
export const confirmWindows: ConfirmWindows = {
  async open(requestId) {
    const over = await browser.windows.getLastFocused().catch(() => null);
    const place =
      over?.left !== undefined && over.width !== undefined && over.top !== undefined
        ? {
            left: Math.max(0, Math.round(over.left + (over.width - WIDTH) / 2)),
            top: Math.max(0, Math.round(over.top + ((over.height ?? HEIGHT) - HEIGHT) / 3)),
          }
        : {};
    const created = await browser.windows.create({
      url: browser.runtime.getURL(`${CONFIRM_CALL_PATH}#${encodeURIComponent(requestId)}`),
      type: 'popup',
      focused: true,
      width: WIDTH,
      height: HEIGHT,
      ...place,
    });
    if (created?.id === undefined) throw new Error('The window has no id.');
    // Chrome and Firefox list the new window's tab; if not, ask for it.
    const tabId =
      created.tabs?.[0]?.id ??
      (await browser.tabs.query({ windowId: created.id }).catch(() => []))[0]?.id;
    return tabId === undefined ? { windowId: created.id } : { windowId: created.id, tabId };
  },
  async close(windowId) {
    await browser.windows.remove(windowId);
  },
  async exists(windowId) {
    // Chrome rejects for a window that is gone.
    return browser.windows.get(windowId).then(
      (window) => window !== undefined,
      () => false,
    );
  },
};

const STORAGE_KEY = 'pageCalls';

/**
 * storage.session: survives a stopped worker, not a browser restart (whose tab ids start
 * again), and content scripts cannot read it (its default access level).
 */
export const sessionPageCallStorage: PageCallStorage = {
  async load() {
    const read = browser.storage.session.get(STORAGE_KEY);
    return (await withinMs(read, STORE_DEADLINE_MS, 'Storage (read of page calls)'))[STORAGE_KEY];
  },
  async save(state) {
    const write = browser.storage.session.set({ [STORAGE_KEY]: state });
    await withinMs(write, STORE_DEADLINE_MS, 'Storage (write of page calls)');
  },
};

/**
 * Tabs and windows, for the page calls: what a tab shows, and (only while some page has a
 * request) tab closes and navigations and closed confirmation windows.
 */
export function pageCallTabs(events: {
  tabChanged(tabId: number, origin?: string): void;
  windowClosed(windowId: number): void;
}): PageCallTabs {
  const onChange = events.tabChanged;
  const closed = (windowId: number) => events.windowClosed(windowId);
  const removed = (tabId: number) => onChange(tabId);
  const updated = (
    tabId: number,
    change: { status?: string; url?: string },
    tab: { url?: string },
  ) => {
    if (change.status !== 'loading' && change.url === undefined) return;
    // The browser gives the URL only of sites we hold access to: any other is another origin.
    onChange(tabId, originOf(tab.url) ?? undefined);
  };
  let following = false;
  return {
    async originOf(tabId) {
      const tab = await browser.tabs.get(tabId).catch(() => null);
      if (!tab) return null;
      return originOf(tab.url) ?? undefined;
    },
    follow(on) {
      if (on === following) return;
      following = on;
      if (on) {
        browser.tabs.onRemoved.addListener(removed);
        browser.tabs.onUpdated.addListener(updated);
        browser.windows.onRemoved.addListener(closed);
      } else {
        browser.tabs.onRemoved.removeListener(removed);
        browser.tabs.onUpdated.removeListener(updated);
        browser.windows.onRemoved.removeListener(closed);
      }
    },
  };
}
