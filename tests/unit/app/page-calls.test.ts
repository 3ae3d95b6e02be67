import { describe, expect, it, vi } from 'vitest';
import { createPageCallHost, type PageCallHostDeps } from '../../../lib/app/page-call-host';
import { observe, PLACED_GRACE_MS, pageCallState } from '../../../lib/app/page-call-progress';
import {
  answer,
  ask,
  dialFailed,
  NO_PAGE_CALLS,
  PageCallRefusal,
  type PageCalls,
  parsePageCalls,
  tabChanged,
  windowClosed,
  windowOpened,
  windowsToClose,
} from '../../../lib/app/page-calls';
import type { CallingView, CallView } from '../../../lib/messaging/calls';
import type { StatusSnapshot } from '../../../lib/messaging/protocol';

const CRM = { tabId: 4, origin: 'https://crm.example.com' };
const OTHER_TAB = { tabId: 9, origin: 'https://crm.example.com' };

const view = (calls: Partial<CallView>[] = [], lastEnded: { key: string } | null = null) =>
  ({
    ring: 'ready',
    mic: 'granted',
    calls: calls.map((call) => ({
      key: 'k',
      state: 'dialing',
      direction: 'outbound',
      since: 1,
      connectedAt: null,
      muted: false,
      held: false,
      micBlocked: false,
      callerNumber: '+15550100',
      ...call,
    })),
    lastEnded: lastEnded ? { reason: 'normal', at: 2, missed: false, ...lastEnded } : null,
    at: 1,
  }) as CallingView;

/** A request of CRM's tab, its window open, answered with Call under key `k1`. */
function placed(now = 100): PageCalls {
  let state = ask(NO_PAGE_CALLS, CRM, '+15550100', 'req-1', now);
  state = windowOpened(state, 'req-1', 70, 71);
  return answer(state, 'req-1', true, 'k1', now).state;
}

describe('page calls (pure): the request lifecycle', () => {
  it('confirming, then placed under the worker key, then ringing, connected and ended', () => {
    const asked = ask(NO_PAGE_CALLS, CRM, '+15550100', 'req-1', 100);
    expect(pageCallState(asked, CRM, undefined, 100)).toBe('confirming');
    const opened = windowOpened(asked, 'req-1', 70, 71);
    const { state, dial } = answer(opened, 'req-1', true, 'k1', 110);
    expect(dial).toEqual({ key: 'k1', number: '+15550100' });
    // Before the calls document lists it: ringing (within the grace period).
    expect(pageCallState(state, CRM, view(), 111)).toBe('ringing');
    const ringing = observe(state, view([{ key: 'k1', state: 'ringback' }]), 112);
    expect(pageCallState(ringing, CRM, view([{ key: 'k1', state: 'ringback' }]), 112)).toBe(
      'ringing',
    );
    const connectedView = view([{ key: 'k1', state: 'connected' }]);
    const connected = observe(ringing, connectedView, 113);
    expect(pageCallState(connected, CRM, connectedView, 113)).toBe('connected');
    // Gone from the view: ended, and remembered as ended.
    const ended = observe(connected, view(), 114);
    expect(ended.requests[0]?.phase).toBe('ended');
    expect(pageCallState(ended, CRM, view(), 114)).toBe('ended');
    // Nothing changes: the same object (the shell writes nothing).
    expect(observe(ended, view(), 115)).toBe(ended);
  });

  it('Cancel or a closed window refuses; a second answer changes nothing and dials nothing', () => {
    const opened = windowOpened(ask(NO_PAGE_CALLS, CRM, '123', 'req-1', 1), 'req-1', 70, 71);
    const cancelled = answer(opened, 'req-1', false, '', 2);
    expect(cancelled.dial).toBeNull();
    expect(pageCallState(cancelled.state, CRM, undefined, 2)).toBe('refused');
    expect(answer(cancelled.state, 'req-1', true, 'k', 3)).toEqual({
      state: cancelled.state,
      dial: null,
    });
    expect(pageCallState(windowClosed(opened, 70), CRM, undefined, 2)).toBe('refused');
    // Closing the window of a call already placed changes nothing.
    const call = placed();
    expect(windowClosed(call, 70)).toBe(call);
    expect(windowsToClose(opened, cancelled.state)).toEqual([70]);
    expect(windowsToClose(opened, answer(opened, 'req-1', true, 'k', 2).state)).toEqual([]);
  });

  it('a dial that fails, a call never listed, and one that ended at once', () => {
    expect(pageCallState(dialFailed(placed(), 'req-1'), CRM, undefined, 100)).toBe('failed');
    const late = 100 + PLACED_GRACE_MS + 1;
    expect(pageCallState(placed(), CRM, view(), late)).toBe('failed');
    expect(observe(placed(), view(), late).requests[0]?.phase).toBe('failed');
    expect(observe(placed(), view([], { key: 'k1' }), 101).requests[0]?.phase).toBe('ended');
  });

  it('one request per tab at a time, and one confirmation window in the browser', () => {
    const asked = ask(NO_PAGE_CALLS, CRM, '123', 'req-1', 1);
    expect(() => ask(asked, CRM, '456', 'req-2', 2)).toThrow(PageCallRefusal);
    // Another tab may not stack a second window either.
    expect(() => ask(asked, OTHER_TAB, '456', 'req-2', 2)).toThrow(/waiting/);
    // A placed call blocks its own tab only.
    const call = placed();
    expect(() => ask(call, CRM, '456', 'req-2', 200)).toThrow(/already/);
    expect(ask(call, OTHER_TAB, '456', 'req-2', 200).requests).toHaveLength(2);
    // Once it is over, the tab may ask again: the old request is replaced.
    const over = observe(call, view([], { key: 'k1' }), 300);
    const again = ask(over, CRM, '456', 'req-3', 301);
    expect(again.requests.map((r) => r.id)).toEqual(['req-3']);
    try {
      ask(asked, CRM, '1', 'x', 1);
    } catch (error) {
      expect((error as PageCallRefusal).code).toBe('busy');
    }
  });
});

