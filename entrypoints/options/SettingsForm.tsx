import { useEffect, useRef, useState } from 'preact/hooks';
import { environmentAccessPattern } from '../../lib/app/site-access';
import type { MessagingClient } from '../../lib/messaging/client';
import type { SettingsView } from '../../lib/messaging/protocol';
import type { LockableField } from '../../lib/policy/apply';
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
  'tokenBrokerUrl',
  'clientSecret',
  'keepRegistered',
  'notifications',
];

interface FormState {
  envKind: 'production' | 'custom';
  baseUrl: string;
  clientId: string;
  tokenBrokerUrl: string;
  clientSecret: string;
  keepRegistered: boolean;
  notifications: boolean;
}

/** The fields a save can change; when the policy locks all of them there is nothing to save. */
const EDITABLE: LockableField[] = [
  'environment',
  'clientId',
  'tokenBrokerUrl',
  'clientSecret',
  'keepRegistered',
  'notifications',
];

/** "Set by your organisation" under a locked field; its id goes into the field's description. */
function LockNote({ id }: { id: string }) {
  return (
    <p class="hint lock-note" id={id}>
      {t('setByOrganisation')}
    </p>
  );
}

const describedBy = (...ids: Array<string | false | undefined>) =>
  ids.filter(Boolean).join(' ') || undefined;

function formFrom(view: SettingsView): FormState {
  const { settings } = view;
  return {
    envKind: settings.environment.kind,
    baseUrl: settings.environment.kind === 'custom' ? settings.environment.baseUrl : '',
    clientId: settings.clientId,
    tokenBrokerUrl: settings.tokenBrokerUrl,
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
    tokenBrokerUrl: form.tokenBrokerUrl,
    // With a broker no secret is sent, even one typed before the broker URL.
    clientSecret: form.tokenBrokerUrl.trim() === '' ? form.clientSecret : '',
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
  const { locked } = view.policy;
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
  const brokerMode = form.tokenBrokerUrl.trim() !== '';
  const nothingToSave = EDITABLE.every((field) => locked[field]);

  return (
    <form ref={formRef} class="settings" noValidate onSubmit={onSubmit}>
      <section class="panel" aria-labelledby="integration-title">
        <h2 id="integration-title">{t('integrationTitle')}</h2>

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
      </section>

      <section class="panel" aria-labelledby="preferences-title">
        <h2 id="preferences-title">{t('preferencesTitle')}</h2>
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
