import { browser } from 'wxt/browser';
import { BROWSER } from './browser-differences';

export type NotificationAction = 'signIn' | 'openPopup' | 'openSettings';

export interface NotificationRequest {
  id: string;
  title: string;
  message: string;
  action: NotificationAction;
  buttonTitle?: string;
}

const ACTIONS: ReadonlySet<string> = new Set<NotificationAction>([
  'signIn',
  'openPopup',
  'openSettings',
]);

export async function showNotification(request: NotificationRequest): Promise<void> {
  await browser.notifications.create(request.id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: request.title,
    message: request.message,
    // Firefox: no button. What is lost is only the label; clicking the notification itself
    // does the same action (its id carries it, see actionOf).
    ...(request.buttonTitle && BROWSER.notificationButtons
      ? { buttons: [{ title: request.buttonTitle }] }
      : {}),
  });
}

export async function clearNotification(id: string): Promise<void> {
  await browser.notifications.clear(id);
}

/**
 * The action a clicked notification stands for. Ids are `<kind>:<action>`, so this works in a
 * worker started by the click itself, with no memory of having shown it.
 */
export function actionOf(notificationId: string): NotificationAction | undefined {
  const action = notificationId.split(':')[1];
  return action !== undefined && ACTIONS.has(action) ? (action as NotificationAction) : undefined;
}
