import { browser } from 'wxt/browser';
import { createTaskRunner } from '../lib/app/background-tasks';
import { type CallsHost, createCallsHost } from '../lib/app/calls-host';
import { createDiagnostics } from '../lib/app/diagnostics';
import { createPageCallHost, type PageOrigin } from '../lib/app/page-call-host';
import { pageStatusFor } from '../lib/app/page-status';
import { createPolicyState } from '../lib/app/policy-state';
import { createPolicySync } from '../lib/app/policy-sync';
import { createPresenceNotifier } from '../lib/app/presence';
import { createRecentNumbers, RECENT_NUMBERS_DB } from '../lib/app/recent-numbers';
import { routeMessage } from '../lib/app/router';
import type { RouterContext } from '../lib/app/router-context';
import { createSettingsStore } from '../lib/app/settings-store';
import { isCallShortcut, shortcutCommand } from '../lib/app/shortcuts';
import { mayReleaseSite, patternsToRelease } from '../lib/app/site-access';
import { defaultSettings } from '../lib/build-defaults';
import { callsInProgress } from '../lib/messaging/calls';
import type { StatusBroadcast, StatusSnapshot } from '../lib/messaging/protocol';
import { cachedStore } from '../lib/platform/cached-store';
import { callNotifications } from '../lib/platform/call-notifications';
import {
  confirmWindows,
  pageCallTabs,
  sessionPageCallStorage,
} from '../lib/platform/confirm-window';
import { originPattern, removedSites, syncClickToRegister } from '../lib/platform/content-scripts';
import { deadlineStore } from '../lib/platform/deadline-store';
import { chromeIdentity } from '../lib/platform/identity';
import { onManagedPolicyChanged, readManagedPolicy } from '../lib/platform/managed-policy';
import { actionOf, clearNotification, showNotification } from '../lib/platform/notifications';
import { chromeOffscreen } from '../lib/platform/offscreen';
import { cryptoRandom } from '../lib/platform/random';
import { createAlarmScheduler } from '../lib/platform/scheduler';
import { createStatusPorts } from '../lib/platform/status-ports';
import { createIdbStore } from '../lib/platform/store';
import { paintBadge } from '../lib/platform/toolbar-badge';
import { createLineService } from '../lib/service/line-service';
import { badgeFor } from '../lib/ui/badge';
import { callButtonCommand } from '../lib/ui/call-notify';
import { t } from '../lib/ui/i18n';
import { notificationFor, notificationResolved } from '../lib/ui/notify';
import { toggleDecision } from '../lib/ui/status';

/**
 * The service worker: a composition root that wires browser events to lib/. It may be killed at
 * any moment; everything that matters is in IndexedDB and every listener is registered
 * synchronously on each start so events that woke the worker are delivered. Listeners that
 * cannot await hand their work to `tasks`, which reports failures instead of leaving them as
 * unhandled rejections.
 */
/**
 * Calls `onJump` when a tick arrives much later than planned: the whole browser was frozen or
 * the machine slept (the worker itself was alive, so no start-up event tells us).
 */
function watchClockJumps(clock: { now(): number }, onJump: (jumpMs: number) => void): void {
  const tickMs = 5_000;
  let last = clock.now();
  setInterval(() => {
    const now = clock.now();
    if (now - last > 3 * tickMs) onJump(now - last);
    last = now;
  }, tickMs);
}

/** Development builds only: engine timing overrides set through the `dev/timing` message. */
const DEV_TIMING_KEY = 'dev:timing';

