import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../lib/app/settings-store';
import { defaultSettings } from '../../lib/build-defaults';
import {
  isConfigured,
  normalizeBaseUrl,
  normalizeOrigin,
  SETTINGS_ERROR_CODES,
  siteToAdd,
  validateSettings,
} from '../../lib/settings';
import { SETTINGS_ERROR_KEYS, settingsErrorText } from '../../lib/ui/settings-errors';
import { memoryStore } from './platform/memory-store';
import { installI18n, installLocale, LOCALES, localeMessages } from './ui/helpers';

const stored = defaultSettings(false);
const valid = {
  environment: { kind: 'custom', baseUrl: 'http://127.0.0.1:8790/' },
  clientId: 'C1234567890abcdef',
  clientSecret: 'secret-1',
  keepRegistered: true,
  notifications: false,
};

describe('settings validation', () => {
  it('accepts a complete custom environment and normalises the base URL', () => {
    const result = validateSettings(valid, stored);
    expect(result).toEqual({
      ok: true,
      value: {
        ...valid,
        environment: { kind: 'custom', baseUrl: 'http://127.0.0.1:8790' },
        tokenBrokerUrl: '',
        sites: [],
        calls: stored.calls,
      },
    });
  });

  it('reports every bad field at once and stores nothing', () => {
    const result = validateSettings(
      {
        environment: { kind: 'custom', baseUrl: 'ftp://x' },
        clientId: '',
        clientSecret: '',
        keepRegistered: 'yes',
        notifications: true,
      },
      stored,
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        baseUrl: 'baseUrlInvalid',
        clientId: 'clientIdMissing',
        clientSecret: 'clientSecretMissing',
        keepRegistered: 'flagInvalid',
      },
    });
  });

  it('says why with a code for every kind of refusal', () => {
    const errorsOf = (input: unknown) => {
      const result = validateSettings(input, stored);
      return result.ok ? {} : result.errors;
    };
    expect(errorsOf(null)).toEqual({ form: 'settingsNotAnObject' });
    expect(errorsOf({ ...valid, environment: { kind: 'cloud' } })).toEqual({
      environment: 'environmentMissing',
    });
    expect(
      errorsOf({ ...valid, environment: { kind: 'custom', baseUrl: 'http://10.0.0.5' } }),
    ).toEqual({ baseUrl: 'baseUrlInsecure' });
    expect(errorsOf({ ...valid, clientId: 'abc def!' })).toEqual({ clientId: 'clientIdInvalid' });
    expect(errorsOf({ ...valid, clientSecret: 'has space' })).toEqual({
      clientSecret: 'clientSecretInvalid',
    });
  });

  it('keeps the stored secret when the input leaves it out, for the same integration only', () => {
    const same = {
      ...stored,
      environment: { kind: 'custom' as const, baseUrl: 'http://127.0.0.1:8790' },
      clientId: valid.clientId,
      clientSecret: 'kept',
    };
    const result = validateSettings({ ...valid, clientSecret: undefined }, same);
    expect(result.ok && result.value.clientSecret).toBe('kept');
    // Another environment or client ID: the old secret must never go with it.
    for (const changed of [
      { ...valid, clientId: 'Cother0123456789', clientSecret: undefined },
      {
        ...valid,
        environment: { kind: 'custom', baseUrl: 'https://other.example.com' },
        clientSecret: undefined,
      },
    ]) {
      expect(validateSettings(changed, same)).toEqual({
        ok: false,
        errors: { clientSecret: 'clientSecretReenter' },
      });
    }
    const typed = validateSettings(
      { ...valid, clientId: 'Cother0123456789', clientSecret: 'new-secret' },
      same,
    );
    expect(typed.ok && typed.value.clientSecret).toBe('new-secret');
  });

  it('refuses plain http to anything but this computer: secrets and tokens travel there', () => {
    const at = (baseUrl: string) =>
      validateSettings({ ...valid, environment: { kind: 'custom', baseUrl } }, stored);
    expect(at('http://webex.example.com').ok).toBe(false);
    expect(at('http://10.0.0.5:8790').ok).toBe(false);
    expect(at('https://webex.example.com').ok).toBe(true);
    expect(at('http://localhost:8790').ok).toBe(true);
    expect(at('http://[::1]:8790').ok).toBe(true);
  });

  it('rejects non-objects', () => {
    expect(validateSettings(null, stored).ok).toBe(false);
  });
});

