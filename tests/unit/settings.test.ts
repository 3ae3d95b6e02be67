import { describe, expect, it } from 'vitest';
import { defaultSettings } from '../../lib/build-defaults';
import { normalizeBaseUrl, normalizeOrigin, validateSettings } from '../../lib/settings';

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
        sites: [],
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
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(Object.keys(result.errors).sort()).toEqual([
        'baseUrl',
        'clientId',
        'clientSecret',
        'keepRegistered',
      ]);
  });

  it('keeps the stored secret when the input leaves it out', () => {
    const withSecret = { ...stored, clientSecret: 'kept' };
    const result = validateSettings({ ...valid, clientSecret: undefined }, withSecret);
    expect(result.ok && result.value.clientSecret).toBe('kept');
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