export default defineBackground(() => {
  const development = import.meta.env.MODE !== 'production';
  const clock = { now: () => Date.now() };
  // The worker is IndexedDB's only writer: reads come from memory after the first.
  const store = cachedStore(deadlineStore(createIdbStore()));
  // The organisation's policy: the last one read applies at once, the browser's copy follows.
  const policy = createPolicyState({
    store,
    read: readManagedPolicy,
    wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
  const settings = createSettingsStore(store, defaultSettings(development), policy.current);
  const diagnostics = createDiagnostics(store, clock);
  const tasks = createTaskRunner((label, error) =>
    diagnostics.add('error', `${label} failed`, { error: String(error) }),
  );
  const scheduler = createAlarmScheduler({
    alarms: browser.alarms,
    store,
    clock,
    // Packed builds may not set alarms under 30 s; unpacked development builds may.
    minAlarmDelayMs: development ? 0 : 30_000,
    onDue: (name) => service.onTimer(name),
    onError: (name, error) =>
      tasks.run('Report', () =>
        diagnostics.add('error', `Timer "${name}" failed`, { error: String(error) }),
      ),
  });
  // The calls host is made after the service (it asks the service for the line); the engine
  // reads it through this late-bound reference (before it exists: no calls).
  let callsHost: CallsHost | null = null;
  const service = createLineService({
    store,
    scheduler,
    clock,
    fetch: (input, init) => fetch(input, init),
    identity: chromeIdentity,
    random: cryptoRandom,
    loadSettings: () => settings.load(),
    log: (entry) => tasks.run('Log', () => diagnostics.add(entry.kind, entry.message, entry.data)),
    // Failback and re-registration wait while a call is in progress (reference §11).
    callsActive: async () => (callsHost ? callsInProgress(await callsHost.view()) : false),
    // The popup's recent numbers belong to the session: gone with it.
    forgetUserData: () =>
      createRecentNumbers(deadlineStore(createIdbStore(RECENT_NUMBERS_DB))).erase(),
  });
  // A web page learns only the reduced status, with generic texts for engine-built messages,
  // and the state of the call its tab asked for (click to call).
  const pageStatus = (snapshot: StatusSnapshot, page?: PageOrigin) => {
    const status = pageStatusFor(snapshot, {
      tokenError: t('pageErrorToken'),
      registrationError: t('pageErrorRegistration'),
    });
    const call = page && pageCalls.forPage(page, snapshot.calling);
    return call ? { ...status, call } : status;
  };
  const ports = createStatusPorts(pageStatus);
  const presence = createPresenceNotifier({
    store,
    enabled: async () => (await settings.load()).notifications,
    decide: notificationFor,
    resolved: notificationResolved,
    show: showNotification,
    clear: clearNotification,
  });

  const extensionIds = {
    extensionId: browser.runtime.id,
    extensionOrigin: new URL(browser.runtime.getURL('/')).origin,
  };
  // Calls: the offscreen document lives while the line is registered (none in Firefox).
  const calls = createCallsHost(
    {
      store,
      clock,
      offscreen: chromeOffscreen(),
      lineForCalls: async () => {
        const answer = await service.lineForCalls();
        if (!development || !answer.ok) return answer;
        // Development builds: the call timers follow the stored overrides too.
        const callTiming = await store.get<Record<string, number>>(DEV_TIMING_KEY);
        return callTiming ? { ok: true, line: { ...answer.line, callTiming } } : answer;
      },
      // A saved preference changes what the document is told: it re-reads the line.
      callPreferences: async () => (await settings.load()).calls,
      authorization: (rejected) => service.callAuthorization(rejected),
      fetch: (input, init) => fetch(input, init),
      random: cryptoRandom,
      notifier: callNotifications,
      changed: () =>
        tasks.run('Calls status', async () => {
          const snapshot = await withCalling(await service.snapshot());
          ports.broadcast({ kind: 'snapshot', snapshot });
          await paintBadge(badgeFor(snapshot));
        }),
      // A re-registration that waited for the calls runs now (SDK all_calls_cleared).
      callsCleared: () => tasks.run('Calls cleared', () => service.callsCleared()),
      // Alarms follow the wall clock: a jump the document saw re-derives the line's timers.
      wallClockJumped: () => tasks.run('Clock jumped', () => service.onStartup('workerWake')),
      log: (message, data) => diagnostics.add('calls', message, data),
    },
    extensionIds,
  );
  callsHost = calls;
  const withCalling = async (snapshot: StatusSnapshot): Promise<StatusSnapshot> => ({
    ...snapshot,
    calling: await calls.view(),
  });
  // Click to call: a page's request, confirmed by the user in the extension's own window.
  const pageCalls = createPageCallHost({
    storage: sessionPageCallStorage,
    windows: confirmWindows,
    tabs: pageCallTabs({
      tabChanged: (tab, origin) => tasks.run('Page calls', () => pageCalls.tabChanged(tab, origin)),
      windowClosed: (windowId) => tasks.run('Page calls', () => pageCalls.windowClosed(windowId)),
    }),
    dial: (command) => calls.command(command),
    newCallKey: cryptoRandom.uuid,
    newRequestId: cryptoRandom.uuid,
    clock,
    changed: () =>
      tasks.run('Page calls', async () =>
        ports.broadcast({
          kind: 'snapshot',
          snapshot: await withCalling(await service.snapshot()),
        }),
      ),
    log: (message, data) => tasks.run('Log', () => diagnostics.add('calls', message, data)),
  });
  // At once, beside the start-up: pages' requests, and what went away while it was stopped.
  tasks.run('Page calls', () => pageCalls.ready());

  service.subscribe((update) => {
    tasks.run('Broadcast', async () => {
      const snapshot = await withCalling(update.snapshot);
      const broadcast: StatusBroadcast = update.event
        ? {
            kind: 'line-event',
            event: update.event,
            snapshot,
            ...(update.error ? { error: update.error } : {}),
          }
        : { kind: 'snapshot', snapshot };
      ports.broadcast(broadcast);
      tasks.run('Badge', () => paintBadge(badgeFor(snapshot)));
      tasks.run('Notification', () => presence.onBroadcast(broadcast));
    });
    tasks.run('Calls document', () => calls.sync(update.snapshot));
  });

  /** After the opted-in sites changed: content scripts, their ports, and host access. */
  async function sitesChanged(removed: string | null): Promise<void> {
    const current = await settings.load();
    ports.restrictTo(current.sites);
    await pageCalls.restrictTo(current.sites);
    await syncClickToRegister(current.sites);
    // The custom environment may live on the same origin: keep the access it needs.
    if (removed && mayReleaseSite(removed, current, originPattern)) {
      await browser.permissions.remove({ origins: [originPattern(removed)] }).catch(() => false);
    }
  }

  const router: RouterContext = {
    ...extensionIds,
    pageStatus,
    redirectUrl: chromeIdentity.redirectUrl(),
    line: { ...service, snapshot: async () => withCalling(await service.snapshot()) },
    calls: { command: (command) => calls.command(command), newCallKey: cryptoRandom.uuid },
    pageCalls,
    settings,
    diagnostics,
    callPreferencesChanged: async () => calls.sync(await service.snapshot()),
    enableSite: () => sitesChanged(null),
    disableSite: (origin) => sitesChanged(origin),
    ...(development
      ? {
          devTiming: async (timing: Record<string, number>) => {
            await store.set(DEV_TIMING_KEY, timing);
            service.applyTiming(timing);
            return timing;
          },
        }
      : {}),
    // Read before a sign-in or a settings answer, not only at start-up and on change.
    freshPolicy: () => policySync.sync(),
    settingsChanged: async (previous, next) => {
      // First: a changed environment signs out, which still talks to the old servers.
      await service.onSettingsChanged();
      const released = patternsToRelease(previous, next);
      if (released.length > 0) {
        await browser.permissions.remove({ origins: released }).catch(() => false);
      }
    },
  };

  // A changed policy applies without a restart: settings in effect, sign-out, sites.
  const policySync = createPolicySync({
    policy,
    settings: () => settings.load(),
    applied: async (previous, next) => {
      await router.settingsChanged(previous, next);
      await sitesChanged(null);
    },
    log: (kind, message, data) => diagnostics.add(kind, message, data),
  });
  onManagedPolicyChanged(() => tasks.run('Policy', () => policySync.sync()));

  // One listener: a second one's promise (even of nothing) would answer in this one's place.
  browser.runtime.onMessage.addListener((message, sender) => {
    // Addressed to the calls document: its answer, not ours.
    if ((message as { target?: unknown } | null)?.target === 'offscreen') return undefined;
    const from = { id: sender.id, url: sender.url, tabId: sender.tab?.id, frameId: sender.frameId };
    // The calls document's own requests (the line, a token, its view): that document only.
    return calls.route(message, from) ?? routeMessage(message, from, router);
  });
  browser.runtime.onConnect.addListener((port) => {
    tasks.run('Status port', () =>
      ports.accept(port, async () => {
        const [current, snapshot] = await Promise.all([settings.load(), service.snapshot()]);
        return { sites: current.sites, current: await withCalling(snapshot) };
      }),
    );
  });
  // Access granted to one of the organisation's sites (the options page asks): serve it now.
  browser.permissions.onAdded.addListener(() => {
    tasks.run('Permissions', () => sitesChanged(null));
  });
  // Access revoked in Chrome's own UI: that site is no longer opted in.
  // Only sites whose own pattern was removed are dropped: a spurious event drops nothing.
  browser.permissions.onRemoved.addListener((removed) => {
    tasks.run('Permissions', async () => {
      const current = await settings.load();
      const granted = await syncClickToRegister(current.sites);
      for (const site of removedSites(current.sites, granted, removed.origins ?? [])) {
        await settings.removeSite(site);
      }
      await sitesChanged(null);
    });
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    tasks.run('Alarm', () => scheduler.handleAlarm(alarm.name));
  });
  // Registered content scripts persist across sessions but not across an update, and the
  // sites' permissions may have changed while the browser was closed: check on these two only,
  // not on every worker wake.
  const syncSites = async () => syncClickToRegister((await settings.load()).sites);
  browser.runtime.onStartup.addListener(() => {
    tasks.run('Browser start-up', () => service.onStartup('browserStartup'));
    tasks.run('Click-to-register', syncSites);
  });
  browser.runtime.onInstalled.addListener(({ reason }) => {
    // A browser update restarts the browser, which onStartup already covers.
    if (reason === 'install' || reason === 'update') {
      tasks.run('Install', () => service.onStartup(reason));
      tasks.run('Click-to-register', syncSites);
    }
  });
  // A second press soon after the first (or a state change) must not undo it.
  let lastTogglePress: number | null = null;
  browser.commands.onCommand.addListener((command) => {
    if (isCallShortcut(command)) {
      tasks.run('Call shortcut', async () => {
        const next = shortcutCommand(command, await calls.view());
        if (next) await calls.command(next);
      });
      return;
    }
    if (command !== 'toggle-registration') return;
    tasks.run('Keyboard command', async () => {
      const now = clock.now();
      const decision = toggleDecision(await service.snapshot(), now, lastTogglePress);
      lastTogglePress = now;
      if (decision === 'register') await service.register();
      else if (decision === 'deregister') await service.deregister();
    });
  });
  const onNotification = (id: string) => {
    const action = actionOf(id);
    tasks.run('Notification action', async () => {
      if (action === 'signIn') await service.signIn();
      else if (action === 'openSettings') await browser.runtime.openOptionsPage();
      // openPopup needs Chrome 127; before that the options page is the next best place.
      else await browser.action.openPopup().catch(() => browser.runtime.openOptionsPage());
    });
    tasks.run('Notification clear', () => clearNotification(id));
  };
  browser.notifications.onClicked.addListener(onNotification);
  // Firefox has no buttons (and may lack the event): a click on the notification acts.
  browser.notifications.onButtonClicked?.addListener((id, buttonIndex) => {
    const command = callButtonCommand(id, buttonIndex);
    if (!command) return onNotification(id);
    tasks.run('Call notification', () => calls.command(command));
    tasks.run('Notification clear', () => clearNotification(id));
  });
  const onNetwork = (online: boolean) => {
    tasks.run('Log', () =>
      diagnostics.add('network', online ? 'Browser is online' : 'Browser is offline'),
    );
    tasks.run('Network change', () => service.onNetwork(online));
  };
  self.addEventListener('online', () => onNetwork(true));
  self.addEventListener('offline', () => onNetwork(false));

  // Sleep and wake: the machine coming back from idle or lock, or the clock jumping past what a
  // timer tick allows (a frozen browser, a suspended laptop), confirms the line at once.
  const resumed = (why: string, data?: Record<string, unknown>) => {
    tasks.run('Log', () => diagnostics.add('idle', why, data));
    tasks.run('Resume', () => service.onResume());
  };
  browser.idle.onStateChanged.addListener((state) => {
    if (state === 'active') resumed('The user is back (idle: active)');
    else tasks.run('Log', () => diagnostics.add('idle', `Idle state: ${state}`));
  });
  watchClockJumps(clock, (jumpMs) => resumed('The clock jumped: woke from sleep', { jumpMs }));

  // The browser's policy is read beside start-up, never before it (its first read is slow).
  tasks.run('Policy', () => policySync.sync());
  // Every start (browser start, update, or a wake after Chrome stopped an idle worker). Each
  // step runs even if an earlier one failed: a failed start-up of the engine must not leave the
  // keepalive timers unarmed or the badge blank after a browser restart. The badge comes
  // first, from the stored state; any change the resumption makes repaints it via `subscribe`.
  void tasks.sequence([
    // Development builds: timing overrides a test or demo stored apply before anything runs.
    [
      'Timing',
      async () => {
        const stored = development
          ? await store.get<Record<string, number>>(DEV_TIMING_KEY)
          : undefined;
        if (stored) service.applyTiming(stored);
      },
    ],
    ['Badge', async () => paintBadge(badgeFor(await service.snapshot()))],
    ['Log', () => diagnostics.add('worker', 'Service worker started')],
    // Calls a lost document left behind end first: the start-up may delete their device.
    ['Calls left behind', () => calls.endOrphansNow()],
    ['Start-up', () => service.onStartup('workerWake')],
    ['Timers', () => scheduler.rearm()],
    // The calls document may have been closed or crashed while this worker was stopped.
    ['Calls document', async () => calls.sync(await service.snapshot())],
  ]);
});