describe('token broker', () => {
  const broker = 'https://broker.example.com/token';

  it('needs no secret with a broker, and drops one typed anyway: none is kept', () => {
    const result = validateSettings({ ...valid, tokenBrokerUrl: broker }, stored);
    expect(result).toMatchObject({ ok: true, value: { tokenBrokerUrl: broker, clientSecret: '' } });
    const withoutSecret = validateSettings(
      { ...valid, clientSecret: undefined, tokenBrokerUrl: ` ${broker} ` },
      stored,
    );
    expect(withoutSecret).toMatchObject({ ok: true, value: { tokenBrokerUrl: broker } });
    // The stored secret is not carried over into broker mode either.
    const keptBefore = { ...stored, clientId: valid.clientId, clientSecret: 'old-secret' };
    expect(
      validateSettings({ ...valid, clientSecret: undefined, tokenBrokerUrl: broker }, keptBefore),
    ).toMatchObject({ ok: true, value: { clientSecret: '' } });
  });

  it('no broker URL (or an empty one) means the secret does the token calls', () => {
    expect(validateSettings(valid, stored)).toMatchObject({ value: { tokenBrokerUrl: '' } });
    expect(validateSettings({ ...valid, tokenBrokerUrl: '  ', clientSecret: '' }, stored)).toEqual({
      ok: false,
      errors: { clientSecret: 'clientSecretMissing' },
    });
  });

  it.each([
    ['not a url', 'brokerUrlInvalid'],
    ['https://user:pw@broker.example.com/token', 'brokerUrlInvalid'],
    ['https://broker.example.com/token#x', 'brokerUrlInvalid'],
    ['http://broker.example.com/token', 'brokerUrlInsecure'],
    ['ftp://broker.example.com/token', 'brokerUrlInsecure'],
  ])('refuses the broker URL %s (%s): refresh tokens travel there', (url, code) => {
    expect(validateSettings({ ...valid, tokenBrokerUrl: url }, stored)).toEqual({
      ok: false,
      errors: { tokenBrokerUrl: code },
    });
  });

  it('accepts a broker on this computer over plain http (npm run broker)', () => {
    expect(
      validateSettings({ ...valid, tokenBrokerUrl: 'http://127.0.0.1:8793/token' }, stored),
    ).toMatchObject({ ok: true });
    expect(validateSettings({ ...valid, tokenBrokerUrl: 42 }, stored)).toMatchObject({
      errors: { tokenBrokerUrl: 'brokerUrlInvalid' },
    });
  });

  it('configured means a client id, and a secret or a broker', () => {
    const base = { ...stored, clientId: 'C1234567890abcdef' };
    expect(isConfigured(base)).toBe(false);
    expect(isConfigured({ ...base, clientSecret: 's' })).toBe(true);
    expect(isConfigured({ ...base, tokenBrokerUrl: broker })).toBe(true);
    expect(isConfigured({ ...base, clientId: '', tokenBrokerUrl: broker })).toBe(false);
  });
});

describe('validation messages', () => {
  it('lib/settings.ts returns codes and does not depend on the UI', () => {
    const source = readFileSync(resolve(import.meta.dirname, '../../lib/settings.ts'), 'utf8');
    const imports = [...source.matchAll(/^import[^;]*from '([^']+)'/gm)].map((m) => m[1]);
    expect(imports.filter((path) => /(^|\/)ui(\/|$)/.test(path ?? ''))).toEqual([]);
  });

  it('every code has a message in every locale', () => {
    for (const locale of LOCALES) {
      const messages = localeMessages(locale);
      for (const code of SETTINGS_ERROR_CODES)
        expect(messages[SETTINGS_ERROR_KEYS[code]]?.message, `${locale} ${code}`).toBeTruthy();
    }
  });

  it('the UI shows a code in the user language and any other text as it came', () => {
    installI18n();
    expect(settingsErrorText('clientIdMissing')).toBe('Enter the integration client ID.');
    installLocale('fr');
    expect(settingsErrorText('clientIdMissing')).toBe("Saisissez l'ID client de l'intégration.");
    expect(settingsErrorText('Storage is full.')).toBe('Storage is full.');
  });

  it('a refused site from the settings store is a code too', async () => {
    const settings = createSettingsStore(memoryStore(), stored);
    expect(await settings.addSite('https://crm.example.com/path')).toEqual({
      ok: false,
      errors: { origin: 'siteInvalid' },
    });
  });
});

describe('URL normalisation', () => {
  it('normalises base URLs and refuses queries, fragments and other schemes', () => {
    expect(normalizeBaseUrl('https://example.com/webex/')).toBe('https://example.com/webex');
    expect(normalizeBaseUrl('https://example.com/?a=1')).toBeNull();
    expect(normalizeBaseUrl('javascript:alert(1)')).toBeNull();
    expect(normalizeBaseUrl('not a url')).toBeNull();
  });

  it('accepts bare origins only', () => {
    expect(normalizeOrigin('https://crm.example.com')).toBe('https://crm.example.com');
    expect(normalizeOrigin('http://127.0.0.1:8790/')).toBe('http://127.0.0.1:8790');
    expect(normalizeOrigin('https://crm.example.com/path')).toBeNull();
  });
});

describe('build defaults', () => {
  it('points development builds at the emulator and production builds at Webex without credentials', () => {
    expect(defaultSettings(true).environment.kind).toBe('custom');
    expect(defaultSettings(true).clientId).not.toBe('');
    expect(defaultSettings(false)).toMatchObject({
      environment: { kind: 'production' },
      clientId: '',
      clientSecret: '',
    });
  });
});

describe('a site to add (the options page and the background judge it alike)', () => {
  it.each([
    ['https://crm.example.com/', { ok: true, origin: 'https://crm.example.com' }],
    ['http://localhost:3000', { ok: true, origin: 'http://localhost:3000' }],
    ['http://127.0.0.1:8080', { ok: true, origin: 'http://127.0.0.1:8080' }],
    ['http://crm.example.com', { ok: false, code: 'siteInsecure' }],
    ['http://10.0.0.5', { ok: false, code: 'siteInsecure' }],
    ['https://crm.example.com/tickets', { ok: false, code: 'siteInvalid' }],
    ['ftp://crm.example.com', { ok: false, code: 'siteInvalid' }],
    ['', { ok: false, code: 'siteInvalid' }],
  ])('%s', (input, expected) => {
    expect(siteToAdd(input)).toEqual(expected);
  });
});
