/**
 * Measure 5: idle cost while registered. Three windows of the same length: nothing open but the
 * bench page; the popup open; 20 tabs of an opted-in site with the content script. Requests
 * come from the emulator's log (the tabs' own page loads are not the extension's and are left
 * out); worker starts from the background's diagnostics.
 */
import type { Page } from '@playwright/test';
import { send } from '../../tests/e2e/fixtures';
import type { Emulator } from '../../tests/emulator/index';
import type { BrowserSession } from '../browser/session';
import { between, endpointOf, protocolRequests } from '../core/request-log';
import type { Recorder } from '../core/results';
import { perHour } from '../core/stats';
import { KEEPALIVE_INTERVAL_SEC, registerWithInterval } from './keepalive';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens `count` tabs of the emulator's demo page, opted in, each control showing `status`. */
export async function openDemoTabs(
  session: BrowserSession,
  emulator: Emulator,
  count: number,
  status: string,
) {
  await send(session.driver, 'sites/add', { origin: emulator.urls.base });
  const tabs: Page[] = [];
  for (let i = 0; i < count; i += 1) {
    const tab = await session.context.newPage();
    await tab.goto(emulator.urls.demo);
    tabs.push(tab);
  }
  for (const tab of tabs) {
    await tab.locator('[data-webex-line="register"]').first().waitFor({ state: 'attached' });
    await tab.waitForFunction(
      (s) =>
        document
          .querySelector('[data-webex-line="register"]')
          ?.getAttribute('data-webex-line-status') === s,
      status,
      { timeout: 30_000 },
    );
  }
  return tabs;
}

export async function measureIdleCost(
  rec: Recorder,
  emulator: Emulator,
  session: BrowserSession,
  { windowMs, tabs: tabCount }: { windowMs: number; tabs: number },
): Promise<Page[]> {
  await registerWithInterval(emulator, session, KEEPALIVE_INTERVAL_SEC);
  const observe = async (label: string) => {
    const from = Date.now();
    await sleep(windowMs);
    const to = Date.now();
    const requests = protocolRequests(between(emulator.requestLog(), from, to));
    const keepalives = requests.filter((r) => endpointOf(r) === 'keepalive');
    const others = requests.filter((r) => endpointOf(r) !== 'keepalive');
    const starts = await session.workerStartsSince(from);
    // Keepalives at their own pace (first to last in the window): a count in a short window is
    // off by one depending on where the window starts. Everything else at the window's length.
    const first = keepalives[0];
    const last = keepalives.at(-1);
    const keepalivesPerHour =
      first && last && last.at > first.at ? perHour(keepalives.length - 1, last.at - first.at) : 0;
    const perHourTotal = keepalivesPerHour + perHour(others.length, to - from);
    return {
      label,
      windowMs: to - from,
      perHourTotal,
      keepalives: keepalives.length,
      others,
      starts,
    };
  };

  const quiet = await observe('registered, nothing open');
  const popup = await session.context.newPage();
  await popup.goto(session.url('popup.html'));
  await popup.getByText('Registered', { exact: true }).first().waitFor();
  const withPopup = await observe('popup open');
  await popup.close();
  const tabs = await openDemoTabs(session, emulator, tabCount, 'registered');
  const withTabs = await observe(`${tabCount} tabs with the content script`);

  const lifetimeSec = emulator.config.accessTokenLifetimeSec;
  const minimumPerHour = 3600 / KEEPALIVE_INTERVAL_SEC + 3600 / lifetimeSec;
  rec.note(
    5,
    `windows of ${(windowMs / 1000).toFixed(0)} s, keepalive interval ${KEEPALIVE_INTERVAL_SEC} s, access token lifetime ${lifetimeSec} s: the protocol's minimum is 3600/${KEEPALIVE_INTERVAL_SEC} + 3600/${lifetimeSec} = ${minimumPerHour.toFixed(1)} requests per hour. One window each, so n = 1; per-hour figures are extrapolated.`,
  );
  for (const [key, w] of [
    ['quiet', quiet],
    ['popup', withPopup],
    ['tabs', withTabs],
  ] as const) {
    rec.figure(5, `idle.${key}.per-hour`, `requests per hour: ${w.label}`, 'per hour', [
      w.perHourTotal,
    ]);
    rec.figure(
      5,
      `idle.${key}.others`,
      `requests other than keepalives: ${w.label}`,
      'requests',
      [w.others.length],
      { exactly: 0 },
    );
    rec.figure(5, `idle.${key}.wakeups`, `worker starts per hour: ${w.label}`, 'per hour', [
      perHour(w.starts, w.windowMs),
    ]);
    if (w.others.length > 0) {
      rec.note(5, `${w.label}: ${w.others.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    }
  }
  rec.figure(5, 'idle.minimum.per-hour', 'protocol minimum per hour', 'per hour', [minimumPerHour]);
  rec.ratio(
    5,
    'idle.quiet-vs-minimum',
    'registered, nothing open / minimum',
    'idle.quiet.per-hour',
    'idle.minimum.per-hour',
  );
  rec.ratio(
    5,
    'idle.tabs-vs-quiet',
    `${tabCount} tabs / nothing open`,
    'idle.tabs.per-hour',
    'idle.quiet.per-hour',
  );
  rec.note(
    5,
    'worker starts: Chrome does not stop an idle worker while Playwright is attached (platform notes), so these are the starts the extension caused itself; with a real 30 s interval an idle-stopped worker is woken by at most one alarm per keepalive.',
  );
  return tabs;
}
