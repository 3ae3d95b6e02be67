/**
 * DOM access for code running on a web page (the content script) that the page cannot confuse.
 *
 * A page can shadow a document's or a form's own properties with named elements ("DOM
 * clobbering": `<img name="querySelectorAll">` makes `document.querySelectorAll` that image in
 * every world, content scripts included). Named properties live on the object itself, never on
 * its prototypes, so members are read from the prototype chain and applied to the object.
 * Not for `window`, whose named properties sit inside its prototype chain; window members used
 * here are interface objects (`CustomEvent`, `MutationObserver`), which are own properties.
 */

function nativeMember(target: object, name: string): PropertyDescriptor | undefined {
  for (let proto = Object.getPrototypeOf(target); proto; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

/** Call the built-in method `name` of `target`, whatever the page named its elements. */
export function callNative<T>(target: object, name: string, ...args: unknown[]): T {
  const method = nativeMember(target, name)?.value;
  if (typeof method !== 'function') throw new TypeError(`No built-in ${name}`);
  return method.apply(target, args) as T;
}

/** Read the built-in getter `name` of `target`. */
export function getNative<T>(target: object, name: string): T {
  const getter = nativeMember(target, name)?.get;
  if (typeof getter !== 'function') throw new TypeError(`No built-in ${name}`);
  return getter.call(target) as T;
}

/** The few document operations the content script needs, all clobbering-proof. */
export interface NativeDocument {
  readonly document: Document;
  view(): (Window & typeof globalThis) | null;
  queryAll(selector: string): Element[];
  create(tag: string): HTMLElement;
  /** Where to mount page furniture: the body, or the root element while there is none. */
  mountPoint(): Element | null;
  root(): Element | null;
  listen(type: string, listener: (event: Event) => void, capture: boolean): void;
  unlisten(type: string, listener: (event: Event) => void, capture: boolean): void;
  dispatch(event: Event): void;
}

export function nativeDocument(document: Document): NativeDocument {
  return {
    document,
    view: () => getNative(document, 'defaultView'),
    queryAll: (selector) =>
      Array.from(callNative<NodeListOf<Element>>(document, 'querySelectorAll', selector)),
    create: (tag) => callNative(document, 'createElement', tag),
    mountPoint: () =>
      getNative<Element | null>(document, 'body') ?? getNative(document, 'documentElement'),
    root: () => getNative(document, 'documentElement'),
    listen: (type, listener, capture) =>
      callNative(document, 'addEventListener', type, listener, capture),
    unlisten: (type, listener, capture) =>
      callNative(document, 'removeEventListener', type, listener, capture),
    dispatch: (event) => callNative(document, 'dispatchEvent', event),
  };
}

/** Element operations that a form's named controls cannot shadow. */
export const nativeElement = {
  closest: (element: Element, selector: string): Element | null =>
    callNative(element, 'closest', selector),
  getAttribute: (element: Element, name: string): string | null =>
    callNative(element, 'getAttribute', name),
  setAttribute: (element: Element, name: string, value: string): void =>
    callNative(element, 'setAttribute', name, value),
  removeAttribute: (element: Element, name: string): void =>
    callNative(element, 'removeAttribute', name),
};
