/**
 * Whether a status change deserves a system notification. Pure: the background checks the
 * user's `notifications` preference, creates the notification and handles its button.
 */

import type { StatusBroadcast, StatusSnapshot } from '../messaging/protocol';
import { lineErrorText } from './error-text';
import { t } from './i18n';

export type NotificationAction = 'signIn' | 'openPopup' | 'openSettings';

export interface NotificationDecision {
  /**
   * `<kind>:<action>`: stable, so a repeat replaces the notification instead of stacking, and
   * the action can be read back from the id after the service worker restarted.
   */
  id: string;
  title: string;
  message: string;
  action: NotificationAction;
  /** Label for the notification's single button, which performs `action`. */
  buttonTitle: string;
}

export const NOTIFICATION_KINDS = {
  tokenError: 'webex-line-token-error',
  lost: 'webex-line-lost',
} as const;

const BUTTON_KEYS = {
  signIn: 'actionSignInAgain',
  openPopup: 'actionOpenPopup',
  openSettings: 'actionOpenSettings',
} as const;

function decision(
  kind: string,
  title: string,
  message: string,
  action: NotificationAction,
): NotificationDecision {
  return { id: `${kind}:${action}`, title, message, action, buttonTitle: t(BUTTON_KEYS[action]) };
}

/** What a decision needs of the previous snapshot; small enough to persist across restarts. */
export type NotifiedCondition = Pick<StatusSnapshot, 'state' | 'error'>;

/** Registered, or failing keepalives but still counted as registered. */
function wasRegistered(snapshot: NotifiedCondition | null): boolean {
  return snapshot?.state === 'active' || snapshot?.state === 'reconnecting';
}

/**
 * `prev` is the condition before this broadcast (null when nothing was ever known).
 * - A token error, once when it appears: the fix is to sign in again.
 * - An unexpected loss: the line was registered and is now `inactive`. A user's deregister or
 *   sign-out leads to `idle`, so it never notifies.
 */
export function notificationFor(
  prev: NotifiedCondition | null,
  broadcast: StatusBroadcast,
): NotificationDecision | null {
  const next = broadcast.snapshot;
  const error = next.error ?? (broadcast.kind === 'line-event' ? broadcast.error : undefined);

  if (error?.type === 'tokenError') {
    const alreadyShown = prev?.error?.type === 'tokenError' && prev.error.msg === error.msg;
    if (alreadyShown) return null;
    return decision(
      NOTIFICATION_KINDS.tokenError,
      t('notifyTokenTitle'),
      lineErrorText(error),
      'signIn',
    );
  }

  if (wasRegistered(prev) && next.state === 'inactive') {
    const action = error?.detail?.action;
    return decision(
      NOTIFICATION_KINDS.lost,
      t('notifyLostTitle'),
      error ? lineErrorText(error) : t('notifyLostMessage'),
      action === 'signIn' ? 'signIn' : action === 'openSettings' ? 'openSettings' : 'openPopup',
    );
  }
  return null;
}

/** Whether a notification shown earlier (by id) no longer describes the line, so it can go. */
export function notificationResolved(id: string, next: StatusSnapshot): boolean {
  if (id.startsWith(`${NOTIFICATION_KINDS.tokenError}:`)) return next.error?.type !== 'tokenError';
  // Registered again, or the user chose idle; not while it is still trying.
  if (id.startsWith(`${NOTIFICATION_KINDS.lost}:`))
    return next.state === 'active' || next.state === 'idle';
  return false;
}
