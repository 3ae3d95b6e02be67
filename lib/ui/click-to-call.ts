/**
 * Click to call on opted-in web pages: the rules (which elements are call controls, their number,
 * what a click may ask). The controller is click-to-call-controls.ts, driven by
 * click-to-register.ts, which owns the status port and the chip. The page's contract:
 * - `a[href^="tel:"]` links and elements with `data-webex-line="call"` (the number in
 *   `data-number`, or the element's text) are call controls; they keep the page's look and get
 *   a title "Call <number> with Webex" when they have none;
 * - a trusted click on one, in the top frame, asks the extension to call; the extension asks the
 *   user in its own window (never on the page), and only a click there dials;
 * - the control that asked carries `data-webex-line-call` = confirming | ringing | connected |
 *   ended | refused | failed, and `document` receives a `webex-line:call` CustomEvent whose
 *   detail is exactly `{state}`.
 * Refused before anything is asked: a control that is hidden, zero-size, transparent or
 * off-screen, or whose number the user cannot see (not in its visible text or its title), or
 * that holds no diallable number; and a second call while this page's call waits or goes on.
 */

import { dialledNumber } from '../call/dial-number';
import type { PageCallState } from '../messaging/protocol';
import { callNative, getNative, nativeElement } from './native-dom';

export const CALL_CONTROL_SELECTOR = '[data-webex-line="call"]';
export const TEL_LINK_SELECTOR = 'a[href]';
export const CALL_STATE_ATTRIBUTE = 'data-webex-line-call';
export const CALL_EVENT = 'webex-line:call';

/** Smaller than this (CSS pixels) in either direction is not a control a user means to click. */
export const MIN_CONTROL_PX = 4;
/** Less opaque than this, counting every ancestor, is taken as hidden. */
export const MIN_OPACITY = 0.3;
/** Text smaller than this (CSS pixels) is not a number a user can read. */
export const MIN_FONT_PX = 6;

/** States after which a page may ask again. */
export const FINAL_CALL_STATES: ReadonlySet<PageCallState> = new Set([
  'ended',
  'refused',
  'failed',
]);

/** Why a click on a call control asks nothing. */
export type CallRefusal = 'hidden' | 'invalid';

/** The call control a click landed in, if any. */
export function callControlOf(target: Element): Element | null {
  const marked = nativeElement.closest(target, CALL_CONTROL_SELECTOR);
  if (marked) return marked;
  const link = nativeElement.closest(target, TEL_LINK_SELECTOR);
  return link && telOf(link) !== null ? link : null;
}

