import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { t } from '../../../lib/ui/i18n';
import messages from '../../../public/_locales/en/messages.json';
import { getMessage, installI18n } from './helpers';

describe('t', () => {
  it('reads messages.json through browser.i18n and fills placeholders', () => {
    installI18n();
    expect(t('a11yLineStatus', 'Registered')).toBe('Line status: Registered');
    expect(t('badgeTitle', 'Webex Line', 'Connecting')).toBe('Webex Line: Connecting');
    expect(t('unitSeconds', 30)).toBe('30 s');
  });

  it('falls back to the key when the i18n API is missing or has no message', () => {
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(() => {
      throw new Error('not implemented');
    });
    expect(t('signIn')).toBe('signIn');
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockReturnValue('');
    expect(t('signIn')).toBe('signIn');
  });

  it('keeps the manifest keys, and every placeholder maps to a substitution', () => {
    const all = messages as Record<
      string,
      { message: string; placeholders?: Record<string, { content: string }> }
    >;
    for (const key of ['extName', 'extDescription', 'commandToggle'])
      expect(all[key]?.message).toBeTruthy();
    for (const [key, entry] of Object.entries(all)) {
      expect(key).toMatch(/^[A-Za-z0-9_]+$/);
      const used = [...entry.message.matchAll(/\$([A-Za-z0-9_]+)\$/g)].map((m) =>
        m[1]?.toLowerCase(),
      );
      expect(Object.keys(entry.placeholders ?? {}).sort(), key).toEqual([...new Set(used)].sort());
      expect(getMessage(key, ['X', 'Y'])).not.toMatch(/\$[A-Za-z]/);
    }
  });
});
