/**
 * Click-to-register on opted-in web pages. The page's contract:
 * - an element with `data-webex-line="register"` is a control; a trusted click on it asks the
 *   service worker to register the line (scripted clicks and `postMessage`s do nothing);
 * - each control carries `data-webex-line-status` = inactive | connecting | registered |
 *   reconnecting | error, kept current;
 * - `document` receives a `webex-line:status` CustomEvent whose detail is exactly
 *   `{status, error}` (error: null or `{type, msg}`) on every change;
 * - a small status chip (closed shadow DOM, page-chip.ts) appears while the page has a control,
 *   unless a control says `data-webex-line-chip="off"`.
 * Click to call (click-to-call.ts, click-to-call-controls.ts) rides on the same status: `tel:`
 * links and `data-webex-line="call"` controls ask the extension to call, which asks the user in
 * its own window; the control carries `data-webex-line-call` and `document` receives
 * `webex-line:call`.
 * Nothing else is written to the page. When the extension can no longer be reached (reloaded,
 * removed, or the site was taken off the list) the script stops: the chip goes, and the status
 * attribute is removed rather than left showing a state nobody keeps current.
 * Every DOM call goes through native-dom, so the page's element names cannot redirect it.
 * DOM and messaging are injected so this is testable.
 */

import type { PageMessagingClient } from '../messaging/page-client';
import type { DisplayStatus, PageStatus } from '../messaging/protocol';
import { createCallControls } from './click-to-call-controls';
import { t } from './i18n';
import { nativeDocument, nativeElement } from './native-dom';
import { CHIP_OPT_OUT_ATTRIBUTE, chipOptedOut, createChip } from './page-chip';
import { dispatchToPage } from './page-events';

export const CONTROL_SELECTOR = '[data-webex-line="register"]';
export const STATUS_ATTRIBUTE = 'data-webex-line-status';
export const STATUS_EVENT = 'webex-line:status';

/** The only thing the page receives. */
export interface PageStatusEventDetail {
  status: DisplayStatus;
  error: { type: 'registrationError' | 'tokenError'; msg: string } | null;
}

/** Copy just the two fields, as a plain object the page's world can clone. */
export function pageEventDetail(status: PageStatus): PageStatusEventDetail {
  return {
    status: status.status,
    error: status.error ? { type: status.error.type, msg: String(status.error.msg) } : null,
  };
}

export interface ClickToRegisterDeps {
  document: Document;
  client: PageMessagingClient;
  /** Called once when it stops, by `stop()` or because the extension is gone. */
  onStop?: () => void;
}

export interface ClickToRegister {
  stop(): void;
}

export function startClickToRegister({
  document,
  client,
  onStop,
}: ClickToRegisterDeps): ClickToRegister {
  const dom = nativeDocument(document);
  const view = dom.view();
  const chip = createChip(dom);
  let current: PageStatus | null = null;
  let lastDispatched = '';
  let note: string | null = null;
  let registering = false;
  let stopped = false;
  const calls = createCallControls({
    dom,
    view,
    client,
    status: () => current,
    applyStatus: (status) => apply(status),
    changed: () => sync(),
  });

  const controls = () => dom.queryAll(CONTROL_SELECTOR);

  const sync = () => {
    if (stopped) return;
    const found = controls();
    if (current) {
      for (const control of found) {
        if (nativeElement.getAttribute(control, STATUS_ATTRIBUTE) !== current.status) {
          nativeElement.setAttribute(control, STATUS_ATTRIBUTE, current.status);
        }
      }
    }
    calls.label();
    const wantsChip = (found.length > 0 && !found.some(chipOptedOut)) || calls.wantsChip();
    chip.render(wantsChip ? { status: current, note: calls.note() ?? note } : null);
  };

  const apply = (status: PageStatus) => {
    if (stopped) return;
    current = status;
    if (status.signedIn) note = null;
    const detail = pageEventDetail(status);
    const key = JSON.stringify(detail);
    if (key !== lastDispatched) {
      lastDispatched = key;
      dispatchToPage(dom, view, STATUS_EVENT, detail);
    }
    calls.apply(status.call);
    sync();
  };

  const tell = (message: string) => {
    note = message;
    sync();
  };

  const onClick = (event: Event) => {
    // Only a real user click counts: a page script calling .click() or dispatching an event
    // must not be able to register the user's line.
    if (!event.isTrusted) return;
    if (calls.click(event)) return;
    const target = event.target;
    const control =
      target instanceof Element ? nativeElement.closest(target, CONTROL_SELECTOR) : null;
    if (!control) return;
    if (current && !current.signedIn) {
      tell(t('chipSignInFirst'));
      return;
    }
    if (registering) return;
    registering = true;
    client
      .request('line/register')
      .then(
        (status) => {
          apply(status);
          if (!status.signedIn) tell(t('chipSignInFirst'));
        },
        () => tell(t('chipRegisterFailed')),
      )
      .finally(() => {
        registering = false;
      });
  };

  dom.listen('click', onClick, true);
  const Observer = view?.MutationObserver ?? MutationObserver;
  // Controls added later get the current status; the chip follows whether any remain.
  const observer = new Observer(sync);
  const root = dom.root();
  if (root) {
    observer.observe(root, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-webex-line', CHIP_OPT_OUT_ATTRIBUTE, 'href', 'data-number'],
    });
  }

  let disconnect = () => {};
  const stop = () => {
    if (stopped) return;
    stopped = true;
    disconnect();
    observer.disconnect();
    dom.unlisten('click', onClick, true);
    chip.render(null);
    calls.stop();
    onStop?.();
  };
  disconnect = client.connectPageStatus(apply, () => {
    // The extension is gone for this page: say nothing rather than something stale.
    stop();
    for (const control of controls()) nativeElement.removeAttribute(control, STATUS_ATTRIBUTE);
  });
  sync();

  return { stop };
}

/**
 * A symbol, not a named global: a page element with a matching id or name would show up as a
 * property of `window` (in the content script's world too) and keep the script from starting.
 */
const FRAME_CLAIM = Symbol.for('webex-line.click-to-register');

/** Claim this frame for one copy of the script; returns how to release it, or null if taken. */
export function claimFrame(global: object): (() => void) | null {
  const slots = global as Record<symbol, boolean | undefined>;
  if (slots[FRAME_CLAIM]) return null;
  slots[FRAME_CLAIM] = true;
  return () => {
    slots[FRAME_CLAIM] = false;
  };
}
