/**
 * How the click-to-register script tells the page something: a CustomEvent on `document`,
 * its detail a plain object the page's world can read. Used for the status and the call events.
 */

import type { NativeDocument } from './native-dom';

type CloneInto = <T>(value: T, target: object) => T;

/** Firefox content scripts must clone objects into the page's compartment; Chrome clones. */
function forPage<T>(value: T, view: Window | null): T {
  const cloneInto = (globalThis as { cloneInto?: CloneInto }).cloneInto;
  return typeof cloneInto === 'function' && view ? cloneInto(value, view) : value;
}

/** Dispatch `type` on the page's document, built with the page's own CustomEvent when there. */
export function dispatchToPage(
  dom: NativeDocument,
  view: (Window & typeof globalThis) | null,
  type: string,
  detail: object,
): void {
  const EventCtor = view?.CustomEvent ?? CustomEvent;
  dom.dispatch(new EventCtor(type, { detail: forPage(detail, view) }));
}
