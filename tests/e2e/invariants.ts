/**
 * The invariants every fault scenario must keep (issue 8), in one helper:
 * - at most one device of the user registered at the emulator at any moment;
 * - no lapse the user did not ask for, and no keepalive gap over the interval plus a tolerance,
 *   outside the fault windows the scenario declares;
 * - the popup and the badge never show "Registered" for longer than one interval plus the
 *   tolerance while the server no longer has the device, and end showing the true state;
 * - no uncaught error, unhandled rejection or console error in the service worker, across
 *   restarts;
 * - no protocol deviation recorded by the emulator.
 *
 * Everything is read from public surfaces: the emulator (in process: it is the server), the
 * badge and the popup's status pill (read in the page, never by messaging the worker, so the
 * watch does not wake a stopped worker), and the worker's console over CDP.
 */
import type { Page } from '@playwright/test';
import type { DeviceLife, Emulator, LogEntry } from '../emulator/index';
import type { ServiceWorkerConsole } from './cdp-console';
import { expect, send } from './fixtures';

export interface Window {
  label: string;
  from: number;
  to: number;
}

interface Sample {
  at: number;
  badge: string;
  /** The popup's pill class (registered, reconnecting, …), when a popup is watched. */
  pill: string | null;
  serverHasDevice: boolean;
}

export interface WatchOptions {
  emulator: Emulator;
  email: string;
  /** The keepalive interval the emulator sends, in seconds. */
  intervalSec: number;
  /** An extension page that sends no messages (it reads the badge without waking the worker). */
  observer: Page;
  /** The popup, when the scenario keeps one open: its pill is checked too. */
  popup?: Page;
  console: ServiceWorkerConsole;
  /** Slack for keepalive gaps and stale "Registered" (alarms and a loaded machine). */
  toleranceMs?: number;
  sampleEveryMs?: number;
}

export type FinalState = 'registered' | 'idle' | 'error' | 'signedOut';

const BADGE_OF: Record<FinalState, string> = {
  registered: 'ON',
  idle: '',
  error: '!',
  signedOut: '',
};
/** The popup's pill when signed in (signed out it shows the sign-in button instead). */
const PILL_OF: Record<Exclude<FinalState, 'signedOut'>, string> = {
  registered: 'registered',
  idle: 'inactive',
  error: 'error',
};

/** What the watch measured (the soak prints it). */
export interface WatchFigures {
  keepalives: number;
  largestGapMs: number;
  lapses: number;
  maxLive: number;
  devices: number;
  longestStaleClaimMs: number;
  samples: number;
}

export class LineWatch {
  readonly windows: Window[] = [];
  private readonly samples: Sample[] = [];
  private sampling: Promise<void> | null = null;
  private stopped = false;
  private readonly toleranceMs: number;
  private popup: Page | undefined;
  private observer: Page;
  private console: ServiceWorkerConsole;
  /** Consoles of browsers this watch saw before a restart (their problems still count). */
  private readonly earlierConsoles: ServiceWorkerConsole[] = [];

  constructor(private readonly options: WatchOptions) {
    this.toleranceMs = options.toleranceMs ?? 2_000;
    this.popup = options.popup;
    this.observer = options.observer;
    this.console = options.console;
  }

  get intervalMs(): number {
    return this.options.intervalSec * 1000;
  }

  /** Start sampling the UI against the server. */
  start(): this {
    this.stopped = false;
    this.sampling ??= this.sampleLoop();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.sampling;
    this.sampling = null;
  }

  /** A new browser (restart with the same profile): watch its pages and its worker instead. */
  async switchBrowser(next: { observer: Page; popup?: Page; console: ServiceWorkerConsole }) {
    await this.stop();
    this.earlierConsoles.push(this.console);
    this.observer = next.observer;
    this.popup = next.popup;
    this.console = next.console;
    this.start();
  }

  /**
   * Opens a fault window now (gaps and lapses overlapping it are the fault's, not the line's);
   * the returned function closes it.
   */
  open(label: string): () => void {
    const window: Window = { label, from: Date.now(), to: Number.POSITIVE_INFINITY };
    this.windows.push(window);
    return () => {
      window.to = Date.now();
    };
  }

