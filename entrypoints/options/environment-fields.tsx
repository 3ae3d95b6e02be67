import { useEffect, useState } from 'preact/hooks';
import { environmentAccessPattern } from '../../lib/app/site-access';
import type { SettingsView } from '../../lib/messaging/protocol';
import { t } from '../../lib/ui/i18n';
import type { OptionsEnv } from './env';
import { describedBy, type FieldKit, LockNote } from './field-kit';

/** Production or a custom environment, and the host access a custom one needs. */
export function EnvironmentFields({
  kit,
  env,
  view,
}: {
  kit: FieldKit;
  env: OptionsEnv;
  view: SettingsView;
}) {
  const { form, update, errors, locked, fieldProps, fieldError } = kit;
  // A custom environment the organisation sets still needs this browser's host access, which a
  // policy cannot grant: offer it here when it is missing.
  const lockedPattern =
    locked.environment && view.settings.environment.kind === 'custom'
      ? environmentAccessPattern(view.settings.environment.baseUrl)
      : null;
  const [environmentAccess, setEnvironmentAccess] = useState<'granted' | 'missing' | 'denied'>(
    'granted',
  );
  useEffect(() => {
    if (!lockedPattern) return;
    let current = true;
    env.hasOrigins([lockedPattern]).then(
      (granted) => current && setEnvironmentAccess(granted ? 'granted' : 'missing'),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [env, lockedPattern]);
  const allowEnvironment = () => {
    if (!lockedPattern) return;
    env.requestOrigins([lockedPattern]).then(
      (granted) => setEnvironmentAccess(granted ? 'granted' : 'denied'),
      () => setEnvironmentAccess('denied'),
    );
  };
  return (
    <>
      <fieldset
        class="choices"
        {...fieldProps('environment')}
        tabIndex={errors.environment ? -1 : undefined}
        disabled={locked.environment}
        aria-describedby={describedBy(
          errors.environment && 'environment-error',
          locked.environment && 'environment-lock',
        )}
      >
        <legend>{t('environmentLegend')}</legend>
        <label>
          <input
            type="radio"
            name="environment"
            value="production"
            disabled={locked.environment}
            checked={form.envKind === 'production'}
            onChange={() => update({ envKind: 'production' })}
          />{' '}
          {t('environmentProduction')}
        </label>
        <label>
          <input
            type="radio"
            name="environment"
            value="custom"
            disabled={locked.environment}
            checked={form.envKind === 'custom'}
            onChange={() => update({ envKind: 'custom' })}
          />{' '}
          {t('environmentCustom')}
        </label>
        {locked.environment && <LockNote id="environment-lock" />}
        {fieldError('environment')}
      </fieldset>

      {form.envKind === 'custom' && (
        <div class="field">
          <label for="base-url">{t('baseUrlLabel')}</label>
          <input
            id="base-url"
            type="text"
            inputMode="url"
            autoComplete="off"
            spellcheck={false}
            placeholder="http://127.0.0.1:8790"
            value={form.baseUrl}
            readOnly={locked.environment}
            onInput={(e) => update({ baseUrl: e.currentTarget.value })}
            {...fieldProps('baseUrl')}
            aria-describedby={describedBy(
              errors.baseUrl ? 'baseUrl-error' : 'base-url-hint',
              locked.environment && 'base-url-lock',
            )}
          />
          <p class="hint muted" id="base-url-hint">
            {t('baseUrlHint')}
          </p>
          {locked.environment && <LockNote id="base-url-lock" />}
          {lockedPattern && environmentAccess !== 'granted' && (
            <div class="inline">
              <p class="field-error" role={environmentAccess === 'denied' ? 'alert' : undefined}>
                {t('environmentAccessMissing')}
              </p>
              <button type="button" class="button" onClick={allowEnvironment}>
                {t('allowAccess')}
              </button>
            </div>
          )}
          {fieldError('baseUrl')}
        </div>
      )}
    </>
  );
}

/** The redirect URL to register with the integration, with a copy button. */
export function RedirectField({ env, redirectUrl }: { env: OptionsEnv; redirectUrl: string }) {
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const copyRedirect = () => {
    env.copyText(redirectUrl).then(
      () => setCopied('ok'),
      () => setCopied('failed'),
    );
  };
  return (
    <div class="field">
      <label for="redirect-url">{t('redirectUrlLabel')}</label>
      <div class="inline">
        <input
          id="redirect-url"
          type="text"
          readOnly
          value={redirectUrl}
          aria-describedby="redirect-url-hint"
        />
        <button type="button" class="button" onClick={copyRedirect}>
          {t('copy')}
        </button>
      </div>
      <p class="hint muted" id="redirect-url-hint">
        {t('redirectUrlHint')}
      </p>
      <p class="hint" role="status">
        {copied === 'ok' ? t('copied') : copied === 'failed' ? t('copyFailed') : ''}
      </p>
    </div>
  );
}
