/**
 * Click to call's part of the content script (which elements are call controls, and what a
 * click asks: click-to-call.ts). It titles the call controls, asks the extension when a trusted
 * click lands on one, and shows the state of the page's call on its control, to the page and in
 * the chip's note. click-to-register.ts drives it: it owns the status port, the page's click
 * listener, the observer and the chip.
 */

import type { PageMessagingClient } from '../messaging/page-client';
import type { PageCallState, PageStatus } from '../messaging/protocol';
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
import { type NativeDocument, nativeElement } from './native-dom';
import { chipOptedOut } from './page-chip';
import { dispatchToPage } from './page-events';

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

export interface CallControlsDeps {
  dom: NativeDocument;
  view: (Window & typeof globalThis) | null;
  client: PageMessagingClient;
  /** The page's latest status (the register side keeps it), null before the first. */
  status(): PageStatus | null;
  /** The status the extension answered a call with: applied like any other. */
  applyStatus(status: PageStatus): void;
  /** The chip's note changed: show the page again. */
  changed(): void;
}

export interface CallControls {
  /** Give call controls a title saying what a click does (run on every change to the page). */
  label(): void;
  /** The chip's note on the page's call, if any. */
  note(): string | null;
  /** Whether the call's note wants the chip (its control did not turn the chip off). */
  wantsChip(): boolean;
  /** The state of this page's call, from its status. */
  apply(state: PageCallState | undefined): void;
  /** A trusted click: handled (true) if it landed in a call control. */
  click(event: Event): boolean;
  /** Take back what was written to the page: titles and the call's state. */
  stop(): void;
}

export function createCallControls({
  dom,
  view,
  client,
  status,
  applyStatus,
  changed,
}: CallControlsDeps): CallControls {
  // The control that asked, the state of its call, and the chip's note on it.
  let calling = false;
  let callControl: Element | null = null;
  let callState: PageCallState | null = null;
  let callNote: string | null = null;
  let callNoteTimer: ReturnType<typeof setTimeout> | null = null;
  /** Titles this script gave call controls (a page's own title is left alone). */
  const ownTitles = new Map<Element, string>();

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

  /** Tell the user about the page's call in the chip; `linger`: only for a while. */
  const tellCall = (text: string | null, linger: boolean) => {
    if (callNoteTimer !== null) clearTimeout(callNoteTimer);
    callNoteTimer = null;
    callNote = text;
    if (text !== null && linger) {
      callNoteTimer = setTimeout(() => {
        callNoteTimer = null;
        callNote = null;
        changed();
      }, CALL_NOTE_MS);
    }
    changed();
  };

  /** The state of this page's call (from its status): on its control, as an event, in the chip. */
  const apply = (state: PageCallState | undefined) => {
    const next = state ?? null;
    if (next === callState) return;
    callState = next;
    if (!next) {
      if (callControl) nativeElement.removeAttribute(callControl, CALL_STATE_ATTRIBUTE);
      return;
    }
    if (callControl) nativeElement.setAttribute(callControl, CALL_STATE_ATTRIBUTE, next);
    const detail: PageCallEventDetail = { state: next };
    dispatchToPage(dom, view, CALL_EVENT, detail);
    tellCall(CALL_NOTES[next](), FINAL_CALL_STATES.has(next));
  };

  /** A trusted click on a call control: check it, then ask the extension (which asks the user). */
  const onCallClick = (event: Event, control: Element) => {
    // Modified clicks (new tab, download) keep their meaning; frames get no call controls.
    const mouse = event as MouseEvent;
    if (mouse.ctrlKey || mouse.metaKey || mouse.shiftKey || mouse.altKey) return;
    if (!view || view.top !== view) return;
    // The tel: link is a Webex control here: the browser's own handler does not run as well.
    event.preventDefault();
    const current = status();
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
      .then(applyStatus, (error: { code?: string }) => {
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

  return {
    label,
    note: () => callNote,
    wantsChip: () => callNote !== null && !chipOptedOut(callControl),
    apply,
    click(event) {
      const target = event.target;
      const control = target instanceof Element ? callControlOf(target) : null;
      if (!control) return false;
      onCallClick(event, control);
      return true;
    },
    stop() {
      if (callNoteTimer !== null) clearTimeout(callNoteTimer);
      // Nothing this script wrote stays behind: its titles and the call's state.
      for (const [control, title] of ownTitles) {
        if (nativeElement.getAttribute(control, 'title') === title)
          nativeElement.removeAttribute(control, 'title');
      }
      ownTitles.clear();
      if (callControl) nativeElement.removeAttribute(callControl, CALL_STATE_ATTRIBUTE);
    },
  };
}
