// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import definition from '../../../entrypoints/click-to-register';
import type { PageMessagingClient } from '../../../lib/messaging/page-client';
import type { PageStatus } from '../../../lib/messaging/protocol';
import {
  type ClickToRegister,
  claimFrame,
  pageEventDetail,
  STATUS_EVENT,
  startClickToRegister,
} from '../../../lib/ui/click-to-register';
import { CHIP_TAG } from '../../../lib/ui/page-chip';
import { fakeRuntime, installI18n } from './helpers';

const signedInIdle: PageStatus = { status: 'inactive', error: null, signedIn: true };
const registered: PageStatus = { status: 'registered', error: null, signedIn: true };

function fakePageClient(registerAnswer: PageStatus = { ...registered }) {
  let push: (status: PageStatus) => void = () => {};
  let gone: () => void = () => {};
  const client = {
    request: vi.fn(async (_type: string) => registerAnswer),
    placeCall: vi.fn(async (_number: string) => ({
      ...registerAnswer,
      call: 'confirming' as const,
    })),
    connectPageStatus: vi.fn((onStatus: (status: PageStatus) => void, onGone?: () => void) => {
      push = onStatus;
      gone = onGone ?? (() => {});
      return () => {
        push = () => {};
      };
    }),
  } satisfies PageMessagingClient;
  return { client, push: (status: PageStatus) => push(status), gone: () => gone() };
}

/** A click as the browser makes it for a real user: `isTrusted` cannot be set by page code. */
function trustedClick(element: Element) {
  const event = new MouseEvent('click', { bubbles: true, cancelable: true });
  Object.defineProperty(event, 'isTrusted', { value: true });
  element.dispatchEvent(event);
}

function addControl(text = 'Go online') {
  const button = document.createElement('button');
  button.setAttribute('data-webex-line', 'register');
  button.textContent = text;
  document.body.append(button);
  return button;
}

/** The chip's shadow roots are closed; the test keeps the handle the page never gets. */
const shadowRoots = new WeakMap<Element, ShadowRoot>();
const attachShadow = HTMLElement.prototype.attachShadow;
const chipRoot = () => {
  const host = document.querySelector(CHIP_TAG);
  return host ? (shadowRoots.get(host) ?? null) : null;
};
const chipText = () => chipRoot()?.textContent ?? null;
const flushPromises = () => new Promise((resolve) => setImmediate(resolve));

let controller: ClickToRegister | null = null;
const events: CustomEvent[] = [];
const record = (event: Event) => events.push(event as CustomEvent);

beforeEach(() => {
  vi.spyOn(HTMLElement.prototype, 'attachShadow').mockImplementation(function (
    this: HTMLElement,
    init: ShadowRootInit,
  ) {
    const root = attachShadow.call(this, init);
    shadowRoots.set(this, root);
    return root;
  });
  installI18n();
  document.body.innerHTML = '';
  events.length = 0;
  document.addEventListener(STATUS_EVENT, record);
});
afterEach(() => {
  controller?.stop();
  controller = null;
  document.removeEventListener(STATUS_EVENT, record);
});

