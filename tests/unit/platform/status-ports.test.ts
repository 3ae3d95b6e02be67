import { describe, expect, it } from 'vitest';
import { pageStatusFor } from '../../../lib/app/page-status';
import type { StatusSnapshot } from '../../../lib/messaging/protocol';
import {
  createStatusPorts,
  type PortContext,
  type StatusPort,
} from '../../../lib/platform/status-ports';

const EXT = 'abcdefghijklmnopabcdefghijklmnop';
const ids = { extensionId: EXT, extensionOrigin: `chrome-extension://${EXT}` };
const SITE = 'https://crm.example.com';
const reduce = (snap: StatusSnapshot) =>
  pageStatusFor(snap, { tokenError: 'Sign in again', registrationError: 'Try again' });

const snapshot: StatusSnapshot = {
  state: 'active',
  display: 'registered',
  auth: 'signedIn',
  user: { displayName: 'Alice', email: 'alice@example.com' },
  line: { lineId: 'l1', status: 'active', sipAddresses: [] },
  error: null,
  server: null,
  nextAttemptAt: null,
  retryHoldUntil: null,
  confirmedAt: null,
  since: null,
  confirmBy: null,
  configured: true,
  keepRegistered: true,
  at: 1,
};

function fakePort(name: string, sender: StatusPort['sender']) {
  const disconnectListeners: Array<() => void> = [];
  const port = {
    name,
    sender,
    received: [] as unknown[],
    disconnected: false,
    postMessage(message: unknown) {
      if (port.disconnected) throw new Error('Attempting to use a disconnected port object');
      port.received.push(message);
    },
    disconnect() {
      port.disconnected = true;
    },
    onDisconnect: { addListener: (cb: () => void) => disconnectListeners.push(cb) },
    /** The other side went away. */
    drop() {
      port.disconnected = true;
      for (const cb of disconnectListeners) cb();
    },
  };
  return port;
}

const contentPort = () =>
  fakePort('page-status', { id: EXT, url: `${SITE}/case/1`, frameId: 0, tab: { id: 7 } });
const pagePort = () => fakePort('status', { id: EXT, url: `chrome-extension://${EXT}/popup.html` });
const context =
  (sites = [SITE]): (() => Promise<PortContext>) =>
  async () => ({
    sites,
    current: snapshot,
  });

describe('status ports', () => {
  it('serves pages the full snapshot and content scripts only the page status', async () => {
    const ports = createStatusPorts(reduce, ids);
    const page = pagePort();
    const content = contentPort();
    await ports.accept(page, context());
    await ports.accept(content, context());
    expect(page.received).toEqual([{ kind: 'snapshot', snapshot }]);
    expect(content.received).toEqual([
      { kind: 'page-status', status: { status: 'registered', error: null, signedIn: true } },
    ]);
    const wrongName = fakePort('status', content.sender);
    await ports.accept(wrongName, context());
    expect(wrongName.disconnected).toBe(true);
    expect(wrongName.received).toEqual([]);
  });

  it('cuts the port of a content script whose site was removed', async () => {
    const ports = createStatusPorts(reduce, ids);
    const content = contentPort();
    await ports.accept(content, context());
    ports.restrictTo([]);
    expect(content.disconnected).toBe(true);
    // Told first, so it stops at once instead of retrying.
    expect(content.received.at(-1)).toEqual({ kind: 'page-status-closed' });
    ports.broadcast({ kind: 'snapshot', snapshot: { ...snapshot, display: 'connecting' } });
    expect(content.received).toHaveLength(2);

    // A page of the extension is not affected, and sites still listed keep theirs.
    const page = pagePort();
    const kept = contentPort();
    await ports.accept(page, context());
    await ports.accept(kept, context());
    ports.restrictTo([SITE]);
    expect(kept.disconnected).toBe(false);
    ports.broadcast({ kind: 'snapshot', snapshot: { ...snapshot, display: 'reconnecting' } });
    expect(kept.received).toHaveLength(2);
    expect(page.received).toHaveLength(2);
  });

  it('never tracks a port that went away while the context loaded', async () => {
    const ports = createStatusPorts(reduce, ids);
    const page = pagePort();
    let release: (value: PortContext) => void = () => {};
    const accepted = ports.accept(page, () => new Promise((resolve) => (release = resolve)));
    page.drop();
    release({ sites: [SITE], current: snapshot });
    await accepted;
    expect(page.received).toEqual([]);
  });

  it('refuses the port, rather than leaving it hanging, when the context cannot be loaded', async () => {
    const ports = createStatusPorts(reduce, ids);
    const page = pagePort();
    await expect(
      ports.accept(page, async () => {
        throw new Error('IndexedDB is closing');
      }),
    ).resolves.toBeUndefined();
    expect(page.disconnected).toBe(true);
  });
});
