// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createPageMessagingClient,
  type PageMessagingClient,
} from '../../../lib/messaging/page-client';
import type { PageStatus } from '../../../lib/messaging/protocol';
import { MessagingError } from '../../../lib/messaging/transport';
import {
  CALL_EVENT,
  CALL_STATE_ATTRIBUTE,
  callControlOf,
  controlNumber,
  numberShownIn,
} from '../../../lib/ui/click-to-call';
import { CALL_NOTE_MS } from '../../../lib/ui/click-to-call-controls';
import { type ClickToRegister, startClickToRegister } from '../../../lib/ui/click-to-register';
import { getNative } from '../../../lib/ui/native-dom';
import { CHIP_TAG } from '../../../lib/ui/page-chip';
import { demoPage } from '../../emulator/demo-page';
import { fakeRuntime, installI18n } from './helpers';

const registered: PageStatus = { status: 'registered', error: null, signedIn: true };

function fakePageClient() {
  let push: (status: PageStatus) => void = () => {};
  const client = {
    request: vi.fn(async (_type: string) => registered),
    placeCall: vi.fn(
      async (_number: string): Promise<PageStatus> => ({
        ...registered,
        call: 'confirming',
      }),
    ),
    connectPageStatus: vi.fn((onStatus: (status: PageStatus) => void) => {
      push = onStatus;
      return () => {
        push = () => {};
      };
    }),
  } satisfies PageMessagingClient;
  return { client, push: (status: PageStatus) => push(status) };
}

/** A click as the browser makes it for a real user: `isTrusted` cannot be set by page code. */
function trustedClick(element: Element, init: MouseEventInit = {}) {
  const event = new MouseEvent('click', { bubbles: true, cancelable: true, ...init });
  Object.defineProperty(event, 'isTrusted', { value: true });
  element.dispatchEvent(event);
  return event;
}

/** happy-dom lays nothing out: boxes come from here (default: a normal, on-screen link). */
const boxes = new WeakMap<Element, Partial<DOMRect>>();
function box(element: Element, rect: Partial<DOMRect>) {
  boxes.set(element, rect);
  return element;
}

function add(html: string): HTMLElement {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  const element = holder.firstElementChild as HTMLElement;
  document.body.append(element);
  return element;
}

const shadowRoots = new WeakMap<Element, ShadowRoot>();
const attachShadow = HTMLElement.prototype.attachShadow;
const chipText = () => {
  const host = document.querySelector(CHIP_TAG);
  return host ? (shadowRoots.get(host)?.textContent ?? null) : null;
};
const flush = () => new Promise((resolve) => setImmediate(resolve));

let controller: ClickToRegister | null = null;
const callEvents: CustomEvent[] = [];
const record = (event: Event) => callEvents.push(event as CustomEvent);

beforeEach(() => {
  installI18n();
  document.body.innerHTML = '';
  callEvents.length = 0;
  document.addEventListener(CALL_EVENT, record);
  vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (
    this: HTMLElement,
    init: ShadowRootInit,
  ) {
    const root = attachShadow.call(this, init);
    shadowRoots.set(this, root);
    return root;
  });
  vi.spyOn(Element.prototype, 'getBoundingClientRect').mockImplementation(function (this: Element) {
    const rect = { left: 10, top: 10, width: 120, height: 20, ...boxes.get(this) };
    return {
      ...rect,
      x: rect.left,
      y: rect.top,
      right: rect.left + rect.width,
      bottom: rect.top + rect.height,
      toJSON: () => rect,
    } as DOMRect;
  });
  // happy-dom's checkVisibility does not know about layout: the script's own checks decide.
  vi.spyOn(Element.prototype, 'checkVisibility').mockReturnValue(true);
});
afterEach(() => {
  controller?.stop();
  controller = null;
  document.removeEventListener(CALL_EVENT, record);
  vi.restoreAllMocks();
  vi.useRealTimers();
});

function start() {
  const fake = fakePageClient();
  controller = startClickToRegister({ document, client: fake.client });
  fake.push(registered);
  return fake;
}