describe('click-to-register', () => {
  it('a trusted click on a control asks to register', async () => {
    const control = addControl();
    const { client, push } = fakePageClient();
    controller = startClickToRegister({ document, client });
    push(signedInIdle);
    trustedClick(control.appendChild(document.createElement('span')));
    expect(client.request).toHaveBeenCalledWith('line/register');
    await flushPromises();
    expect(control.getAttribute('data-webex-line-status')).toBe('registered');
  });

  it('scripted clicks, events on other elements and postMessage do nothing', async () => {
    const control = addControl();
    const other = document.createElement('button');
    document.body.append(other);
    const { client, push } = fakePageClient();
    controller = startClickToRegister({ document, client });
    push(signedInIdle);

    control.click();
    control.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    trustedClick(other);
    window.postMessage({ type: 'line/register', payload: {} }, '*');
    await flushPromises();
    expect(client.request).not.toHaveBeenCalled();
  });

  it('keeps data-webex-line-status current on every control, including ones added later', async () => {
    const first = addControl();
    const { client, push } = fakePageClient();
    controller = startClickToRegister({ document, client });
    expect(first.hasAttribute('data-webex-line-status')).toBe(false);

    push(signedInIdle);
    expect(first.getAttribute('data-webex-line-status')).toBe('inactive');
    push({ status: 'connecting', error: null, signedIn: true });
    expect(first.getAttribute('data-webex-line-status')).toBe('connecting');

    const later = addControl('Later');
    await vi.waitFor(() => expect(later.getAttribute('data-webex-line-status')).toBe('connecting'));
    push({ status: 'reconnecting', error: null, signedIn: true });
    expect([first, later].map((c) => c.getAttribute('data-webex-line-status'))).toEqual([
      'reconnecting',
      'reconnecting',
    ]);
  });

  it('tells the page {status, error} and nothing else, once per change', () => {
    addControl();
    const { client, push } = fakePageClient();
    controller = startClickToRegister({ document, client });
    const leaky = {
      status: 'error',
      error: {
        type: 'tokenError',
        msg: 'Token expired. Authentication/Authorization error.',
        token: 'secret',
      },
      signedIn: true,
      accessToken: 'secret',
    } as unknown as PageStatus;

    push(signedInIdle);
    push(signedInIdle);
    push(leaky);
    expect(events).toHaveLength(2);
    expect(events[0]?.type).toBe('webex-line:status');
    expect(events[0]?.detail).toEqual({ status: 'inactive', error: null });
    expect(events[1]?.detail).toEqual({
      status: 'error',
      error: { type: 'tokenError', msg: 'Token expired. Authentication/Authorization error.' },
    });
    expect(Object.keys(events[1]?.detail ?? {})).toEqual(['status', 'error']);
    expect(JSON.stringify(events[1]?.detail)).not.toContain('secret');
    // A plain object: it survives the structured clone into the page's world.
    expect(structuredClone(events[1]?.detail)).toEqual(events[1]?.detail);
    expect(pageEventDetail(leaky)).toEqual(events[1]?.detail);
  });

  it('signed out: a click asks nothing and tells the user to sign in from the toolbar', async () => {
    const control = addControl();
    const { client, push } = fakePageClient();
    controller = startClickToRegister({ document, client });
    push({ status: 'inactive', error: null, signedIn: false });
    expect(chipText()).toContain('Webex line: signed out');
    trustedClick(control);
    expect(client.request).not.toHaveBeenCalled();
    expect(chipText()).toContain('Sign in from the Webex Line button in the browser toolbar');
    expect(control.getAttribute('data-webex-line-status')).toBe('inactive');
  });

  it('shows the chip in a shadow root only while the page has a control, and stop() cleans up', async () => {
    const { client, push } = fakePageClient();
    controller = startClickToRegister({ document, client });
    push(registered);
    expect(document.querySelector(CHIP_TAG)).toBeNull();

    const control = addControl();
    await vi.waitFor(() => expect(chipText()).toContain('Webex line: Registered'));
    const host = document.querySelector(CHIP_TAG) as HTMLElement;
    expect(chipRoot()?.querySelector('[role="status"]')?.getAttribute('data-status')).toBe(
      'registered',
    );
    // Closed: the page can neither read whether the user is signed in nor rewrite the chip.
    expect(host.shadowRoot).toBeNull();
    // The chip is the only element added to the page.
    expect(Array.from(document.body.children).map((e) => e.tagName.toLowerCase())).toEqual([
      'button',
      CHIP_TAG,
    ]);

    control.remove();
    await vi.waitFor(() => expect(document.querySelector(CHIP_TAG)).toBeNull());

    addControl();
    await vi.waitFor(() => expect(document.querySelector(CHIP_TAG)).not.toBeNull());
    controller.stop();
    controller = null;
    expect(document.querySelector(CHIP_TAG)).toBeNull();
    push({ status: 'connecting', error: null, signedIn: true });
    expect(events.at(-1)?.detail.status).toBe('registered');
  });

  it('a page can turn the chip off', () => {
    addControl().setAttribute('data-webex-line-chip', 'off');
    const { client, push } = fakePageClient();
    controller = startClickToRegister({ document, client });
    push(registered);
    expect(document.querySelector(CHIP_TAG)).toBeNull();
  });

  it('says so in the chip when the extension cannot be reached', async () => {
    const control = addControl();
    const { client, push } = fakePageClient();
    client.request.mockRejectedValueOnce(new Error('Could not establish connection.'));
    controller = startClickToRegister({ document, client });
    push(signedInIdle);
    trustedClick(control);
    await vi.waitFor(() =>
      expect(chipText()).toContain('The extension could not be reached. Try again.'),
    );
  });

  it('stops, and leaves no stale status behind, when the extension can no longer be reached', async () => {
    const control = addControl();
    const { client, push, gone } = fakePageClient();
    controller = startClickToRegister({ document, client });
    push(registered);
    await vi.waitFor(() => expect(document.querySelector(CHIP_TAG)).not.toBeNull());
    expect(control.getAttribute('data-webex-line-status')).toBe('registered');

    gone(); // the extension was reloaded, or the site was removed from the list
    expect(document.querySelector(CHIP_TAG)).toBeNull();
    expect(control.hasAttribute('data-webex-line-status')).toBe(false);
    trustedClick(control);
    addControl('Later');
    await flushPromises();
    expect(client.request).not.toHaveBeenCalled();
    expect(document.querySelector(CHIP_TAG)).toBeNull();
  });
});

