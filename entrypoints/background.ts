import { browser } from 'wxt/browser';
import { createDiagnostics } from '../lib/app/diagnostics';
import { type RouterContext, routeMessage } from '../lib/app/router';
import { createSettingsStore } from '../lib/app/settings-store';
import { defaultSettings } from '../lib/build-defaults';
import type { StatusBroadcast, StatusSnapshot } from '../lib/messaging/protocol';
import { paintBadge } from '../lib/platform/badge';
import { originPattern, syncClickToRegister } from '../lib/platform/content-scripts';
import { chromeIdentity } from '../lib/platform/identity';
import { actionOf, showNotification } from '../lib/platform/notifications';
import { cryptoRandom } from '../lib/platform/random';
import { createAlarmScheduler } from '../lib/platform/scheduler';
import { createStatusPorts } from '../lib/platform/status-ports';
import { createIdbStore } from '../lib/platform/store';
import { createLineService } from '../lib/service/line-service';
import { badgeFor } from '../lib/ui/badge';
import { notificationFor } from '../lib/ui/notify';

/**
 * The service worker: a composition root that wires browser events to lib/. It may be killed at
 * any moment; everything that matters is in IndexedDB and every listener is registered
 * synchronously on each start so events that woke the worker are delivered.
 */
export default defineBackground(() => {
  const development = import.meta.env.MODE !== 'production';
  const clock = { now: () => Date.now() };
  const store = createIdbStore();
  const settings = createSettingsStore(store, defaultSettings(development));
  const diagnostics = createDiagnostics(store, clock);
  const scheduler = createAlarmScheduler({
    alarms: browser.alarms,
    store,
    clock,
    // Packed builds may not set alarms under 30 s; unpacked development builds may.
    minAlarmDelayMs: development ? 0 : 30_000,
    onDue: (name) => service.onTimer(name),
  });
  const service = createLineService({
    store,
    scheduler,
    clock,
    fetch: (input, init) => fetch(input, init),
    identity: chromeIdentity,
    random: cryptoRandom,
    loadSettings: () => settings.load(),
    log: (entry) => void diagnostics.add(entry.kind, entry.message, entry.data),
  });
  const ports = createStatusPorts();
  let lastSnapshot: StatusSnapshot | null = null;

  service.subscribe((update) => {
    const broadcast: StatusBroadcast = update.event
      ? {
          kind: 'line-event',
          event: update.event,
          snapshot: update.snapshot,
          ...(update.error ? { error: update.error } : {}),
        }
      : { kind: 'snapshot', snapshot: update.snapshot };
    ports.broadcast(broadcast);
    void paintBadge(badgeFor(update.snapshot));
    void notify(lastSnapshot, broadcast);
    lastSnapshot = update.snapshot;
  });

  async function notify(previous: StatusSnapshot | null, broadcast: StatusBroadcast) {
    if (!(await settings.load()).notifications) return;
    const request = notificationFor(previous, broadcast);
    if (request) await showNotification(request);
  }

  const extensionOrigin = new URL(browser.runtime.getURL('/')).origin;
  const router: RouterContext = {
    extensionId: browser.runtime.id,
    extensionOrigin,
    redirectUrl: chromeIdentity.redirectUrl(),
    line: service,
    settings,
    diagnostics,
    enableSite: async () => void (await syncClickToRegister((await settings.load()).sites)),
    disableSite: async (origin) => {
      const current = await settings.load();
      await syncClickToRegister(current.sites);
      // The custom environment may live on the same origin: keep the access it needs.
      const environment =
        current.environment.kind === 'custom' ? new URL(current.environment.baseUrl).origin : null;
      if (origin !== environment) {
        await browser.permissions.remove({ origins: [originPattern(origin)] }).catch(() => false);
      }
    },
    settingsChanged: () => service.onSettingsChanged(),
  };

  browser.runtime.onMessage.addListener((message, sender) =>
    routeMessage(message, { id: sender.id, url: sender.url, tabId: sender.tab?.id }, router),
  );
  browser.runtime.onConnect.addListener((port) => {
    void Promise.all([settings.load(), service.snapshot()]).then(([current, snapshot]) =>
      ports.accept(port, current.sites, snapshot),
    );
  });
  browser.alarms.onAlarm.addListener((alarm) => void scheduler.handleAlarm(alarm.name));
  browser.runtime.onStartup.addListener(() => void service.onStartup('browserStartup'));
  browser.runtime.onInstalled.addListener(({ reason }) => {
    // A browser update restarts the browser, which onStartup already covers.
    if (reason === 'install' || reason === 'update') void service.onStartup(reason);
  });
  browser.commands.onCommand.addListener(async (command) => {
    if (command !== 'toggle-registration') return;
    const { state } = await service.snapshot();
    await (state === 'idle' || state === 'inactive' ? service.register() : service.deregister());
  });
  const onNotification = (id: string) => {
    const action = actionOf(id);
    if (action === 'signIn') void service.signIn();
    else if (action === 'openSettings') void browser.runtime.openOptionsPage();
    else void browser.action.openPopup().catch(() => browser.runtime.openOptionsPage());
    void browser.notifications.clear(id);
  };
  browser.notifications.onClicked.addListener(onNotification);
  browser.notifications.onButtonClicked.addListener(onNotification);
  const onNetwork = (online: boolean) => {
    void diagnostics.add('network', online ? 'Browser is online' : 'Browser is offline');
    void service.onNetwork(online);
  };
  self.addEventListener('online', () => onNetwork(true));
  self.addEventListener('offline', () => onNetwork(false));

  // Every start (browser start, update, or a wake after Chrome stopped an idle worker).
  void (async () => {
    await diagnostics.add('worker', 'Service worker started');
    await service.onStartup('workerWake');
    await scheduler.rearm();
    await syncClickToRegister((await settings.load()).sites).catch((error) =>
      diagnostics.add('sites', 'Could not register click-to-register', { reason: String(error) }),
    );
    void paintBadge(badgeFor(await service.snapshot()));
  })();
});
