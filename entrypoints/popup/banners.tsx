import type { LineErrorPayload } from '../../lib/messaging/protocol';
import { lineErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import { type ErrorAction, errorAction, errorActionLabel } from '../../lib/ui/status';
import { lockWhile } from './lock-while';
import type { Notice } from './types';

export function ErrorBanner({
  error,
  busy,
  actions,
  onShowDevices,
}: {
  error: LineErrorPayload;
  busy: boolean;
  actions: Record<ErrorAction, () => void>;
  onShowDevices(): void;
}) {
  const action = errorAction(error);
  // The device limit in plain words, with the way to the list of devices.
  const deviceLimit = error.detail?.errorCode === 101;
  return (
    <div class="banner" role="alert">
      <p>{lineErrorText(error)}</p>
      {deviceLimit && <p>{t('deviceLimitExplained')}</p>}
      {action === 'useHere' && <p>{t('supersededExplained')}</p>}
      <div class="banner-actions">
        <button type="button" class="button primary" {...lockWhile(busy, actions[action])}>
          {errorActionLabel(action)}
        </button>
        {deviceLimit && (
          <button type="button" class="button link" onClick={onShowDevices}>
            {t('seeYourDevices')}
          </button>
        )}
      </div>
    </div>
  );
}

export function NoticeBanner({
  notice,
  onDismiss,
}: {
  notice: NonNullable<Notice>;
  onDismiss(): void;
}) {
  // A cancelled sign-in is the user's choice: announced politely, no alarm colours.
  return (
    <div
      class={notice.tone === 'calm' ? 'banner calm' : 'banner'}
      role={notice.tone === 'calm' ? 'status' : 'alert'}
    >
      <p>{notice.text}</p>
      <div class="banner-actions">
        <button type="button" class="button" onClick={onDismiss}>
          {t('dismiss')}
        </button>
      </div>
    </div>
  );
}