describe('click-to-register against a hostile page', () => {
  /** What Chrome does for `<img name="x">`: the document's own property `x` is that element. */
  function clobber(target: object, names: string[]) {
    const decoy = document.createElement('img');
    for (const name of names)
      Object.defineProperty(target, name, { value: decoy, configurable: true });
    return () => {
      for (const name of names) delete (target as Record<string, unknown>)[name];
    };
  }

  it('named elements that shadow document members do not confuse it', async () => {
    const control = addControl();
    const restore = clobber(document, [
      'querySelectorAll',
      'addEventListener',
      'removeEventListener',
      // Not dispatchEvent: happy-dom itself calls it on the document while dispatching.
      'createElement',
      'body',
      'documentElement',
      'defaultView',
    ]);
    try {
      const { client, push } = fakePageClient();
      controller = startClickToRegister({ document, client });
      push(signedInIdle);
      expect(control.getAttribute('data-webex-line-status')).toBe('inactive');
      expect(events.at(-1)?.detail).toEqual({ status: 'inactive', error: null });
      expect(chipText()).toContain('Webex line: Inactive');
      trustedClick(control);
      expect(client.request).toHaveBeenCalledWith('line/register');
      await flushPromises();
      expect(control.getAttribute('data-webex-line-status')).toBe('registered');
    } finally {
      controller?.stop();
      controller = null;
      restore();
    }
  });

  it('a form control whose inputs shadow its methods still works', async () => {
    const form = document.createElement('form');
    form.setAttribute('data-webex-line', 'register');
    document.body.append(form);
    const restore = clobber(form, ['closest', 'getAttribute', 'setAttribute']);
    try {
      const { client, push } = fakePageClient();
      controller = startClickToRegister({ document, client });
      push(signedInIdle);
      trustedClick(form);
      expect(client.request).toHaveBeenCalledWith('line/register');
      await flushPromises();
      restore();
      expect(form.getAttribute('data-webex-line-status')).toBe('registered');
    } finally {
      restore();
    }
  });

  it('a page cannot keep the script from starting by naming an element after its marker', () => {
    // window's named properties answer every (string) name a page gives an element id or name.
    const namedProperties = new Proxy(
      {},
      { get: (_, key) => (typeof key === 'string' ? document.createElement('div') : undefined) },
    );
    const global = Object.create(namedProperties);
    const release = claimFrame(global);
    expect(release).not.toBeNull();
    expect(claimFrame(global)).toBeNull();
    release?.();
    expect(claimFrame(global)).not.toBeNull();
  });

  it('the script as shipped: chrome.runtime, one copy per frame, nothing posted, gone means stopped', async () => {
    const control = addControl();
    const posted = vi.spyOn(window, 'postMessage');
    const start = (answer: PageStatus) => {
      const fake = fakeRuntime({
        'status/get': () => answer as never,
        'line/register': () => answer as never,
      });
      vi.stubGlobal('chrome', { runtime: fake.runtime, i18n: fakeBrowser.i18n });
      definition.main();
      return fake;
    };
    try {
      const first = start(registered);
      await flushPromises();
      expect(control.getAttribute('data-webex-line-status')).toBe('registered');
      expect(chipText()).toContain('Registered');
      expect(first.ports).toHaveLength(1);

      // A second copy in the same frame does nothing: one port, one request per click.
      const second = start(signedInIdle);
      await flushPromises();
      expect(second.ports).toHaveLength(0);
      trustedClick(control);
      await flushPromises();
      expect(first.sentOf('line/register')).toHaveLength(1);
      expect(second.sent).toHaveLength(0);

      // The extension is reloaded or removed: the port drops and the runtime has no id.
      first.invalidate();
      await flushPromises();
      expect(control.hasAttribute('data-webex-line-status')).toBe(false);
      expect(document.querySelector(CHIP_TAG)).toBeNull();
      expect(first.ports).toHaveLength(1);

      // The frame is free again for the extension's next copy.
      const next = start(signedInIdle);
      await flushPromises();
      expect(next.ports).toHaveLength(1);
      expect(control.getAttribute('data-webex-line-status')).toBe('inactive');
      next.invalidate();
      expect(posted).not.toHaveBeenCalled();
    } finally {
      posted.mockRestore();
      vi.unstubAllGlobals();
    }
  });
});