  private async sampleLoop(): Promise<void> {
    const every = this.options.sampleEveryMs ?? 200;
    while (!this.stopped) {
      const started = Date.now();
      const ui = await this.readUi();
      const finished = Date.now();
      // A sample that took long crossed a frozen browser: its value is from before the freeze.
      if (ui && finished - started < 1_000) {
        this.samples.push({
          at: started,
          ...ui,
          serverHasDevice: this.ownLiveDevices().length > 0,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, every));
    }
  }

  private async readUi(): Promise<{ badge: string; pill: string | null } | null> {
    try {
      const badge = await this.observer.evaluate(() => chrome.action.getBadgeText({}));
      const pill = this.popup
        ? await this.popup
            .locator('[data-testid="status-pill"]')
            .first()
            .getAttribute('class', { timeout: 500 })
            .then((c) => c?.replace('pill', '').trim() ?? null)
            .catch(() => null)
        : null;
      return { badge, pill };
    } catch {
      return null; // the page is closing (browser restart)
    }
  }

  private ownLiveDevices() {
    return this.options.emulator.devices(this.options.email).filter((d) => !d.keptAliveElsewhere);
  }

  private overlapsWindow(from: number, to: number): boolean {
    return this.windows.some((w) => from <= w.to + this.toleranceMs && to >= w.from);
  }

  /** Figures over the whole run so far (keepalives, gaps, lapses, devices, stale claims). */
  figures(): WatchFigures {
    const { emulator, email } = this.options;
    const history = emulator.deviceHistory(email);
    const own = history.devices.filter((d) => !d.keptAliveElsewhere);
    const gaps = this.keepaliveGaps(own, emulator.requestLog());
    return {
      keepalives: emulator.requestLog().filter((e) => isKeepalive(e)).length,
      largestGapMs: Math.max(0, ...gaps.map((g) => g.to - g.from)),
      lapses: emulator.lapses(email).length,
      maxLive: history.maxLive,
      devices: own.length,
      longestStaleClaimMs: Math.max(0, ...this.staleClaims().map((c) => c.to - c.from)),
      samples: this.samples.length,
    };
  }

  /** Consecutive keepalive arrivals (from registration on) of each of the user's devices. */
  private keepaliveGaps(devices: DeviceLife[], log: LogEntry[]) {
    const gaps: Array<{ deviceId: string; from: number; to: number }> = [];
    const now = Date.now();
    for (const device of devices) {
      const beats = log
        .filter((e) => isKeepalive(e) && e.path.includes(`/devices/${device.deviceId}/`))
        .map((e) => e.receivedAt);
      const points = [Date.parse(device.createdAt), ...beats].sort((a, b) => a - b);
      // An expired device's last stretch is its lapse (checked as such); a live one's runs to now.
      if (device.end === null) points.push(now);
      else if (device.end !== 'expired' && device.endedAt) points.push(Date.parse(device.endedAt));
      for (let i = 1; i < points.length; i++) {
        gaps.push({
          deviceId: device.deviceId,
          from: points[i - 1] as number,
          to: points[i] as number,
        });
      }
    }
    return gaps;
  }

  /** Stretches where the UI said "Registered" while the server had no device of the user. */
  private staleClaims() {
    const claims: Array<{ from: number; to: number }> = [];
    let start: number | null = null;
    let last = 0;
    for (const s of this.samples) {
      const claimsRegistered = s.badge === 'ON' || s.pill === 'registered';
      const stale = claimsRegistered && !s.serverHasDevice;
      if (stale && start === null) start = s.at;
      if (!stale && start !== null) {
        claims.push({ from: start, to: s.at });
        start = null;
      }
      last = s.at;
    }
    if (start !== null) claims.push({ from: start, to: last });
    return claims;
  }

  /**
   * Every broken invariant of the run so far that the server and the samples show (one device,
   * unasked lapses, long keepalive gaps, stale "Registered"), each as a readable line.
   */
  violations(): string[] {
    const { emulator, email } = this.options;
    const history = emulator.deviceHistory(email);
    const own = history.devices.filter((d) => !d.keptAliveElsewhere);
    const found: string[] = [];
    if (history.maxLive > 1) {
      const lives = own
        .map((d) => `${d.deviceId.slice(0, 8)} ${d.server} ${d.createdAt}..${d.endedAt} ${d.end}`)
        .join('; ');
      found.push(`${history.maxLive} devices alive at once: ${lives}`);
    }
    for (const lapse of emulator.lapses(email)) {
      if (this.overlapsWindow(Date.parse(lapse.lastKeepaliveAt), Date.parse(lapse.expiredAt))) {
        continue;
      }
      found.push(
        `unasked lapse: ${lapse.deviceId.slice(0, 8)} expired ${lapse.expiredAt} (last keepalive ${lapse.lastKeepaliveAt})`,
      );
    }
    const limit = this.intervalMs + this.toleranceMs;
    for (const gap of this.keepaliveGaps(own, emulator.requestLog())) {
      if (gap.to - gap.from <= limit || this.overlapsWindow(gap.from, gap.to)) continue;
      found.push(
        `keepalive gap of ${gap.to - gap.from} ms (over ${limit}) for ${gap.deviceId.slice(0, 8)} at ${new Date(gap.from).toISOString()}`,
      );
    }
    for (const claim of this.staleClaims()) {
      if (claim.to - claim.from <= limit) continue;
      found.push(
        `"Registered" shown for ${claim.to - claim.from} ms (over ${limit}) while the server had no device, from ${new Date(claim.from).toISOString()}`,
      );
    }
    return found;
  }

  /**
   * Asserts every invariant, and that the line ends in `final` as the server, the badge and the
   * popup see it (`page` answers status/get: the end check may wake the worker).
   */
  async check(page: Page, final: FinalState): Promise<WatchFigures> {
    await this.stop();
    expect(this.violations(), `invariants (fault windows: ${this.describeWindows()})`).toEqual([]);
    await this.expectFinal(page, final);
    const problems = [...this.earlierConsoles, this.console].flatMap((c) => c?.errors() ?? []);
    expect(problems, 'uncaught errors or console errors in the service worker').toEqual([]);
    expect(this.options.emulator.deviations(), 'protocol deviations').toEqual([]);
    return this.figures();
  }

  private async expectFinal(page: Page, final: FinalState): Promise<void> {
    const live = () => this.ownLiveDevices().map((d) => d.deviceId);
    await expect
      .poll(
        async () => {
          const snapshot = await send(page, 'status/get');
          const badge = await this.observer.evaluate(() => chrome.action.getBadgeText({}));
          const ids = live();
          return {
            display: snapshot.display,
            badge,
            // A token error signs out (the refresh was refused); the other ends keep the sign-in.
            signedIn: snapshot.auth === 'signedIn',
            sameDevice:
              final === 'registered'
                ? ids.length === 1 && ids[0] === snapshot.line?.mobiusDeviceId
                : ids.length === 0,
          };
        },
        { timeout: 15_000, message: `the line ends ${final} everywhere` },
      )
      .toMatchObject({
        ...(final === 'signedOut'
          ? { signedIn: false }
          : { display: final === 'idle' ? 'inactive' : final }),
        ...(final === 'registered' || final === 'idle' ? { signedIn: true } : {}),
        badge: BADGE_OF[final],
        sameDevice: true,
      });
    if (!this.popup || this.popup.isClosed()) return;
    const pill = this.popup.locator('[data-testid="status-pill"]').first();
    if (final === 'signedOut' || !(await send(page, 'status/get')).user) {
      await expect(this.popup.getByRole('button', { name: /sign in/i }).first()).toBeVisible();
    } else {
      await expect(pill).toHaveClass(new RegExp(`pill ${PILL_OF[final]}\\b`));
    }
  }

  private describeWindows(): string {
    return JSON.stringify(this.windows.map((w) => ({ label: w.label, from: w.from, to: w.to })));
  }
}

function isKeepalive(entry: LogEntry): boolean {
  return entry.method === 'POST' && /\/calling\/web\/devices\/[^/]+\/status$/.test(entry.path);
}