describe('page calls (pure): who sees what', () => {
  it('only the tab that asked, only while it shows the origin that asked', () => {
    const call = placed();
    const live = view([
      { key: 'k1', state: 'connected' },
      { key: 'other', state: 'connected' },
    ]);
    expect(pageCallState(call, CRM, live, 100)).toBe('connected');
    expect(pageCallState(call, OTHER_TAB, live, 100)).toBeUndefined();
    expect(pageCallState(call, { tabId: 4, origin: 'https://evil.example' }, live, 100)).toBe(
      undefined,
    );
    // Another call (the popup's, an incoming one) is never a page's.
    expect(pageCallState(NO_PAGE_CALLS, CRM, live, 100)).toBeUndefined();
  });

  it('a closed tab or another origin drops the request; the same origin keeps it', () => {
    const call = placed();
    expect(tabChanged(call, 4).requests).toEqual([]);
    expect(tabChanged(call, 4, 'https://evil.example').requests).toEqual([]);
    expect(tabChanged(call, 4, CRM.origin)).toBe(call);
    expect(tabChanged(call, 5)).toBe(call);
    // A dropped request waiting for the user closes its window.
    const waiting = windowOpened(ask(NO_PAGE_CALLS, CRM, '1', 'r', 1), 'r', 70, 71);
    expect(windowsToClose(waiting, tabChanged(waiting, 4))).toEqual([70]);
  });

  it('stored state is parsed field by field', () => {
    const call = placed();
    expect(parsePageCalls(structuredClone(call))).toEqual(call);
    expect(parsePageCalls(undefined)).toEqual(NO_PAGE_CALLS);
    expect(parsePageCalls({ requests: 'x' })).toEqual(NO_PAGE_CALLS);
    const bad = [
      { ...call.requests[0], tabId: 'x' },
      { ...call.requests[0], phase: 'dialing' },
      { ...call.requests[0], key: undefined },
      { ...call.requests[0], number: '1'.repeat(65) },
    ];
    expect(parsePageCalls({ requests: bad })).toEqual(NO_PAGE_CALLS);
    // One request per tab, even if the store says otherwise.
    expect(
      parsePageCalls({ requests: [call.requests[0], call.requests[0]] }).requests,
    ).toHaveLength(1);
  });
});

const registered = {
  auth: 'signedIn',
  display: 'registered',
  calling: view(),
} as unknown as StatusSnapshot;