describe('click to call: what asks', () => {
  it('a trusted click on a tel: link asks to call its number, instead of the browser handler', async () => {
    const link = add('<a href="tel:+14085550100">+1 408 555 0100</a>');
    const { client } = start();
    expect(link.getAttribute('title')).toBe('Call +14085550100 with Webex');
    const event = trustedClick(link);
    expect(event.defaultPrevented).toBe(true);
    expect(client.placeCall).toHaveBeenCalledExactlyOnceWith('+14085550100');
    await flush();
    expect(link.getAttribute(CALL_STATE_ATTRIBUTE)).toBe('confirming');
    expect(chipText()).toContain('Confirm the call in the Webex Line window.');
  });

  it('data-webex-line="call": the number in data-number, or in its text', () => {
    const given = add(
      '<button data-webex-line="call" data-number="555 0100">Call 555 0100</button>',
    );
    const text = add('<span data-webex-line="call">Call <b>+44 20 7946 0958</b> now</span>');
    const { client } = start();
    trustedClick(given);
    expect(client.placeCall).toHaveBeenLastCalledWith('555 0100');
    controller?.stop();
    const second = start();
    trustedClick(text.querySelector('b') as Element);
    expect(second.client.placeCall).toHaveBeenCalledWith('+44 20 7946 0958');
  });

  it('scripted clicks, other links and modified clicks ask nothing', async () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    const web = add('<a href="https://example.com/5550100">555 0100</a>');
    const { client } = start();
    link.click();
    link.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
    window.postMessage({ type: 'page/call', payload: { number: '5550100' } }, '*');
    trustedClick(web);
    // Ctrl/Cmd-click keeps its meaning (the browser's own handling).
    expect(trustedClick(link, { ctrlKey: true }).defaultPrevented).toBe(false);
    await flush();
    expect(client.placeCall).not.toHaveBeenCalled();
  });

  it('works for controls added after the script started (delegation)', async () => {
    const { client } = start();
    const later = add('<a href="tel:5550100">555-0100</a>');
    await vi.waitFor(() => expect(later.getAttribute('title')).toBe('Call 5550100 with Webex'));
    trustedClick(later);
    expect(client.placeCall).toHaveBeenCalledWith('5550100');
  });

  it('asks nothing from a frame', () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    const { client } = start();
    // The window the script reads (happy-dom's own, behind the test's global).
    const view = getNative<Window>(document, 'defaultView');
    Object.defineProperty(view, 'top', { value: {}, configurable: true });
    try {
      trustedClick(link);
      expect(client.placeCall).not.toHaveBeenCalled();
    } finally {
      Object.defineProperty(view, 'top', { value: view, configurable: true });
    }
  });
});

