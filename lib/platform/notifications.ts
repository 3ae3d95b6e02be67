import { browser } from 'wxt/browser';

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
    ...(request.buttonTitle ? { buttons: [{ title: request.buttonTitle }] } : {}),
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
