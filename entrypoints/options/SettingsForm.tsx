import { useEffect, useRef, useState } from 'preact/hooks';
import { environmentAccessPattern } from '../../lib/app/site-access';
import type { MessagingClient } from '../../lib/messaging/client';
import type { SettingsView } from '../../lib/messaging/protocol';
import {
  normalizeBaseUrl,
  type Settings,
  type SettingsInput,
  sameIdentity,
  validateSettings,
} from '../../lib/settings';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import { settingsErrorTexts } from '../../lib/ui/settings-errors';
import type { OptionsEnv } from './env';

/** Field -> the text shown under it (validation codes already put in the user's language). */
type Errors = Record<string, string>;

/** Stands in for the stored secret during client-side validation; it is never sent. */
const STORED_SECRET_STAND_IN = 'stored-secret';

/** Fields in page order, to focus the first invalid one. */
const FIELD_ORDER = [
  'environment',
  'baseUrl',
  'clientId',
  'clientSecret',
  'keepRegistered',
  'notifications',
];

interface FormState {
  envKind: 'production' | 'custom';
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  keepRegistered: boolean;
  notifications: boolean;
}

function formFrom(view: SettingsView): FormState {
  const { settings } = view;
  return {
    envKind: settings.environment.kind,
    baseUrl: settings.environment.kind === 'custom' ? settings.environment.baseUrl : '',
    clientId: settings.clientId,
    // The secret is never sent back, so the field always starts empty.
    clientSecret: '',
    keepRegistered: settings.keepRegistered,
    notifications: settings.notifications,
  };
}

function rawInput(form: FormState) {
  return {
    environment:
      form.envKind === 'custom'
        ? { kind: 'custom' as const, baseUrl: form.baseUrl }
        : { kind: 'production' as const },
    clientId: form.clientId,
    clientSecret: form.clientSecret,
    keepRegistered: form.keepRegistered,
    notifications: form.notifications,
  };
}

