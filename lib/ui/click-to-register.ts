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
 * Click to call (lib/ui/click-to-call.ts) rides on the same status: `tel:` links and
 * `data-webex-line="call"` controls ask the extension to call, which asks the user in its own
 * window; the control carries `data-webex-line-call` and `document` receives `webex-line:call`.
 * Nothing else is written to the page. When the extension can no longer be reached (reloaded,
 * removed, or the site was taken off the list) the script stops: the chip goes, and the status
 * attribute is removed rather than left showing a state nobody keeps current.
 * Every DOM call goes through native-dom, so the page's element names cannot redirect it.
 * DOM and messaging are injected so this is testable.
 */

import type { PageMessagingClient } from '../messaging/page-client';
import type { DisplayStatus, PageCallState, PageStatus } from '../messaging/protocol';
import {
  CALL_CONTROL_SELECTOR,
  CALL_EVENT,
  CALL_STATE_ATTRIBUTE,
  type CallRefusal,
  callControlOf,
  callRequestOf,
  controlNumber,
  FINAL_CALL_STATES,
  type PageCallEventDetail,
} from './click-to-call';
import { t } from './i18n';
import { nativeDocument, nativeElement } from './native-dom';
import { CHIP_OPT_OUT_ATTRIBUTE, chipOptedOut, createChip } from './page-chip';

export const CONTROL_SELECTOR = '[data-webex-line="register"]';
export const STATUS_ATTRIBUTE = 'data-webex-line-status';
export const STATUS_EVENT = 'webex-line:status';
/** Tel links as the page's call controls (the script checks the scheme itself as well). */
export const TEL_SELECTOR = 'a[href^="tel:" i]';
/** How long the chip keeps telling how a call ended, or why a click asked nothing. */
export const CALL_NOTE_MS = 8000;

/** What the chip says of the page's call, by state or by why a click asked nothing. */
const CALL_NOTES: Record<
  PageCallState | CallRefusal | 'busy' | 'notReady' | 'unreachable',
  () => string
> = {
  confirming: () => t('chipCallConfirming'),
  ringing: () => t('chipCallRinging'),
  connected: () => t('chipCallConnected'),
  ended: () => t('chipCallEnded'),
  refused: () => t('chipCallRefused'),
  failed: () => t('chipCallFailed'),
  hidden: () => t('chipCallHidden'),
  invalid: () => t('chipCallInvalid'),
  busy: () => t('chipCallBusy'),
  notReady: () => t('chipCallNotReady'),
  unreachable: () => t('chipRegisterFailed'),
};

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

type CloneInto = <T>(value: T, target: object) => T;

