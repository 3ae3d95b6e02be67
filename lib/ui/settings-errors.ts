/** The settings validation codes (lib/settings.ts) as text in the user's language. */

import { SETTINGS_ERROR_CODES, type SettingsErrorCode } from '../settings';
import { type MessageKey, t } from './i18n';

export const SETTINGS_ERROR_KEYS: Record<SettingsErrorCode, MessageKey> = {
  settingsNotAnObject: 'errorSettingsNotAnObject',
  environmentMissing: 'errorEnvironmentMissing',
  baseUrlInvalid: 'errorBaseUrlInvalid',
  baseUrlInsecure: 'errorBaseUrlInsecure',
  clientIdMissing: 'errorClientIdMissing',
  clientIdInvalid: 'errorClientIdInvalid',
  clientSecretMissing: 'errorClientSecretMissing',
  clientSecretReenter: 'errorClientSecretReenter',
  clientSecretInvalid: 'errorClientSecretInvalid',
  brokerUrlInvalid: 'errorBrokerUrlInvalid',
  brokerUrlInsecure: 'errorBrokerUrlInsecure',
  flagInvalid: 'errorFlagInvalid',
  siteInvalid: 'errorSiteInvalid',
  siteInsecure: 'errorSiteInsecure',
  sitesLocked: 'errorSitesLocked',
  ringVolumeInvalid: 'errorRingVolumeInvalid',
  deviceIdInvalid: 'errorDeviceIdInvalid',
};

const isCode = (value: string): value is SettingsErrorCode =>
  (SETTINGS_ERROR_CODES as readonly string[]).includes(value);

/**
 * The text for one validation code. Anything else (a message from a failure that is not a
 * validation, such as storage being full) is shown as it came.
 */
export function settingsErrorText(codeOrText: string): string {
  return isCode(codeOrText) ? t(SETTINGS_ERROR_KEYS[codeOrText]) : codeOrText;
}

/** Every field's code as text, for the form to show. */
export function settingsErrorTexts(errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, code]) => [field, settingsErrorText(code)]),
  );
}
