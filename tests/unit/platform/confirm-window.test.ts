import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  confirmWindows,
  pageCallTabs,
  sessionPageCallStorage,
} from '../../../lib/platform/confirm-window';

beforeEach(() => fakeBrowser.reset());

describe('click to call: the browser side', () => {
  it('opens the confirmation page in a small focused popup window, and knows its tab', async () => {
    const create = vi.spyOn(fakeBrowser.windows, 'create');
    vi.spyOn(fakeBrowser.tabs, 'query').mockImplementation((async () => [{ id: 33 }]) as never);
    const opened = await confirmWindows.open('request-1');
    expect(create).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'popup',
        focused: true,
        url: expect.stringMatching(/\/confirm-call\.html#request-1$/),
      }),
    );
    expect(opened.tabId).toBe(33);
    expect(await confirmWindows.exists(opened.windowId)).toBe(true);
    await confirmWindows.close(opened.windowId);
    expect(await confirmWindows.exists(opened.windowId)).toBe(false);
  });

  it('keeps the requests in storage.session', async () => {
    expect(await sessionPageCallStorage.load()).toBeUndefined();
    await sessionPageCallStorage.save({ requests: [] });
    expect(await sessionPageCallStorage.load()).toEqual({ requests: [] });
    expect(await fakeBrowser.storage.local.get()).toEqual({});
  });

  it('a storage.session that never answers fails within the store deadline', async () => {
    vi.useFakeTimers();
    try {
      vi.spyOn(fakeBrowser.storage.session, 'get').mockImplementation(
        () => new Promise(() => {}) as never,
      );
      const loading = sessionPageCallStorage.load();
      const failed = expect(loading).rejects.toThrow(/page calls/);
      await vi.advanceTimersByTimeAsync(5_000);
      await failed;
    } finally {
      vi.useRealTimers();
    }
  });

  it('hears tab closes, navigations and closed windows only while following', async () => {
    const tabChanged = vi.fn();
    const windowClosed = vi.fn();
    const tabs = pageCallTabs({ tabChanged, windowClosed });
    await fakeBrowser.tabs.onRemoved.trigger(4, { windowId: 1, isWindowClosing: false });
    expect(tabChanged).not.toHaveBeenCalled();

    tabs.follow(true);
    tabs.follow(true); // once, however often it is told
    await fakeBrowser.tabs.onRemoved.trigger(4, { windowId: 1, isWindowClosing: false });
    expect(tabChanged).toHaveBeenLastCalledWith(4);
    await fakeBrowser.tabs.onUpdated.trigger(5, { status: 'loading' }, {
      url: 'https://crm.example.com/next',
    } as never);
    expect(tabChanged).toHaveBeenLastCalledWith(5, 'https://crm.example.com');
    // A site we hold no access to: the browser gives no URL.
    await fakeBrowser.tabs.onUpdated.trigger(5, { status: 'loading' }, {} as never);
    expect(tabChanged).toHaveBeenLastCalledWith(5, undefined);
    // A title or favicon change is no navigation.
    await fakeBrowser.tabs.onUpdated.trigger(5, { title: 'x' }, {} as never);
    expect(tabChanged).toHaveBeenCalledTimes(3);
    await fakeBrowser.windows.onRemoved.trigger(70);
    expect(windowClosed).toHaveBeenCalledWith(70);

    tabs.follow(false);
    await fakeBrowser.tabs.onRemoved.trigger(6, { windowId: 1, isWindowClosing: false });
    await fakeBrowser.windows.onRemoved.trigger(71);
    expect(tabChanged).toHaveBeenCalledTimes(3);
    expect(windowClosed).toHaveBeenCalledOnce();
  });

  it('what a tab shows: its origin, nothing when not told, null when gone', async () => {
    const tabs = pageCallTabs({ tabChanged: () => {}, windowClosed: () => {} });
    vi.spyOn(fakeBrowser.tabs, 'get').mockImplementation(async (id: number) => {
      if (id === 1) return { id, url: 'https://crm.example.com/a' } as never;
      if (id === 2) return { id } as never;
      throw new Error('No tab with id');
    });
    expect(await tabs.originOf(1)).toBe('https://crm.example.com');
    expect(await tabs.originOf(2)).toBeUndefined();
    expect(await tabs.originOf(3)).toBeNull();
  });
});
