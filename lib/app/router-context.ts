/**
 * What the runtime message router (router.ts) is given: the line's operations and the worker's
 * services, each optional one absent where a browser or a build lacks it; and the refusal a
 * request handler throws, which crosses the boundary as `{ code, message }`.
 */
import type { CallCommand, CallingView } from '../messaging/calls';
import type {
  DeviceView,
  PageCallDetails,
  PageStatus,
  StatusSnapshot,
} from '../messaging/protocol';
import type { Settings } from '../settings';
import type { Diagnostics } from './diagnostics';
import type { SettingsStore } from './settings-store';

/** The line service operations the router exposes. */
export interface LineOperations {
  snapshot(): Promise<StatusSnapshot>;
  /** How sign-in ended: a closed window or a declined consent is calm, not an error. */
  signInWithOutcome(): Promise<{
    outcome: 'signedIn' | 'cancelled' | 'declined' | 'failed';
    message?: string;
    snapshot: StatusSnapshot;
  }>;
  signOut(): Promise<StatusSnapshot>;
  /** `fromPage`: a web page's control asked; it must never replace another device. */
  register(options?: { fromPage?: boolean }): Promise<StatusSnapshot>;
  deregister(): Promise<StatusSnapshot>;
  listDevices(): Promise<
    { ok: true; devices: DeviceView[] } | { ok: false; error: { message: string } }
  >;
  removeDevice(
    deviceId: string,
  ): Promise<{ ok: true; devices: DeviceView[] } | { ok: false; error: { message: string } }>;
}

export interface RouterContext {
  extensionId: string;
  /** `chrome-extension://<id>` */
  extensionOrigin: string;
  /**
   * What a web page may learn of a snapshot (page-status.ts, with the localized generic texts),
   * with the state of the call its tab asked for.
   */
  pageStatus(snapshot: StatusSnapshot, page?: { tabId: number; origin: string }): PageStatus;
  redirectUrl: string;
  line: LineOperations;
  settings: SettingsStore;
  diagnostics: Diagnostics;
  /** Host permission and content-script registration for a site (the options page asked first). */
  enableSite(origin: string): Promise<void>;
  disableSite(origin: string): Promise<void>;
  settingsChanged(previous: Settings, next: Settings): Promise<void>;
  /** The call preferences were saved: tell the calls document. */
  callPreferencesChanged?(): Promise<void>;
  /**
   * Read the browser's managed policy now and apply it if it changed (its read has a deadline).
   * Awaited before the answers that depend on it, so a late start-up read never lets a sign-in
   * go to the default environment or the options page show the user's settings unlocked.
   */
  freshPolicy?(): Promise<unknown>;
  /** Calls: a user's command, relayed to the offscreen document that holds the calls. */
  calls?: {
    command(command: CallCommand): Promise<CallingView>;
    /** A fresh call key (the correlationId of a call placed here). */
    newCallKey(): string;
  };
  /**
   * Click to call (lib/app/page-call-host.ts): a page's request, confirmed by the user in the
   * extension's own window. Refusals are `PageCallRefusal`s.
   */
  pageCalls?: {
    ask(
      page: { tabId: number; origin: string },
      payload: unknown,
      snapshot: StatusSnapshot,
    ): Promise<void>;
    /** From the confirmation window: `fromTabId` must be the tab of the window opened for it. */
    details(payload: unknown, fromTabId: number | undefined): Promise<PageCallDetails>;
    confirm(payload: unknown, fromTabId: number | undefined): Promise<PageCallDetails>;
  };
  /** Development builds only: store and apply engine timing overrides (validated here). */
  devTiming?(timing: Record<string, number>): Promise<Record<string, number>>;
}

/** A refusal with its code (`forbidden`, `invalid`, …), answered as data. */
export class RouterError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Click to call, or a refusal where this browser cannot place calls. */
export function pageCallsOf(ctx: RouterContext): NonNullable<RouterContext['pageCalls']> {
  if (!ctx.pageCalls) throw new RouterError('unsupported', 'This browser cannot place calls.');
  return ctx.pageCalls;
}
