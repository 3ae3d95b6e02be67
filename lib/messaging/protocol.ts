/**
 * The one message protocol between the service worker (background), extension pages (popup,
 * options) and content scripts. Every request, response and broadcast is listed here.
 *
 * Who may send what (checked by the background on every message):
 * - extension pages: every request;
 * - content scripts on opted-in sites (top frame only): only `status/get`, `line/register` and
 *   `page/call`, and they receive the reduced `PageStatus` (never tokens, ids or settings);
 * - `pageCall/get` and `pageCall/confirm` (the confirmation window of a page's call): extension
 *   pages only, and only the window opened for that request may answer it;
 * - anything else: not answered.
 */

import type { CallPreferences } from '../call-preferences';
import type { EngineState } from '../line/types';
import type { PolicyView } from '../policy/view';
import type { Settings, SettingsInput } from '../settings';
import type { LineErrorPayload, LineEventName, LineProperties } from '../webex/line-contract';
import type { CallCommand, CallingView } from './calls';

export type { EngineState } from '../line/types';
export type {
  ErrorAction,
  LineErrorPayload,
  LineEventName,
  LineProperties,
} from '../webex/line-contract';

/** What the UI shows in its status pill. Derived from the engine state and the last error. */
export type DisplayStatus = 'inactive' | 'connecting' | 'registered' | 'reconnecting' | 'error';

export type AuthState = 'signedOut' | 'signingIn' | 'signedIn';

export interface UserSummary {
  displayName: string;
  email: string;
}

export interface StatusSnapshot {
  state: EngineState;
  display: DisplayStatus;
  auth: AuthState;
  user: UserSummary | null;
  line: LineProperties | null;
  error: LineErrorPayload | null;
  /** Server currently registered with (or being tried), and whether it is a backup. */
  server: { url: string; role: 'primary' | 'backup' } | null;
  /** When the engine will try again on its own, if it will (ms since epoch). */
  nextAttemptAt: number | null;
  /** A server's Retry-After runs until then: "Try now" waits (null: it may try at once). */
  retryHoldUntil: number | null;
  /** When Mobius last confirmed the line (a 2xx registration or keepalive), for "confirmed 12 s ago". */
  confirmedAt: number | null;
  /** When the current state began (a second click soon after a change must not undo it). */
  since: number | null;
  /**
   * While registered: past this time without a keepalive answer the line is shown
   * `reconnecting`, never registered on faith (the worker slept, an alarm was late).
   */
  confirmBy: number | null;
  /** Whether an integration (client id + secret + environment) is configured. */
  configured: boolean;
  keepRegistered: boolean;
  /** Calls: whether the line can ring here, the calls in progress (absent: not known yet). */
  calling?: CallingView;
  /** Time of this snapshot (ms since epoch). */
  at: number;
}

/**
 * A call a web page asked for, as that page may know it: waiting for the user in the
 * extension's own window, ringing at the other end, connected, or over (ended, refused by the
 * user, or failed). Nothing else about the call: no key, id, token or other party.
 */
export type PageCallState = 'confirming' | 'ringing' | 'connected' | 'ended' | 'refused' | 'failed';

export const PAGE_CALL_STATES: readonly PageCallState[] = [
  'confirming',
  'ringing',
  'connected',
  'ended',
  'refused',
  'failed',
];

/** The only thing a web page (through the content script) ever learns. */
export interface PageStatus {
  status: DisplayStatus;
  error: { type: LineErrorPayload['type']; msg: string } | null;
  signedIn: boolean;
  /**
   * The state of the call this tab asked for (`page/call`), while the tab still shows the origin
   * that asked; absent otherwise. Never another tab's call, nor any call the user placed or took
   * elsewhere.
   */
  call?: PageCallState;
}

/** What the confirmation window shows: the number, who asks, and where the request stands. */
export interface PageCallDetails {
  number: string;
  origin: string;
  state: PageCallState;
}