describe('click to call: what is refused before anything is asked', () => {
  it.each([
    ['hidden by an ancestor', '<div style="display:none"><a href="tel:5550100">555 0100</a></div>'],
    ['visibility hidden', '<a style="visibility:hidden" href="tel:5550100">555 0100</a>'],
    ['transparent', '<a style="opacity:0.05" href="tel:5550100">555 0100</a>'],
    [
      'transparent through its parent',
      '<div style="opacity:0.2"><a style="opacity:0.9" href="tel:5550100">555 0100</a></div>',
    ],
    ['invisible text', '<a style="color:transparent" href="tel:5550100">555 0100</a>'],
    ['unreadably small text', '<a style="font-size:2px" href="tel:5550100">555 0100</a>'],
    ['a hidden number', '<a href="tel:+19005550100">Call support</a>'],
    [
      'a number hidden in its text',
      '<a href="tel:19005550100">1 <span style="display:none">900</span> 555 0100</a>',
    ],
    ['another number in view', '<a href="tel:5550199">555 0100</a>'],
  ])('%s', async (_, html) => {
    const added = add(html);
    const control = added.matches('a') ? added : (added.querySelector('a') as HTMLElement);
    const { client } = start();
    trustedClick(control);
    expect(client.placeCall).not.toHaveBeenCalled();
    expect(chipText()).toContain('Not calling: the number is not visible on the page.');
  });

  it('zero-size and off-screen controls', () => {
    const tiny = box(add('<a href="tel:5550100">555 0100</a>'), { width: 0, height: 0 });
    const away = box(add('<a href="tel:5550101">555 0101</a>'), { left: -500, top: 10 });
    const below = box(add('<a href="tel:5550102">555 0102</a>'), { top: 5000 });
    const { client } = start();
    for (const control of [tiny, away, below]) trustedClick(control);
    expect(client.placeCall).not.toHaveBeenCalled();
  });

  it('a number the page shows in its own title is visible; the title this script set is not', () => {
    const titled = add('<a href="tel:5550100" title="Support: 555 0100">Call support</a>');
    const { client } = start();
    // The page's own title stays.
    expect(titled.getAttribute('title')).toBe('Support: 555 0100');
    trustedClick(titled);
    expect(client.placeCall).toHaveBeenCalledWith('5550100');

    controller?.stop();
    const untitled = add('<a href="tel:5550101">Call sales</a>');
    const next = start();
    expect(untitled.getAttribute('title')).toBe('Call 5550101 with Webex');
    trustedClick(untitled);
    expect(next.client.placeCall).not.toHaveBeenCalled();
  });

  it('not a diallable number: refused with its own note', () => {
    const control = add(
      '<button data-webex-line="call" data-number="1-800-FLOWERS">1-800-FLOWERS</button>',
    );
    const { client } = start();
    trustedClick(control);
    expect(client.placeCall).not.toHaveBeenCalled();
    expect(chipText()).toContain('Not calling: this is not a number Webex can dial.');
  });

  it('signed out: asks nothing and says to sign in', () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    const { client, push } = start();
    push({ status: 'inactive', error: null, signedIn: false });
    trustedClick(link);
    expect(client.placeCall).not.toHaveBeenCalled();
    expect(chipText()).toContain('Sign in from the Webex Line button');
  });
});

