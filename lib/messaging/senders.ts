/**
 * Who sent a runtime message or opened a port: our own extension pages, our content script on a
 * site the user opted in, or anyone else (never answered). The policy for what each may ask is
 * in protocol.ts; the background's router and status ports both judge senders here.
 *
 * A content script may read the status, ask to register, and ask to place a call (`page/call`),
 * which the extension confirms in its own window, outside the page; the page then learns the
 * state of that call and nothing else. The confirmation's requests (`pageCall/*`) are extension
 * pages' only, and the router takes an answer only from the window opened for that request.
 */

/** What the browser tells us about a message's sender (runtime.MessageSender, reduced). */
export interface SenderInfo {
  id?: string;
  url?: string;
  tabId?: number;
  /** 0 for a tab's top frame; Chrome sets it whenever `tabId` is set. */
  frameId?: number;
}

export type SenderKind = 'extension' | 'content' | 'unknown';

/** Our extension's id and `chrome-extension://<id>` origin. */
export interface ExtensionIds {
  extensionId: string;
  extensionOrigin: string;
}

/** `scheme://host[:port]` of a sender's URL, or null. */
export function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    // Not URL.origin: it is "null" for chrome-extension: URLs outside the browser.
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/**
 * Who sent a message: our own extension pages, our content script on a site the user opted in,
 * or anyone else (never answered). Chrome sets `sender.id` and `sender.url`; a page cannot
 * forge them. The content script runs in top frames only: a sender in a sub-frame (an opted-in
 * site framed by another page, which could trick the user into clicking) is not served.
 */
export function classifySender(
  sender: SenderInfo,
  ctx: ExtensionIds,
  sites: readonly string[],
): SenderKind {
  if (sender.id !== ctx.extensionId) return 'unknown';
  const origin = originOf(sender.url);
  if (origin === ctx.extensionOrigin) return 'extension';
  if (
    sender.tabId !== undefined &&
    sender.frameId === 0 &&
    origin !== null &&
    sites.includes(origin)
  )
    return 'content';
  return 'unknown';
}

/**
 * The page a content script's message comes from: its tab and the origin it shows. Only for a
 * sender `classifySender` called `content` (top frame of an opted-in site); null otherwise.
 */
export function pageOf(
  sender: SenderInfo,
  ctx: ExtensionIds,
  sites: readonly string[],
): { tabId: number; origin: string } | null {
  if (classifySender(sender, ctx, sites) !== 'content') return null;
  const origin = originOf(sender.url);
  return origin === null || sender.tabId === undefined ? null : { tabId: sender.tabId, origin };
}
