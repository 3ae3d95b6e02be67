import { browser } from 'wxt/browser';
import type { CallNotifier } from '../call/host-ports';
import {
  CALL_NOTIFICATION_PREFIX,
  type CallNotification,
  missedNotification,
  ringingNotification,
} from '../ui/call-notify';
import { BROWSER } from './browser-differences';

async function show(notification: CallNotification): Promise<void> {
  await browser.notifications.create(notification.id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: notification.title,
    message: notification.message,
    priority: 2,
    ...(notification.sticky && BROWSER.notificationButtons ? { requireInteraction: true } : {}),
    ...(notification.buttons.length > 0 && BROWSER.notificationButtons
      ? { buttons: notification.buttons.map((title) => ({ title })) }
      : {}),
  });
}

/** chrome.notifications for calls: a ringing call with Answer / Decline, a missed call. */
export const callNotifications: CallNotifier = {
  ringing: (call) => show(ringingNotification(call)),
  missed: (call) => show(missedNotification(call)),
  async clear(key) {
    await browser.notifications.clear(`${CALL_NOTIFICATION_PREFIX}${key}`);
  },
};
