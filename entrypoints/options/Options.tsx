import { useEffect, useState } from 'preact/hooks';
import type { MessagingClient } from '../../lib/messaging/client';
import type { SettingsView } from '../../lib/messaging/protocol';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import { CallsSection } from './CallsSection';
import { DevicesSection } from './DevicesSection';
import { DiagnosticsSection } from './DiagnosticsSection';
import type { OptionsEnv } from './env';
import { PolicySection } from './PolicySection';
import { SettingsForm } from './SettingsForm';
import { SitesSection } from './SitesSection';

export function Options({ client, env }: { client: MessagingClient; env: OptionsEnv }) {
  const [view, setView] = useState<SettingsView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = () => {
    setLoadError(null);
    client
      .request('settings/get', {})
      .then(setView, (error: unknown) => setLoadError(requestErrorText(error)));
  };
  useEffect(load, [client]);

  return (
    <main class="options">
      <h1>{t('optionsTitle')}</h1>
      {loadError ? (
        <div class="banner" role="alert">
          <p>{t('errorLoadSettings', loadError)}</p>
          <div class="banner-actions">
            <button type="button" class="button primary" onClick={load}>
              {t('actionRetry')}
            </button>
          </div>
        </div>
      ) : view ? (
        <>
          <PolicySection policy={view.policy} />
          <SettingsForm client={client} env={env} view={view} onSaved={setView} />
          <CallsSection client={client} env={env} view={view} onSaved={setView} />
        </>
      ) : (
        <p class="loading" aria-busy="true">
          <span class="spinner" aria-hidden="true" /> {t('loading')}
        </p>
      )}
      <DevicesSection client={client} focus={env.initialSection === 'devices'} />
      <SitesSection client={client} env={env} policy={view?.policy ?? null} />
      <DiagnosticsSection client={client} env={env} />
    </main>
  );
}