export function SettingsForm({
  client,
  env,
  view,
  onSaved,
}: {
  client: MessagingClient;
  env: OptionsEnv;
  view: SettingsView;
  onSaved(view: SettingsView): void;
}) {
  const [form, setForm] = useState<FormState>(() => formFrom(view));
  const [errors, setErrors] = useState<Errors>(() => settingsErrorTexts(view.errors ?? {}));
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [copied, setCopied] = useState<'ok' | 'failed' | null>(null);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  // After a refused submit, move focus to the first field that needs attention.
  useEffect(() => {
    if (focusRequest === 0) return;
    const first = FIELD_ORDER.find((field) => errors[field]);
    const target = first
      ? formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)
      : formRef.current?.querySelector<HTMLElement>('#form-error');
    target?.focus();
  }, [focusRequest]);

  const update = (patch: Partial<FormState>) => {
    setForm((current) => ({ ...current, ...patch }));
    setSaved(false);
  };

  const refuse = (next: Errors) => {
    setErrors(next);
    setFocusRequest((n) => n + 1);
  };

  const onSubmit = (event: Event) => {
    event.preventDefault();
    if (saving) return;
    setSaved(false);
    const stored: Settings = {
      ...view.settings,
      clientSecret: view.settings.clientSecretSet ? STORED_SECRET_STAND_IN : '',
    };
    const checked = validateSettings(rawInput(form), stored);
    if (!checked.ok) {
      refuse(settingsErrorTexts(checked.errors));
      return;
    }
    const { environment, clientId, keepRegistered, notifications } = checked.value;
    const typedSecret = form.clientSecret.trim();
    const input: SettingsInput = {
      environment,
      clientId,
      keepRegistered,
      notifications,
      ...(typedSecret ? { clientSecret: typedSecret } : {}),
    };
    // A custom environment needs host access; ask now, while this submit is a user gesture.
    const pattern =
      environment.kind === 'custom' ? environmentAccessPattern(environment.baseUrl) : null;
    const access = pattern ? env.requestOrigins([pattern]) : Promise.resolve(true);
    setErrors({});
    setSaving(true);
    access
      .then(async (granted) => {
        if (!granted) {
          refuse({ baseUrl: t('errorEnvironmentAccess') });
          return;
        }
        const next = await client.request('settings/save', { settings: input });
        if (next.errors && Object.keys(next.errors).length > 0) {
          refuse(settingsErrorTexts(next.errors));
          return;
        }
        setForm(formFrom(next));
        setSaved(true);
        onSaved(next);
      })
      .catch((error: unknown) => refuse({ form: requestErrorText(error) }))
      .finally(() => setSaving(false));
  };

  const copyRedirect = () => {
    env.copyText(view.redirectUrl).then(
      () => setCopied('ok'),
      () => setCopied('failed'),
    );
  };

  const fieldProps = (name: string) => ({
    'data-field': name,
    'aria-invalid': errors[name] ? ('true' as const) : undefined,
    'aria-describedby': errors[name] ? `${name}-error` : undefined,
  });
  const fieldError = (name: string) =>
    errors[name] ? (
      <p class="field-error" id={`${name}-error`}>
        {errors[name]}
      </p>
    ) : null;
  // A new environment or integration signs the user out first: say so before they save.
  const editedIdentity = {
    environment:
      form.envKind === 'custom'
        ? { kind: 'custom' as const, baseUrl: normalizeBaseUrl(form.baseUrl) ?? form.baseUrl }
        : { kind: 'production' as const },
    clientId: form.clientId.trim(),
  };
  const identityChanged = !sameIdentity(editedIdentity, view.settings);
  const signsOut = view.signedIn && identityChanged;
  const known = new Set(FIELD_ORDER);
  const otherErrors = Object.entries(errors).filter(([field]) => !known.has(field));
  const hasErrors = Object.keys(errors).length > 0;

  return (
    <form ref={formRef} class="settings" noValidate onSubmit={onSubmit}>
      <section class="panel" aria-labelledby="integration-title">
        <h2 id="integration-title">{t('integrationTitle')}</h2>

        <fieldset
          class="choices"
          {...fieldProps('environment')}
          tabIndex={errors.environment ? -1 : undefined}
        >
          <legend>{t('environmentLegend')}</legend>
          <label>
            <input
              type="radio"
              name="environment"
              value="production"
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
              checked={form.envKind === 'custom'}
              onChange={() => update({ envKind: 'custom' })}
            />{' '}
            {t('environmentCustom')}
          </label>
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
              onInput={(e) => update({ baseUrl: e.currentTarget.value })}
              {...fieldProps('baseUrl')}
              aria-describedby={errors.baseUrl ? 'baseUrl-error' : 'base-url-hint'}
            />
            <p class="hint muted" id="base-url-hint">
              {t('baseUrlHint')}
            </p>
            {fieldError('baseUrl')}
          </div>
        )}

        <div class="field">
          <label for="redirect-url">{t('redirectUrlLabel')}</label>
          <div class="inline">
            <input
              id="redirect-url"
              type="text"
              readOnly
              value={view.redirectUrl}
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

        <div class="field">
          <label for="client-id">{t('clientIdLabel')}</label>
          <input
            id="client-id"
            type="text"
            autoComplete="off"
            spellcheck={false}
            value={form.clientId}
            onInput={(e) => update({ clientId: e.currentTarget.value })}
            {...fieldProps('clientId')}
          />
          {fieldError('clientId')}
        </div>

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
            onInput={(e) => update({ clientSecret: e.currentTarget.value })}
            {...fieldProps('clientSecret')}
            aria-describedby={
              errors.clientSecret ? 'clientSecret-error client-secret-hint' : 'client-secret-hint'
            }
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
          {fieldError('clientSecret')}
        </div>
      </section>

      <section class="panel" aria-labelledby="preferences-title">
        <h2 id="preferences-title">{t('preferencesTitle')}</h2>
        <label class="check">
          <input
            type="checkbox"
            checked={form.keepRegistered}
            onChange={(e) => update({ keepRegistered: e.currentTarget.checked })}
            {...fieldProps('keepRegistered')}
          />{' '}
          {t('keepRegisteredLabel')}
        </label>
        {fieldError('keepRegistered')}
        <label class="check">
          <input
            type="checkbox"
            checked={form.notifications}
            onChange={(e) => update({ notifications: e.currentTarget.checked })}
            {...fieldProps('notifications')}
          />{' '}
          {t('notificationsLabel')}
        </label>
        {fieldError('notifications')}
      </section>

      {signsOut && (
        <p class="notice" id="signs-out-notice" role="status">
          {t('settingsSignOutNotice')}
        </p>
      )}
      <div class="form-footer">
        {/* aria-disabled, not disabled: a disabled button drops keyboard focus to the body. */}
        <button
          type="submit"
          class="button primary"
          aria-disabled={saving ? 'true' : undefined}
          aria-describedby={signsOut ? 'signs-out-notice' : undefined}
        >
          {saving ? t('saving') : signsOut ? t('signOutAndSave') : t('save')}
        </button>
        <p role="status" class="confirm">
          {saved ? t('saved') : ''}
        </p>
      </div>
      {hasErrors && (
        <div id="form-error" class="banner" role="alert" tabIndex={-1}>
          <p>{t('errorNotSaved')}</p>
          {otherErrors.map(([field, message]) => (
            <p key={field}>{message}</p>
          ))}
        </div>
      )}
    </form>
  );
}
