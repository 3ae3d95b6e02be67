/**
 * What the notifications for calls say (pure; lib/platform/call-notifications.ts shows them).
 * Ids carry the call's key, so a click is understood by a worker started by the click itself.
 */
import type { CallView, EndedCallView } from '../messaging/calls';
import { t } from './i18n';

export const CALL_NOTIFICATION_PREFIX = 'webex-line-call:';
export const MISSED_NOTIFICATION_PREFIX = 'webex-line-missed:';

export interface CallNotification {
  id: string;
  title: string;
  message: string;
  /** Answer and Decline (none when the microphone is blocked: Answer would be refused). */
  buttons: string[];
  /** A ringing call stays until it is answered, declined or ends. */
  sticky: boolean;
}

/** "Ada Lovelace", "Ada Lovelace (+1 408 555 0100)", "+1 408 555 0100" or "Unknown caller". */
export function callerText(call: { callerName?: string; callerNumber?: string }): string {
  const { callerName: name, callerNumber: number } = call;
  if (name && number && name !== number) return `${name} (${number})`;
  return name || number || t('notifyCallerUnknown');
}

export function ringingNotification(call: CallView): CallNotification {
  return {
    id: `${CALL_NOTIFICATION_PREFIX}${call.key}`,
    title: t('notifyCallTitle'),
    message: call.micBlocked
      ? `${callerText(call)}\n${t('notifyCallMicBlocked')}`
      : callerText(call),
    buttons: call.micBlocked ? [] : [t('notifyCallAnswer'), t('notifyCallDecline')],
    sticky: true,
  };
}

export function missedNotification(call: EndedCallView): CallNotification {
  return {
    id: `${MISSED_NOTIFICATION_PREFIX}${call.key}`,
    title: t('notifyMissedTitle'),
    message: callerText(call),
    buttons: [],
    sticky: false,
  };
}

/** A click on a call notification's button: which command, for which call. */
export function callButtonCommand(
  notificationId: string,
  buttonIndex: number,
): { kind: 'answer' | 'decline'; key: string } | null {
  if (!notificationId.startsWith(CALL_NOTIFICATION_PREFIX)) return null;
  const key = notificationId.slice(CALL_NOTIFICATION_PREFIX.length);
  if (buttonIndex === 0) return { kind: 'answer', key };
  if (buttonIndex === 1) return { kind: 'decline', key };
  return null;
}

export const isCallNotification = (id: string): boolean =>
  id.startsWith(CALL_NOTIFICATION_PREFIX) || id.startsWith(MISSED_NOTIFICATION_PREFIX);