/** The number of a `tel:` link (before any `;` parameters), or null if it is no tel: link. */
export function telOf(link: Element): string | null {
  const href = (nativeElement.getAttribute(link, 'href') ?? '').trim();
  if (!/^tel:/i.test(href)) return null;
  const raw = href.slice(4).split(/[;?]/)[0] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The text a user sees of an element (`innerText` leaves out what CSS hides). */
function visibleText(element: Element): string {
  try {
    const text = getNative<string>(element, 'innerText');
    if (typeof text === 'string') return text;
  } catch {
    // Not an HTMLElement (an SVG link): its text content.
  }
  return getNative<string | null>(element, 'textContent') ?? '';
}

/** The first phone-number-like run in a text ("Call +1 (408) 555-0100 now"). */
function numberInText(text: string): string | null {
  return text.match(/\+?[\d(][\d\s().*#-]*\d/)?.[0] ?? null;
}

/** The number a control asks to call, as written on the page (not yet checked). */
export function controlNumber(control: Element): string | null {
  if (nativeElement.getAttribute(control, 'data-webex-line') === 'call') {
    const given = nativeElement.getAttribute(control, 'data-number')?.trim();
    return given ? given : numberInText(visibleText(control));
  }
  return telOf(control);
}

const digitsOf = (text: string) => text.replace(/\D/g, '');

/**
 * Whether `number`'s digits are shown in `text`: all of them, in order, as one run of the
 * text's digits; or all but an international prefix of 1 to 3 digits the text leaves out
 * (`tel:+14085550100` shown as "(408) 555-0100", or as "0408 555 0100" with a trunk 0).
 */
export function numberShownIn(number: string, text: string): boolean {
  const wanted = digitsOf(number);
  if (wanted.length === 0) return false;
  // Each run of digits and separators in the text is one number as the user reads it.
  const shown = (text.match(/\+?[\d(][\d\s().*#/-]*\d|\d/g) ?? []).map(digitsOf);
  return shown.some((digits) => {
    if (digits.includes(wanted)) return true;
    if (!number.trim().startsWith('+')) return false;
    const national = digits.replace(/^0+/, '');
    const prefix = wanted.length - national.length;
    return national.length >= 6 && prefix >= 1 && prefix <= 3 && wanted.endsWith(national);
  });
}

type View = Window & typeof globalThis;

function alphaOf(color: string): number {
  if (color === 'transparent') return 0;
  const rgba = color.match(/rgba?\(([^)]*)\)/i)?.[1];
  if (!rgba) return 1;
  const parts = rgba.split(/[\s,/]+/).filter(Boolean);
  if (parts.length < 4) return 1;
  const alpha = parts[3] as string;
  const value = alpha.endsWith('%') ? Number.parseFloat(alpha) / 100 : Number.parseFloat(alpha);
  return Number.isFinite(value) ? value : 1;
}

/**
 * Whether a user can see the control: displayed, visible, opaque enough (with its ancestors),
 * text readable and not transparent, at least MIN_CONTROL_PX in size, and within the viewport.
 */
export function controlVisible(control: Element, view: View): boolean {
  const style = view.getComputedStyle(control);
  if (style.visibility !== 'visible' && style.visibility !== '') return false;
  if (alphaOf(style.color) < MIN_OPACITY) return false;
  const fontSize = Number.parseFloat(style.fontSize);
  if (Number.isFinite(fontSize) && fontSize < MIN_FONT_PX) return false;
  let opacity = 1;
  for (
    let node: Element | null = control;
    node;
    node = getNative<Element | null>(node, 'parentElement')
  ) {
    const nodeStyle = node === control ? style : view.getComputedStyle(node);
    if (nodeStyle.display === 'none' || nodeStyle.contentVisibility === 'hidden') return false;
    const own = Number.parseFloat(nodeStyle.opacity);
    if (Number.isFinite(own)) opacity *= own;
  }
  if (opacity < MIN_OPACITY) return false;
  const check = (control as { checkVisibility?: (options: object) => boolean }).checkVisibility;
  if (
    typeof check === 'function' &&
    !callNative<boolean>(control, 'checkVisibility', {
      opacityProperty: true,
      visibilityProperty: true,
      contentVisibilityAuto: true,
    })
  )
    return false;
  const box = callNative<DOMRect>(control, 'getBoundingClientRect');
  if (box.width < MIN_CONTROL_PX || box.height < MIN_CONTROL_PX) return false;
  return (
    box.right > 0 && box.bottom > 0 && box.left < view.innerWidth && box.top < view.innerHeight
  );
}

/**
 * What a trusted click on `control` asks for: the number as the user sees it, or why nothing is
 * asked. `ownTitle` is the title this script set (not the page's: it proves nothing).
 */
export function callRequestOf(
  control: Element,
  view: View,
  ownTitle: string | undefined,
): { number: string } | { refused: CallRefusal } {
  const number = controlNumber(control);
  if (number === null || !dialledNumber(number).ok) return { refused: 'invalid' };
  if (!controlVisible(control, view)) return { refused: 'hidden' };
  const title = nativeElement.getAttribute(control, 'title') ?? '';
  const shown =
    numberShownIn(number, visibleText(control)) ||
    (title !== ownTitle && numberShownIn(number, title));
  return shown ? { number } : { refused: 'hidden' };
}

/** The only thing the page receives about its call. */
export interface PageCallEventDetail {
  state: PageCallState;
}
