import { describe, expect, it } from 'vitest';
import type { PageStatus, StatusSnapshot } from '../../../lib/messaging/protocol';
import { classifySender, pageOf } from '../../../lib/messaging/senders';
import {
  createStatusPorts,
  type PortPage,
  type StatusPort,
} from '../../../lib/platform/status-ports';

const EXT = 'abcdefghijklmnopabcdefghijklmnop';
const ids = { extensionId: EXT, extensionOrigin: `chrome-extension://${EXT}` };
const SITE = 'https://crm.example.com';

const snapshot = { display: 'registered', auth: 'signedIn', error: null } as StatusSnapshot;

function port(tabId: number, url = `${SITE}/case/1`) {
  const received: unknown[] = [];
  return {
    name: 'page-status',
    sender: { id: EXT, url, frameId: 0, tab: { id: tabId } },
    received,
    postMessage: (message: unknown) => received.push(message),
    disconnect: () => {},
    onDisconnect: { addListener: () => {} },
  } satisfies StatusPort & { received: unknown[] };
}

describe('page status ports: each tab its own call', () => {
  it("a tab's status carries its own call only, and is sent again only when it changed", async () => {
    let calls: Record<number, PageStatus['call']> = { 4: 'confirming' };
    const reduce = (_: StatusSnapshot, page?: PortPage): PageStatus => {
      const call = page ? calls[page.tabId] : undefined;
      return { status: 'registered', error: null, signedIn: true, ...(call ? { call } : {}) };
    };
    const ports = createStatusPorts(reduce, ids);
    const asker = port(4);
    const other = port(5);
    for (const p of [asker, other])
      await ports.accept(p, async () => ({ sites: [SITE], current: snapshot }));
    expect(asker.received).toEqual([
      {
        kind: 'page-status',
        status: { status: 'registered', error: null, signedIn: true, call: 'confirming' },
      },
    ]);
    expect(other.received).toEqual([
      { kind: 'page-status', status: { status: 'registered', error: null, signedIn: true } },
    ]);
    calls = { 4: 'ringing' };
    ports.broadcast({ kind: 'snapshot', snapshot });
    expect(asker.received).toHaveLength(2);
    expect(other.received).toHaveLength(1);
  });

  it('pageOf: the tab and origin of a top-frame content script on an opted-in site only', () => {
    const sender = { id: EXT, url: `${SITE}/x?y#z`, tabId: 4, frameId: 0 };
    expect(pageOf(sender, ids, [SITE])).toEqual({ tabId: 4, origin: SITE });
    expect(pageOf({ ...sender, frameId: 1 }, ids, [SITE])).toBeNull();
    expect(pageOf({ ...sender, id: 'other' }, ids, [SITE])).toBeNull();
    expect(pageOf(sender, ids, [])).toBeNull();
    // The confirmation window is an extension page: never a page's sender.
    const window = {
      id: EXT,
      url: `chrome-extension://${EXT}/confirm-call.html#r`,
      tabId: 9,
      frameId: 0,
    };
    expect(classifySender(window, ids, [SITE])).toBe('extension');
    expect(pageOf(window, ids, [SITE])).toBeNull();
  });
});