/** Firefox content scripts must clone objects into the page's compartment; Chrome clones. */
function forPage<T>(value: T, view: Window | null): T {
  const cloneInto = (globalThis as { cloneInto?: CloneInto }).cloneInto;
  return typeof cloneInto === 'function' && view ? cloneInto(value, view) : value;
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
  // Click to call: the control that asked, the state of its call, and the chip's note on it.
  let calling = false;
  let callControl: Element | null = null;
  let callState: PageCallState | null = null;
  let callNote: string | null = null;
  let callNoteTimer: ReturnType<typeof setTimeout> | null = null;
  /** Titles this script gave call controls (a page's own title is left alone). */
  const ownTitles = new Map<Element, string>();

  const controls = () => dom.queryAll(CONTROL_SELECTOR);
  const callControls = () =>
    dom.queryAll(`${CALL_CONTROL_SELECTOR}, ${TEL_SELECTOR}`).filter((c) => callControlOf(c) === c);

  /** Call controls keep the page's look; a title says what a click does (unless it has one). */
  const label = () => {
    const found = new Set(callControls());
    for (const control of found) {
      const number = controlNumber(control);
      const title = nativeElement.getAttribute(control, 'title');
      const mine = ownTitles.get(control);
      if (title !== null && title !== mine) continue;
      if (number === null) {
        if (mine !== undefined) nativeElement.removeAttribute(control, 'title');
        ownTitles.delete(control);
        continue;
      }
      const wanted = t('callControlTitle', number.trim());
      if (title !== wanted) nativeElement.setAttribute(control, 'title', wanted);
      ownTitles.set(control, wanted);
    }
    for (const control of [...ownTitles.keys()]) if (!found.has(control)) ownTitles.delete(control);
  };

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
    label();
    const wantsChip =
      (found.length > 0 && !found.some(chipOptedOut)) ||
      (callNote !== null && !chipOptedOut(callControl));
    chip.render(wantsChip ? { status: current, note: callNote ?? note } : null);
  };

  /** Tell the user about the page's call in the chip; `linger`: only for a while. */
  const tellCall = (text: string | null, linger: boolean) => {
    if (callNoteTimer !== null) clearTimeout(callNoteTimer);
    callNoteTimer = null;
    callNote = text;
    if (text !== null && linger) {
      callNoteTimer = setTimeout(() => {
        callNoteTimer = null;
        callNote = null;
        sync();
      }, CALL_NOTE_MS);
    }
    sync();
  };

  /** The state of this page's call (from its status): on its control, as an event, in the chip. */
  const applyCall = (state: PageCallState | undefined) => {
    const next = state ?? null;
    if (next === callState) return;
    callState = next;
    if (!next) {
      if (callControl) nativeElement.removeAttribute(callControl, CALL_STATE_ATTRIBUTE);
      return;
    }
    if (callControl) nativeElement.setAttribute(callControl, CALL_STATE_ATTRIBUTE, next);
    const detail: PageCallEventDetail = { state: next };
    const EventCtor = view?.CustomEvent ?? CustomEvent;
    dom.dispatch(new EventCtor(CALL_EVENT, { detail: forPage(detail, view) }));
    tellCall(CALL_NOTES[next](), FINAL_CALL_STATES.has(next));
  };

  const apply = (status: PageStatus) => {
    if (stopped) return;
    current = status;
    if (status.signedIn) note = null;
    const detail = pageEventDetail(status);
    const key = JSON.stringify(detail);
    if (key !== lastDispatched) {
      lastDispatched = key;
      const EventCtor = view?.CustomEvent ?? CustomEvent;
      dom.dispatch(new EventCtor(STATUS_EVENT, { detail: forPage(detail, view) }));
    }
    applyCall(status.call);
    sync();
  };

  /** A trusted click on a call control: check it, then ask the extension (which asks the user). */
  const onCallClick = (event: Event, control: Element) => {
    // Modified clicks (new tab, download) keep their meaning; frames get no call controls.
    const mouse = event as MouseEvent;
    if (mouse.ctrlKey || mouse.metaKey || mouse.shiftKey || mouse.altKey) return;
    if (!view || view.top !== view) return;
    // The tel: link is a Webex control here: the browser's own handler does not run as well.
    event.preventDefault();
    if (current && !current.signedIn) return tellCall(t('chipSignInFirst'), true);
    if (calling || (callState !== null && !FINAL_CALL_STATES.has(callState)))
      return tellCall(CALL_NOTES.busy(), true);
    const asked = callRequestOf(control, view, ownTitles.get(control));
    if ('refused' in asked) return tellCall(CALL_NOTES[asked.refused](), true);
    calling = true;
    if (callControl && callControl !== control)
      nativeElement.removeAttribute(callControl, CALL_STATE_ATTRIBUTE);
    callControl = control;
    callState = null;
    client
      .placeCall(asked.number)
      .then(apply, (error: { code?: string }) => {
        const why =
          error?.code === 'busy' || error?.code === 'notReady' || error?.code === 'invalid'
            ? error.code
            : 'unreachable';
        tellCall(CALL_NOTES[why](), true);
      })
      .finally(() => {
        calling = false;
      });
  };

  const tell = (message: string) => {
    note = message;
    sync();
  };

  const onClick = (event: Event) => {
    // Only a real user click counts: a page script calling .click() or dispatching an event
    // must not be able to register the user's line.
    if (!event.isTrusted) return;
    const target = event.target;
    const call = target instanceof Element ? callControlOf(target) : null;
    if (call) return onCallClick(event, call);
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
    if (callNoteTimer !== null) clearTimeout(callNoteTimer);
    chip.render(null);
    // Nothing this script wrote stays behind: its titles and the call's state.
    for (const [control, title] of ownTitles) {
      if (nativeElement.getAttribute(control, 'title') === title)
        nativeElement.removeAttribute(control, 'title');
    }
    ownTitles.clear();
    if (callControl) nativeElement.removeAttribute(callControl, CALL_STATE_ATTRIBUTE);
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
