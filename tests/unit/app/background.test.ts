import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createTaskRunner } from '../../../lib/app/background-tasks';
import { createPresenceNotifier } from '../../../lib/app/presence';
import {
  environmentAccessPattern,
  mayReleaseSite,
  patternsToRelease,
} from '../../../lib/app/site-access';
import type { LineErrorPayload, StatusBroadcast } from '../../../lib/messaging/protocol';
import { sitePattern } from '../../../lib/platform/match-pattern';
import { PRODUCTION_DEFAULTS, type Settings } from '../../../lib/settings';
import { notificationFor, notificationResolved } from '../../../lib/ui/notify';
import { memoryStore } from '../platform/memory-store';
import { installI18n, signedOut, snapshot } from '../ui/helpers';

describe('background tasks', () => {
  it('reports a failed task instead of leaving an unhandled rejection', async () => {
    const reported: string[] = [];
    const tasks = createTaskRunner((label, error) => {
      reported.push(`${label}: ${(error as Error).message}`);
    });
    tasks.run('Badge', async () => {
      throw new Error('No tab with id');
    });
    tasks.run('Sync', () => {
      throw new Error('thrown before any await');
    });
    // A failing reporter (the store is closing) is swallowed too.
    createTaskRunner(async () => {
      throw new Error('IndexedDB closed');
    }).run('Log', async () => {
      throw new Error('write failed');
    });
    await vi.waitFor(() =>
      expect(reported.sort()).toEqual(['Badge: No tab with id', 'Sync: thrown before any await']),
    );
  });

  it('runs every start-up step in order even when an earlier one fails', async () => {
    const ran: string[] = [];
    const reported: string[] = [];
    const tasks = createTaskRunner((label) => void reported.push(label));
    await tasks.sequence([
      [
        'Start-up',
        async () => {
          ran.push('engine');
          throw new Error('offline');
        },
      ],
      ['Timers', async () => void ran.push('timers')],
      ['Badge', async () => void ran.push('badge')],
    ]);
    expect(ran).toEqual(['engine', 'timers', 'badge']);
    expect(reported).toEqual(['Start-up']);
  });
});

const tokenError: LineErrorPayload = {
  status: 'inactive',
  type: 'tokenError',
  msg: 'Token expired. Authentication/Authorization error.',
  detail: { action: 'signIn' },
};
const registered = snapshot();
const expired = signedOut({ state: 'inactive', display: 'error', error: tokenError });
const lost = snapshot({ state: 'inactive', display: 'inactive' });
const asBroadcast = (snap: typeof registered): StatusBroadcast => ({
  kind: 'snapshot',
  snapshot: snap,
});

describe('presence notifications', () => {
  beforeEach(installI18n);

  /** A notifier as a freshly started worker builds it, over a store that outlives workers. */
  function worker(store: ReturnType<typeof memoryStore>, enabled = true) {
    const shown: string[] = [];
    const cleared: string[] = [];
    const notifier = createPresenceNotifier({
      store,
      enabled: async () => enabled,
      decide: notificationFor,
      resolved: notificationResolved,
      show: async (decision) => void shown.push(decision.id),
      clear: async (id) => void cleared.push(id),
    });
    return { notifier, shown, cleared };
  }

  it('tells about a token error once, however often the worker restarts', async () => {
    const store = memoryStore();
    const first = worker(store);
    await first.notifier.onBroadcast(asBroadcast(registered));
    await first.notifier.onBroadcast(asBroadcast(expired));
    expect(first.shown).toEqual(['webex-line-token-error:signIn']);

    // Chrome stopped the idle worker; the next one broadcasts the stored state on start-up.
    for (let wake = 0; wake < 3; wake++) {
      const next = worker(store);
      await next.notifier.onBroadcast(asBroadcast(expired));
      expect(next.shown).toEqual([]);
    }
  });

  it('takes a notification down once its condition is over', async () => {
    const store = memoryStore();
    const first = worker(store);
    await first.notifier.onBroadcast(asBroadcast(registered));
    await first.notifier.onBroadcast(asBroadcast(lost));
    expect(first.shown).toEqual(['webex-line-lost:openPopup']);

    const later = worker(store);
    await later.notifier.onBroadcast(asBroadcast(snapshot({ state: 'connecting' })));
    expect(later.cleared).toEqual([]); // still trying: the loss still stands
    await later.notifier.onBroadcast(asBroadcast(registered));
    expect(later.cleared).toEqual(['webex-line-lost:openPopup']);
    await later.notifier.onBroadcast(asBroadcast(registered));
    expect(later.cleared).toEqual(['webex-line-lost:openPopup']);
  });

  it('shows nothing while notifications are off, and does not catch up when turned on', async () => {
    const store = memoryStore();
    const off = worker(store, false);
    await off.notifier.onBroadcast(asBroadcast(registered));
    await off.notifier.onBroadcast(asBroadcast(expired));
    expect(off.shown).toEqual([]);
    const on = worker(store, true);
    await on.notifier.onBroadcast(asBroadcast(expired));
    expect(on.shown).toEqual([]);
  });
});

describe('site access', () => {
  const custom = (baseUrl: string, sites: string[] = []): Settings => ({
    ...PRODUCTION_DEFAULTS,
    environment: { kind: 'custom', baseUrl },
    sites,
  });

  it('asks for every port of a custom environment host (the catalog may use other ports)', () => {
    expect(environmentAccessPattern('http://127.0.0.1:8790/webex')).toBe('http://127.0.0.1/*');
    expect(environmentAccessPattern('https://emu.example.com')).toBe('https://emu.example.com/*');
    expect(environmentAccessPattern('not a url')).toBeNull();
  });

  it('keeps the access a removed site shares with the custom environment host', () => {
    expect(mayReleaseSite('http://127.0.0.1:8790', custom('http://127.0.0.1:8790/webex'))).toBe(
      false,
    );
    expect(mayReleaseSite('http://127.0.0.1:9000', custom('http://127.0.0.1:8790'))).toBe(false);
    expect(mayReleaseSite('http://localhost:9000', custom('http://127.0.0.1:8790'))).toBe(true);
    expect(mayReleaseSite('https://crm.example.com', PRODUCTION_DEFAULTS)).toBe(true);
  });

  it("keeps the access another opted-in site shares with the removed one (Firefox's patterns have no port)", () => {
    const twoPorts = { ...PRODUCTION_DEFAULTS, sites: ['http://[::1]:9001'] };
    const firefox = (origin: string) => sitePattern(origin, false);
    expect(mayReleaseSite('http://[::1]:9000', twoPorts, firefox)).toBe(false);
    expect(mayReleaseSite('http://[::1]:9000', twoPorts)).toBe(true);
  });

  it('gives up the access of a custom environment the user left, unless a site needs it', () => {
    expect(patternsToRelease(custom('https://emu.example.com/b'), PRODUCTION_DEFAULTS)).toEqual([
      'https://emu.example.com/*',
    ]);
    expect(
      patternsToRelease(custom('https://emu.example.com'), custom('https://other.example.com')),
    ).toEqual(['https://emu.example.com/*']);
    expect(
      patternsToRelease(custom('https://emu.example.com/a'), custom('https://emu.example.com/b')),
    ).toEqual([]);
    expect(
      patternsToRelease(custom('https://emu.example.com'), {
        ...PRODUCTION_DEFAULTS,
        sites: ['https://emu.example.com:8443'],
      }),
    ).toEqual([]);
    expect(patternsToRelease(PRODUCTION_DEFAULTS, custom('https://emu.example.com'))).toEqual([]);
  });
});
