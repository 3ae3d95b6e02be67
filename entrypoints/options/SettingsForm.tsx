import { useEffect, useRef, useState } from 'preact/hooks';
import { environmentAccessPattern } from '../../lib/app/site-access';
import type { MessagingClient } from '../../lib/messaging/client';
import type { SettingsView } from '../../lib/messaging/protocol';
import { type SettingsInput, sameIdentity, validateSettings } from '../../lib/settings';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import { settingsErrorTexts } from '../../lib/ui/settings-errors';
import { CredentialFields } from './credential-fields';
import type { OptionsEnv } from './env';
import { EnvironmentFields, RedirectField } from './environment-fields';
import { fieldKit } from './field-kit';
import { PreferenceFields } from './preference-fields';
import {
  EDITABLE,
  type Errors,
  editedIdentity,
  FIELD_ORDER,
  type FormState,
  formFrom,
  rawInput,
  storedForValidation,
} from './settings-form-state';

/** What a section of the options page that saves settings is given. */
export interface SettingsSectionProps {
  client: MessagingClient;
  env: OptionsEnv;
  view: SettingsView;
  onSaved(view: SettingsView): void;
}

export function SettingsForm({ client, env, view, onSaved }: SettingsSectionProps) {
  const [form, setForm] = useState<FormState>(() => formFrom(view));
  const [errors, setErrors] = useState<Errors>(() => settingsErrorTexts(view.errors ?? {}));
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [focusRequest, setFocusRequest] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const { locked } = view.policy;
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
    const checked = validateSettings(rawInput(form), storedForValidation(view));
    if (!checked.ok) {
      refuse(settingsErrorTexts(checked.errors));
      return;
    }
    const { environment, clientId, tokenBrokerUrl, keepRegistered, notifications } = checked.value;
    const typedSecret =
      tokenBrokerUrl === '' && !locked.clientSecret ? form.clientSecret.trim() : '';
    const input: SettingsInput = {
      environment,
      clientId,
      tokenBrokerUrl,
      keepRegistered,
      notifications,
      ...(typedSecret ? { clientSecret: typedSecret } : {}),
    };
    // A custom environment needs host access; ask now, while this submit is a user gesture (one
    // the organisation set is its to provide).
    const pattern =
      environment.kind === 'custom' && !locked.environment
        ? environmentAccessPattern(environment.baseUrl)
        : null;
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

  const kit = fieldKit(form, update, errors, locked);
  // A new environment or integration signs the user out first: say so before they save.
  const identityChanged = !sameIdentity(editedIdentity(form), view.settings);
  const signsOut = view.signedIn && identityChanged;
  const known = new Set(FIELD_ORDER);
  const otherErrors = Object.entries(errors).filter(([field]) => !known.has(field));
  const hasErrors = Object.keys(errors).length > 0;
  const nothingToSave = EDITABLE.every((field) => locked[field]);

  return (
    <form ref={formRef} class="settings" noValidate onSubmit={onSubmit}>
      <section class="panel" aria-labelledby="integration-title">
        <h2 id="integration-title">{t('integrationTitle')}</h2>
        <EnvironmentFields kit={kit} env={env} view={view} />
        <RedirectField env={env} redirectUrl={view.redirectUrl} />
        <CredentialFields kit={kit} view={view} identityChanged={identityChanged} />
      </section>

      <section class="panel" aria-labelledby="preferences-title">
        <h2 id="preferences-title">{t('preferencesTitle')}</h2>
        <PreferenceFields kit={kit} />
      </section>

      {signsOut && (
        <p class="notice" id="signs-out-notice" role="status">
          {t('settingsSignOutNotice')}
        </p>
      )}
      {nothingToSave ? (
        <p class="notice">{t('allSetByOrganisation')}</p>
      ) : (
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
      )}
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