function host(overrides: Partial<PageCallHostDeps> = {}) {
  const saved: { value: unknown } = { value: undefined };
  let keys = 0;
  let ids = 0;
  let now = 1000;
  let windows = 0;
  const openWindows = new Set<number>();
  const tabs = new Map<number, string>([
    [4, CRM.origin],
    [9, CRM.origin],
  ]);
  const deps = {
    storage: {
      load: vi.fn(async () => structuredClone(saved.value)),
      save: vi.fn(async (state: PageCalls) => {
        saved.value = structuredClone(state);
      }),
    },
    windows: {
      open: vi.fn(async (_id: string) => {
        const windowId = 70 + windows++;
        openWindows.add(windowId);
        return { windowId, tabId: windowId + 100 };
      }),
      close: vi.fn(async (windowId: number) => {
        openWindows.delete(windowId);
      }),
      exists: vi.fn(async (windowId: number) => openWindows.has(windowId)),
    },
    tabs: {
      originOf: vi.fn(async (tabId: number) => (tabs.has(tabId) ? tabs.get(tabId) : null)),
      follow: vi.fn(),
    },
    dial: vi.fn(async (command: { key: string }) => view([{ key: command.key }])),
    newCallKey: () => `key-${++keys}`,
    newRequestId: () => `request-${++ids}`,
    clock: { now: () => now },
    changed: vi.fn(),
    log: vi.fn(),
    ...overrides,
  };
  return {
    deps,
    saved,
    tabs,
    openWindows,
    advance: (ms: number) => {
      now += ms;
    },
    /** A worker started afresh over the same storage and browser. */
    restart: () => createPageCallHost({ ...deps, changed: vi.fn(), log: vi.fn() }),
    host: createPageCallHost(deps),
  };
}

