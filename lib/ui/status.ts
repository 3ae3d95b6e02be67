/** Pure helpers that turn a status snapshot into what the UI shows. */

import type { DisplayStatus, LineErrorPayload, StatusSnapshot } from '../messaging/protocol';
import { type MessageKey, t } from './i18n';

export type { ErrorAction } from '../webex/line-contract';

import type { ErrorAction } from '../webex/line-contract';

const STATUS_KEYS: Record<DisplayStatus, MessageKey> = {
  inactive: 'statusInactive',
  connecting: 'statusConnecting',
  registered: 'statusRegistered',
  reconnecting: 'statusReconnecting',
  error: 'statusError',
};

export function statusLabel(display: DisplayStatus): string {
  return t(STATUS_KEYS[display]);
}

/** Keep whichever snapshot is newer: a late answer must not undo a newer broadcast. */
export function newestSnapshot(
  current: StatusSnapshot | null,
  next: StatusSnapshot,
): StatusSnapshot {
  return current && current.at > next.at ? current : next;
}

/**
 * The action that fixes an error. The background says it in `detail.action`; without it, a
 * token error needs a new sign-in and a registration error a retry.
 */
export function errorAction(error: LineErrorPayload): ErrorAction {
  return error.detail?.action ?? (error.type === 'tokenError' ? 'signIn' : 'retry');
}

const ACTION_KEYS: Record<ErrorAction, MessageKey> = {
  signIn: 'actionSignInAgain',
  retry: 'actionRetry',
  openSettings: 'actionOpenSettings',
  restoreDeviceLimit: 'actionRestoreDeviceLimit',
  useHere: 'actionUseHere',
};

export function errorActionLabel(action: ErrorAction): string {
  return t(ACTION_KEYS[action]);
}

/** The engine is working on something the user should wait for. */
export function isWorking(snapshot: StatusSnapshot): boolean {
  return (
    snapshot.auth === 'signingIn' ||
    snapshot.state === 'connecting' ||
    snapshot.state === 'reconnecting'
  );
}

/** The line is registered or on its way there, so the useful button is Deregister. */
export function wantsRegistered(snapshot: StatusSnapshot): boolean {
  return (
    snapshot.state === 'active' ||
    snapshot.state === 'connecting' ||
    snapshot.state === 'reconnecting'
  );
}

/**
 * Whether a failed sign-in was the user closing the window or declining. That is a choice, not
 * an error, so the popup stays calm. Chrome rejects with "The user did not approve access.";
 * the codes cover a background that maps it (the exact code is not fixed by the protocol).
 */
export function isSignInCancelled(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /cancel|access_denied|declined/i.test(code)) return true;
  return /did not approve|cancel|access_denied|declined/i.test(error.message);
}

/** A second click (or shortcut) this soon after a state change is taken as part of the first. */
export const TOGGLE_GUARD_MS = 1500;

export type ToggleDecision = 'register' | 'deregister' | 'wait';

/**
 * What a Register/Deregister press may do now: a click never undoes itself. While connecting,
 * or within a short moment of a state change or of the last press, it waits.
 */
export function toggleDecision(
  snapshot: Pick<StatusSnapshot, 'state' | 'since'>,
  now: number,
  lastPressAt: number | null = null,
): ToggleDecision {
  if (snapshot.state === 'connecting') return 'wait';
  if (snapshot.since !== null && now - snapshot.since < TOGGLE_GUARD_MS) return 'wait';
  if (lastPressAt !== null && now - lastPressAt < TOGGLE_GUARD_MS) return 'wait';
  return snapshot.state === 'idle' || snapshot.state === 'inactive' ? 'register' : 'deregister';
}

/** The display as of `now`: registered only while the server confirmed the line in time. */
export function displayAt(snapshot: StatusSnapshot, now: number): StatusSnapshot['display'] {
  const overdue = snapshot.confirmBy !== null && now > snapshot.confirmBy;
  return snapshot.display === 'registered' && overdue ? 'reconnecting' : snapshot.display;
}
