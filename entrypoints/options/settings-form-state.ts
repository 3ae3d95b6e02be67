import type { SettingsView } from '../../lib/messaging/protocol';
import type { LockableField } from '../../lib/policy/apply';
import { normalizeBaseUrl, type Settings } from '../../lib/settings';

/** Field -> the text shown under it (validation codes already put in the user's language). */
export type Errors = Record<string, string>;

/** Stands in for the stored secret during client-side validation; it is never sent. */
export const STORED_SECRET_STAND_IN = 'stored-secret';

/** Fields in page order, to focus the first invalid one. */
export const FIELD_ORDER = [
  'environment',
  'baseUrl',
  'clientId',
  'tokenBrokerUrl',
  'clientSecret',
  'keepRegistered',
  'notifications',
];

export interface FormState {
  envKind: 'production' | 'custom';
  baseUrl: string;
  clientId: string;
  tokenBrokerUrl: string;
  clientSecret: string;
  keepRegistered: boolean;
  notifications: boolean;
}

/** The fields a save can change; when the policy locks all of them there is nothing to save. */
export const EDITABLE: LockableField[] = [
  'environment',
  'clientId',
  'tokenBrokerUrl',
  'clientSecret',
  'keepRegistered',
  'notifications',
];

export function formFrom(view: SettingsView): FormState {
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

export function rawInput(form: FormState) {
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

/** Stored settings as client-side validation sees them (the secret is never sent back). */
export function storedForValidation(view: SettingsView): Settings {
  return {
    ...view.settings,
    clientSecret: view.settings.clientSecretSet ? STORED_SECRET_STAND_IN : '',
  };
}

/** The environment and integration being edited, to tell whether saving changes who signs in. */
export function editedIdentity(form: FormState) {
  return {
    environment:
      form.envKind === 'custom'
        ? { kind: 'custom' as const, baseUrl: normalizeBaseUrl(form.baseUrl) ?? form.baseUrl }
        : { kind: 'production' as const },
    clientId: form.clientId.trim(),
  };
}