describe('page call host', () => {
  it('asks the user in a window of its own, dials only on Call, with a key of its own', async () => {
    const { host: pageCalls, deps } = host();
    await pageCalls.ask(CRM, { number: ' +1 (555) 010-0 ', key: 'page-key' }, registered);
    expect(deps.windows.open).toHaveBeenCalledWith('request-1');
    expect(pageCalls.forPage(CRM, undefined)).toBe('confirming');
    expect(deps.dial).not.toHaveBeenCalled();
    // Only the window's own tab may read or answer it.
    await expect(pageCalls.details({ requestId: 'request-1' }, 5)).rejects.toMatchObject({
      code: 'forbidden',
    });
    await expect(pageCalls.confirm({ requestId: 'request-1', accept: true }, 5)).rejects.toThrow();
    expect(await pageCalls.details({ requestId: 'request-1' }, 170)).toEqual({
      number: '+1(555)0100',
      origin: CRM.origin,
      state: 'confirming',
    });
    const result = await pageCalls.confirm({ requestId: 'request-1', accept: true }, 170);
    expect(deps.dial).toHaveBeenCalledExactlyOnceWith({
      kind: 'dial',
      key: 'key-1',
      number: '+1(555)0100',
    });
    expect(result.state).toBe('ringing');
    // The window closes itself on this answer (or says the dial failed): not closed under it.
    expect(deps.windows.close).not.toHaveBeenCalled();
    expect(pageCalls.forPage(CRM, view([{ key: 'key-1', state: 'connected' }]))).toBe('connected');
    // A second answer is refused and dials nothing.
    await expect(
      pageCalls.confirm({ requestId: 'request-1', accept: true }, 170),
    ).rejects.toMatchObject({ code: 'gone' });
    expect(deps.dial).toHaveBeenCalledOnce();
  });

  it('the calls document refuses the dial (today): the page is told failed', async () => {
    const { host: pageCalls, deps } = host({
      dial: vi.fn(async () => {
        throw new Error('Placing calls is not supported yet.');
      }),
    });
    await pageCalls.ask(CRM, { number: '5550100' }, registered);
    const result = await pageCalls.confirm({ requestId: 'request-1', accept: true }, 170);
    expect(result.state).toBe('failed');
    expect(pageCalls.forPage(CRM, view())).toBe('failed');
    expect(deps.changed).toHaveBeenCalled();
  });

  it('Cancel, or closing the window, refuses; no dial', async () => {
    const { host: pageCalls, deps } = host();
    await pageCalls.ask(CRM, { number: '5550100' }, registered);
    expect((await pageCalls.confirm({ requestId: 'request-1', accept: false }, 170)).state).toBe(
      'refused',
    );
    await pageCalls.ask(CRM, { number: '5550101' }, registered);
    await pageCalls.windowClosed(71);
    expect(pageCalls.forPage(CRM, undefined)).toBe('refused');
    expect(deps.dial).not.toHaveBeenCalled();
  });

  it('refuses bad numbers, a line that cannot call, and a second request', async () => {
    const { host: pageCalls, deps } = host();
    await expect(pageCalls.ask(CRM, { number: 'sip:x@y' }, registered)).rejects.toMatchObject({
      code: 'invalid',
    });
    await expect(pageCalls.ask(CRM, { number: 5550100 }, registered)).rejects.toMatchObject({
      code: 'invalid',
    });
    for (const snapshot of [
      { ...registered, auth: 'signedOut' },
      { ...registered, display: 'inactive' },
      { ...registered, calling: { ...view(), ring: 'unsupported' } },
    ] as StatusSnapshot[])
      await expect(pageCalls.ask(CRM, { number: '1' }, snapshot)).rejects.toMatchObject({
        code: 'notReady',
      });
    await pageCalls.ask(CRM, { number: '1' }, registered);
    await expect(pageCalls.ask(CRM, { number: '2' }, registered)).rejects.toMatchObject({
      code: 'busy',
    });
    await expect(pageCalls.ask(OTHER_TAB, { number: '2' }, registered)).rejects.toMatchObject({
      code: 'busy',
    });
    expect(deps.windows.open).toHaveBeenCalledOnce();
  });

  it('a tab that closes or navigates away drops its request and closes the window', async () => {
    const { host: pageCalls, deps } = host();
    await pageCalls.ask(CRM, { number: '1' }, registered);
    expect(deps.tabs.follow).toHaveBeenLastCalledWith(true);
    await pageCalls.tabChanged(4, CRM.origin);
    expect(pageCalls.forPage(CRM, undefined)).toBe('confirming');
    await pageCalls.tabChanged(4, 'https://evil.example');
    expect(pageCalls.forPage(CRM, undefined)).toBeUndefined();
    expect(deps.windows.close).toHaveBeenCalledWith(70);
    expect(deps.tabs.follow).toHaveBeenLastCalledWith(false);
    await expect(
      pageCalls.confirm({ requestId: 'request-1', accept: true }, 170),
    ).rejects.toMatchObject({ code: 'gone' });
    expect(deps.dial).not.toHaveBeenCalled();
  });

  it('a site taken off the list loses its requests (and its window)', async () => {
    const { host: pageCalls, deps } = host();
    await pageCalls.ask(CRM, { number: '1' }, registered);
    await pageCalls.restrictTo([CRM.origin, 'https://other.example']);
    expect(pageCalls.forPage(CRM, undefined)).toBe('confirming');
    await pageCalls.restrictTo(['https://other.example']);
    expect(pageCalls.forPage(CRM, undefined)).toBeUndefined();
    expect(deps.windows.close).toHaveBeenCalledWith(70);
  });

  it('a worker restart keeps the requests; what went away meanwhile is settled', async () => {
    const rig = host();
    await rig.host.ask(CRM, { number: '1' }, registered);
    await rig.host.confirm({ requestId: 'request-1', accept: true }, 170);
    await rig.host.ask(OTHER_TAB, { number: '2' }, registered);

    // Restarted: both requests are there.
    const again = rig.restart();
    await again.ready();
    expect(again.forPage(CRM, view([{ key: 'key-1', state: 'connected' }]))).toBe('connected');
    expect(again.forPage(OTHER_TAB, undefined)).toBe('confirming');
    expect(await again.details({ requestId: 'request-2' }, 171)).toMatchObject({
      state: 'confirming',
    });

    // Stopped again; meanwhile the window closed and the first tab went elsewhere.
    rig.openWindows.clear();
    rig.tabs.set(4, 'https://evil.example');
    const third = rig.restart();
    await third.ready();
    expect(third.forPage(CRM, undefined)).toBeUndefined();
    expect(third.forPage(OTHER_TAB, undefined)).toBe('refused');
  });

  it('a window that never opened fails the request (the user was never asked)', async () => {
    const { host: pageCalls, deps } = host();
    vi.mocked(deps.windows.open).mockRejectedValueOnce(new Error('No window'));
    await pageCalls.ask(CRM, { number: '1' }, registered);
    expect(pageCalls.forPage(CRM, undefined)).toBe('failed');
  });
});
