/**
 * What click to call needs from the browser (lib/app/page-call-host.ts uses these; the extension
 * passes lib/platform/confirm-window.ts, tests pass fakes).
 */

/** The confirmation windows: extension pages in small popup windows of their own. */
export interface ConfirmWindows {
  /** Open the window for `requestId`; resolves with the window and the tab that shows it. */
  open(requestId: string): Promise<{ windowId: number; tabId?: number }>;
  close(windowId: number): Promise<void>;
  exists(windowId: number): Promise<boolean>;
}

/** The tabs that asked: what they show; their closes and navigations; closed windows. */
export interface PageCallTabs {
  /** The origin the tab shows: null when there is no such tab, undefined when not told. */
  originOf(tabId: number): Promise<string | null | undefined>;
  /**
   * Follow tab closes and navigations (the host's `tabChanged`) and closed windows (its
   * `windowClosed`) only while some page has a request: a listener would otherwise wake the
   * worker for every tab in the browser. A worker started afresh re-checks in `ready`.
   */
  follow(on: boolean): void;
}

/** Where the requests live between worker starts (storage.session in the extension). */
export interface PageCallStorage {
  /** What was saved (checked by the caller before use), or undefined. */
  load(): Promise<unknown>;
  save(state: object): Promise<void>;
}