export interface DiagnosticEntry {
  at: number;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

/** One of the user's devices registered at Mobius, for "Your devices" in the options page. */
export interface DeviceView {
  deviceId: string;
  /** The Mobius server it is registered with. */
  server: string;
  lastSeen?: string;
  addresses: string[];
  /** Registered by this browser (its WDM device). */
  thisBrowser: boolean;
  /** The line's own current registration (removed with Deregister, not from the list). */
  current: boolean;
}

/** Requests: `type` -> [request payload, response payload]. */
export interface RequestMap {
  'status/get': [Record<string, never>, StatusSnapshot];
  'auth/signIn': [Record<string, never>, StatusSnapshot];
  'auth/signOut': [Record<string, never>, StatusSnapshot];
  'line/register': [Record<string, never>, StatusSnapshot];
  'line/deregister': [Record<string, never>, StatusSnapshot];
  'settings/get': [Record<string, never>, SettingsView];
  'settings/save': [{ settings: SettingsInput }, SettingsView];
  /** Ring, ring volume and audio devices, saved on their own (never locked by a policy). */
  'settings/calls': [{ calls: CallPreferences }, SettingsView];
  'sites/list': [Record<string, never>, { sites: string[] }];
  /** The options page asks for the host permission first (user gesture), then sends this. */
  'sites/add': [{ origin: string }, { sites: string[] }];
  'sites/remove': [{ origin: string }, { sites: string[] }];
  'diagnostics/get': [Record<string, never>, { entries: DiagnosticEntry[] }];
  'diagnostics/clear': [Record<string, never>, { entries: DiagnosticEntry[] }];
  'devices/list': [Record<string, never>, { devices: DeviceView[] }];
  /** Remove one device (never the line's own); answers with the list afterwards. */
  'devices/remove': [{ deviceId: string }, { devices: DeviceView[] }];
  /**
   * Development builds only (refused in production): compress the engine's timing for tests
   * and demos. Keys are `Timing` fields, values milliseconds/seconds as `Timing` defines them.
   * Stored, and applied at once and on every worker start. An empty object restores defaults.
   */
  'dev/timing': [{ timing: Record<string, number> }, { timing: Record<string, number> }];
  /** Answer, decline, hang up or mute a call (relayed to the offscreen document). */
  'calls/command': [{ command: CallCommand }, CallingView];
  /**
   * Content scripts only: a trusted click on a call control of an opted-in page asks to call
   * `number`. The extension asks the user in its own window; the answer is the page's status
   * (its `call` says `confirming`).
   */
  'page/call': [{ number: string }, PageStatus];
  /** The confirmation window (its own tab only): what it asks the user to confirm. */
  'pageCall/get': [{ requestId: string }, PageCallDetails];
  /** The confirmation window (its own tab only): the user's Call (`accept`) or Cancel. */
  'pageCall/confirm': [{ requestId: string; accept: boolean }, PageCallDetails];
}

/** Requests a content script may send; it receives `PageStatus` instead of a snapshot. */
export const CONTENT_SCRIPT_REQUESTS = ['status/get', 'line/register', 'page/call'] as const;
export type ContentScriptRequest = (typeof CONTENT_SCRIPT_REQUESTS)[number];

export type RequestType = keyof RequestMap;
export type RequestPayload<T extends RequestType> = RequestMap[T][0];
export type ResponsePayload<T extends RequestType> = RequestMap[T][1];

export interface RequestMessage<T extends RequestType = RequestType> {
  type: T;
  payload: RequestPayload<T>;
}

/** Every response is wrapped so errors cross the boundary as data, never as exceptions. */
export type Response<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string } };

/** Settings as the options page sees them: the secret is never sent back, only whether it is set. */
export interface SettingsView {
  settings: Omit<Settings, 'clientSecret'> & { clientSecretSet: boolean };
  redirectUrl: string;
  /** The organisation's managed policy: locked fields, its sites, values it ignored. */
  policy: PolicyView;
  /** Signed in: a change of environment or client ID signs out first (the page says so). */
  signedIn: boolean;
  /** Field-level validation errors from the last save, if it was refused. */
  errors?: Record<string, string>;
}

/** Long-lived port names. */
export const STATUS_PORT = 'status';
export const PAGE_STATUS_PORT = 'page-status';

/** The extension page that asks the user to confirm a page's call (`#<requestId>`). */
export const CONFIRM_CALL_PATH = '/confirm-call.html';

/** Broadcasts on the `status` port (extension pages). */
export type StatusBroadcast =
  | { kind: 'snapshot'; snapshot: StatusSnapshot }
  | {
      kind: 'line-event';
      event: LineEventName;
      error?: LineErrorPayload;
      snapshot: StatusSnapshot;
    };

/** Broadcasts on the `page-status` port (content scripts). */
export interface PageStatusBroadcast {
  kind: 'page-status';
  status: PageStatus;
}

/** Sent on the `page-status` port just before the background closes it for good (site removed). */
export interface PageStatusClosed {
  kind: 'page-status-closed';
}

/** Reduce a snapshot to what a web page may see. */
export function toPageStatus(snapshot: StatusSnapshot): PageStatus {
  return {
    status: snapshot.display,
    error: snapshot.error ? { type: snapshot.error.type, msg: snapshot.error.msg } : null,
    signedIn: snapshot.auth === 'signedIn',
  };
}
