import { t } from '../../lib/ui/i18n';
import { describedBy, type FieldKit, LockNote } from './field-kit';

/** Keep registered and notifications. */
export function PreferenceFields({ kit }: { kit: FieldKit }) {
  const { form, update, errors, locked, fieldProps, fieldError } = kit;
  return (
    <>
      <label class="check">
        <input
          type="checkbox"
          checked={form.keepRegistered}
          disabled={locked.keepRegistered}
          onChange={(e) => update({ keepRegistered: e.currentTarget.checked })}
          {...fieldProps('keepRegistered')}
          aria-describedby={describedBy(
            errors.keepRegistered && 'keepRegistered-error',
            locked.keepRegistered && 'keep-registered-lock',
          )}
        />{' '}
        {t('keepRegisteredLabel')}
      </label>
      {locked.keepRegistered && <LockNote id="keep-registered-lock" />}
      {fieldError('keepRegistered')}
      <label class="check">
        <input
          type="checkbox"
          checked={form.notifications}
          disabled={locked.notifications}
          onChange={(e) => update({ notifications: e.currentTarget.checked })}
          {...fieldProps('notifications')}
          aria-describedby={describedBy(
            errors.notifications && 'notifications-error',
            locked.notifications && 'notifications-lock',
          )}
        />{' '}
        {t('notificationsLabel')}
      </label>
      {locked.notifications && <LockNote id="notifications-lock" />}
      {fieldError('notifications')}
    </>
  );
}
