import type { JSX } from 'preact';
import type { SettingsView } from '../../lib/messaging/protocol';
import { t } from '../../lib/ui/i18n';
import type { Errors, FormState } from './settings-form-state';

/** What every field of the settings form reads and writes. */
export interface FieldKit {
  form: FormState;
  update(patch: Partial<FormState>): void;
  errors: Errors;
  locked: SettingsView['policy']['locked'];
  fieldProps(name: string): {
    'data-field': string;
    'aria-invalid': 'true' | undefined;
    'aria-describedby': string | undefined;
  };
  fieldError(name: string): JSX.Element | null;
}

export function fieldKit(
  form: FormState,
  update: FieldKit['update'],
  errors: Errors,
  locked: FieldKit['locked'],
): FieldKit {
  return {
    form,
    update,
    errors,
    locked,
    fieldProps: (name) => ({
      'data-field': name,
      'aria-invalid': errors[name] ? 'true' : undefined,
      'aria-describedby': errors[name] ? `${name}-error` : undefined,
    }),
    fieldError: (name) =>
      errors[name] ? (
        <p class="field-error" id={`${name}-error`}>
          {errors[name]}
        </p>
      ) : null,
  };
}

/** "Set by your organisation" under a locked field; its id goes into the field's description. */
export function LockNote({ id }: { id: string }) {
  return (
    <p class="hint lock-note" id={id}>
      {t('setByOrganisation')}
    </p>
  );
}

export const describedBy = (...ids: Array<string | false | undefined>) =>
  ids.filter(Boolean).join(' ') || undefined;
