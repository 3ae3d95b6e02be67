import type { SettingsView } from '../../lib/messaging/protocol';
import { t } from '../../lib/ui/i18n';
import { describedBy, type FieldKit, LockNote } from './field-kit';

/** Client ID, token broker URL and, without a broker, the client secret. */
export function CredentialFields({
  kit,
  view,
  identityChanged,
}: {
  kit: FieldKit;
  view: SettingsView;
  identityChanged: boolean;
}) {
  const { form, update, errors, locked, fieldProps, fieldError } = kit;
  const brokerMode = form.tokenBrokerUrl.trim() !== '';
  return (
    <>
      <div class="field">
        <label for="client-id">{t('clientIdLabel')}</label>
        <input
          id="client-id"
          type="text"
          autoComplete="off"
          spellcheck={false}
          value={form.clientId}
          readOnly={locked.clientId}
          onInput={(e) => update({ clientId: e.currentTarget.value })}
          {...fieldProps('clientId')}
          aria-describedby={describedBy(
            errors.clientId && 'clientId-error',
            locked.clientId && 'client-id-lock',
          )}
        />
        {locked.clientId && <LockNote id="client-id-lock" />}
        {fieldError('clientId')}
      </div>

      <div class="field">
        <label for="broker-url">{t('brokerUrlLabel')}</label>
        <input
          id="broker-url"
          type="text"
          inputMode="url"
          autoComplete="off"
          spellcheck={false}
          placeholder="https://broker.example.com/token"
          value={form.tokenBrokerUrl}
          readOnly={locked.tokenBrokerUrl}
          onInput={(e) => update({ tokenBrokerUrl: e.currentTarget.value })}
          {...fieldProps('tokenBrokerUrl')}
          aria-describedby={describedBy(
            errors.tokenBrokerUrl ? 'tokenBrokerUrl-error' : 'broker-url-hint',
            locked.tokenBrokerUrl && 'broker-url-lock',
          )}
        />
        <p class="hint muted" id="broker-url-hint">
          {t('brokerUrlHint')}
        </p>
        {locked.tokenBrokerUrl && <LockNote id="broker-url-lock" />}
        {fieldError('tokenBrokerUrl')}
      </div>

      {/* With a broker no secret is needed or kept: the field is not offered at all. */}
      {!brokerMode && (
        <div class="field">
          <label for="client-secret">{t('clientSecretLabel')}</label>
          <input
            id="client-secret"
            type="password"
            autoComplete="new-password"
            spellcheck={false}
            placeholder={
              view.settings.clientSecretSet && !identityChanged
                ? t('clientSecretKeepPlaceholder')
                : ''
            }
            value={form.clientSecret}
            readOnly={locked.clientSecret}
            onInput={(e) => update({ clientSecret: e.currentTarget.value })}
            {...fieldProps('clientSecret')}
            aria-describedby={describedBy(
              errors.clientSecret && 'clientSecret-error',
              'client-secret-hint',
              locked.clientSecret && 'client-secret-lock',
            )}
          />
          <div id="client-secret-hint" class="hint muted">
            {view.settings.clientSecretSet && !identityChanged && (
              <p class="secret-set">{t('clientSecretStored')}</p>
            )}
            {view.settings.clientSecretSet && identityChanged && (
              <p>{t('clientSecretReenterHint')}</p>
            )}
            <p>{t('clientSecretNote')}</p>
          </div>
          {locked.clientSecret && <LockNote id="client-secret-lock" />}
          {fieldError('clientSecret')}
        </div>
      )}
    </>
  );
}