describe('click to call: one at a time, and the state shown', () => {
  it('a second click while the call waits or goes on is refused; once over, it may ask again', async () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    const other = add('<a href="tel:5550199">555 0199</a>');
    const { client, push } = start();
    trustedClick(link);
    trustedClick(link); // while the first request is in flight
    await flush();
    trustedClick(other);
    expect(client.placeCall).toHaveBeenCalledOnce();
    expect(chipText()).toContain('A call from this page is already waiting or in progress.');
    push({ ...registered, call: 'connected' });
    trustedClick(other);
    expect(client.placeCall).toHaveBeenCalledOnce();
    push({ ...registered, call: 'ended' });
    trustedClick(other);
    expect(client.placeCall).toHaveBeenCalledTimes(2);
  });

  it('the control and the page follow the call: {state} and nothing else', async () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    const { push } = start();
    trustedClick(link);
    await flush();
    push({ ...registered, call: 'ringing' });
    push({ ...registered, call: 'ringing' });
    expect(link.getAttribute(CALL_STATE_ATTRIBUTE)).toBe('ringing');
    expect(chipText()).toContain('Calling…');
    push({ ...registered, call: 'connected' });
    push({ ...registered, call: 'ended' });
    expect(callEvents.map((event) => event.detail)).toEqual([
      { state: 'confirming' },
      { state: 'ringing' },
      { state: 'connected' },
      { state: 'ended' },
    ]);
    expect(Object.keys(callEvents[0]?.detail ?? {})).toEqual(['state']);
    expect(link.getAttribute(CALL_STATE_ATTRIBUTE)).toBe('ended');
    expect(chipText()).toContain('The call ended.');
  });

  it('the chip tells of the call, then goes (the page has no register control)', async () => {
    vi.useFakeTimers();
    const link = add('<a href="tel:5550100">555 0100</a>');
    const { push } = start();
    expect(document.querySelector(CHIP_TAG)).toBeNull();
    trustedClick(link);
    await vi.waitFor(() => expect(chipText()).toContain('Confirm the call'));
    push({ ...registered, call: 'refused' });
    expect(chipText()).toContain('The call was not placed.');
    vi.advanceTimersByTime(CALL_NOTE_MS + 1);
    expect(document.querySelector(CHIP_TAG)).toBeNull();
  });

  it("the extension's refusals become the chip's notes", async () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    const { client } = start();
    client.placeCall.mockRejectedValueOnce(new MessagingError('notReady', 'not registered'));
    trustedClick(link);
    await vi.waitFor(() =>
      expect(chipText()).toContain('Register your Webex line first, then try the call again.'),
    );
    client.placeCall.mockRejectedValueOnce(new MessagingError('busy', 'busy'));
    trustedClick(link);
    await vi.waitFor(() => expect(chipText()).toContain('already waiting or in progress'));
    expect(link.hasAttribute(CALL_STATE_ATTRIBUTE)).toBe(false);
  });

  it('stop() leaves nothing behind: no titles, no call state', async () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    start();
    trustedClick(link);
    await flush();
    controller?.stop();
    controller = null;
    expect(link.hasAttribute('title')).toBe(false);
    expect(link.hasAttribute(CALL_STATE_ATTRIBUTE)).toBe(false);
  });

  it('the real client sends page/call {number} and reads the page status back', async () => {
    const link = add('<a href="tel:5550100">555 0100</a>');
    const fake = fakeRuntime({
      'status/get': () => registered as never,
      'page/call': () => ({ ...registered, call: 'confirming' }) as never,
    });
    controller = startClickToRegister({
      document,
      client: createPageMessagingClient(fake.runtime),
    });
    await flush();
    trustedClick(link);
    await flush();
    expect(fake.sentOf('page/call')).toEqual([
      { type: 'page/call', payload: { number: '5550100' } },
    ]);
    expect(link.getAttribute(CALL_STATE_ATTRIBUTE)).toBe('confirming');
  });
});

describe('click to call: numbers', () => {
  it('the number must be shown, or shown without its international prefix', () => {
    expect(numberShownIn('+14085550100', '+1 (408) 555-0100')).toBe(true);
    expect(numberShownIn('+14085550100', '(408) 555-0100')).toBe(true);
    expect(numberShownIn('+442079460958', '020 7946 0958')).toBe(true);
    expect(numberShownIn('5550100', 'Call 555 0100 today')).toBe(true);
    expect(numberShownIn('+19005550100', '555 0100')).toBe(false);
    expect(numberShownIn('19005550100', '(900) 555-0100')).toBe(false);
    expect(numberShownIn('5550100', 'Room 555, desk 0100')).toBe(false);
    expect(numberShownIn('5550100', '')).toBe(false);
  });

  it('tel: numbers are read up to their parameters, and percent-decoded', () => {
    const link = add('<a href="TEL:+1%20408%20555%200100;ext=12">x</a>');
    expect(callControlOf(link)).toBe(link);
    expect(controlNumber(link)).toBe('+1 408 555 0100');
    expect(callControlOf(add('<a href="mailto:a@b">x</a>'))).toBeNull();
  });
});

describe('click to call on the emulator demo page', () => {
  it('its tel: link and its data-webex-line="call" button are call controls', () => {
    const html = demoPage('http://127.0.0.1:8790');
    document.body.innerHTML = html.slice(html.indexOf('<h1>'), html.indexOf('<script'));
    const { client } = start();
    const link = document.querySelector('a[href^="tel:"]') as HTMLElement;
    const button = document.querySelector('[data-webex-line="call"]') as HTMLElement;
    expect(link.getAttribute('title')).toBe('Call +14085550123 with Webex');
    expect(button.getAttribute('title')).toBe('Call +1 408 555 0199 with Webex');
    trustedClick(button);
    expect(client.placeCall).toHaveBeenCalledWith('+1 408 555 0199');
  });
});
