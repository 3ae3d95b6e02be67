/**
 * Whether a status change deserves a system notification. Pure: the background checks the
 * user's `notifications` preference, creates the notification and handles its button.
 */

import type { StatusBroadcast, StatusSnapshot } from '../messaging/protocol';
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

/** Registered, or failing keepalives but still counted as registered. */
function wasRegistered(snapshot: StatusSnapshot | null): boolean {
  return snapshot?.state === 'active' || snapshot?.state === 'reconnecting';
}

/**
 * `prev` is the snapshot before this broadcast (null after a worker start with nothing stored).
 * - A token error, once when it appears: the fix is to sign in again.
 * - An unexpected loss: the line was registered and is now `inactive`. A user's deregister or
 *   sign-out leads to `idle`, so it never notifies.
 */
export function notificationFor(
  prev: StatusSnapshot | null,
  broadcast: StatusBroadcast,
): NotificationDecision | null {
  const next = broadcast.snapshot;
  const error = next.error ?? (broadcast.kind === 'line-event' ? broadcast.error : undefined);

  if (error?.type === 'tokenError') {
    const alreadyShown = prev?.error?.type === 'tokenError' && prev.error.msg === error.msg;
    if (alreadyShown) return null;
    return decision(NOTIFICATION_KINDS.tokenError, t('notifyTokenTitle'), error.msg, 'signIn');
  }

  if (wasRegistered(prev) && next.state === 'inactive') {
    const action = error?.detail?.action;
    return decision(
      NOTIFICATION_KINDS.lost,
      t('notifyLostTitle'),
      error?.msg ?? t('notifyLostMessage'),
      action === 'signIn' ? 'signIn' : action === 'openSettings' ? 'openSettings' : 'openPopup',
    );
  }
  return null;
}
