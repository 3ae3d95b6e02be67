import { browser } from 'wxt/browser';

export type NotificationAction = 'signIn' | 'openPopup' | 'openSettings';

export interface NotificationRequest {
  id: string;
  title: string;
  message: string;
  action: NotificationAction;
  buttonTitle?: string;
}

const actions = new Map<string, NotificationAction>();

export async function showNotification(request: NotificationRequest): Promise<void> {
  actions.set(request.id, request.action);
  await browser.notifications.create(request.id, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: request.title,
    message: request.message,
    ...(request.buttonTitle ? { buttons: [{ title: request.buttonTitle }] } : {}),
  });
}

/** The action a clicked notification stands for (by id; ids encode the action when the worker restarted). */
export function actionOf(notificationId: string): NotificationAction | undefined {
  return (
    actions.get(notificationId) ?? (notificationId.split(':')[1] as NotificationAction | undefined)
  );
}
