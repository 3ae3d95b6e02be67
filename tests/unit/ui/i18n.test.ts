import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { displayLocale, formatTime } from '../../../lib/ui/format';
import { messagesLanguage, t } from '../../../lib/ui/i18n';
import {
  getMessage,
  installI18n,
  installLocale,
  LOCALES,
  LOCALES_DIR,
  localeMessages,
  type MessageEntry,
  messageGetter,
} from './helpers';

const ROOT = resolve(import.meta.dirname, '../../..');
const en = localeMessages('en');
const enKeys = Object.keys(en).sort();

/** `$NAME$` references in a message, lower-cased as Chrome matches them to `placeholders`. */
const placeholdersUsed = (entry: MessageEntry) =>
  [...new Set([...entry.message.matchAll(/\$([A-Za-z0-9_]+)\$/g)].map((m) => m[1]?.toLowerCase()))]
    .filter((name): name is string => name !== undefined)
    .sort();

describe('t', () => {
  it('reads messages.json through browser.i18n and fills placeholders', () => {
    installI18n();
    expect(t('a11yLineStatus', 'Registered')).toBe('Line status: Registered');
    expect(t('badgeTitle', 'Webex Line', 'Connecting')).toBe('Webex Line: Connecting');
    expect(t('unitSeconds', 30)).toBe('30 s');
  });

  it('reads the locale Chrome chose: German, Japanese', () => {
    installLocale('de');
    expect(t('register')).toBe('Registrieren');
    expect(t('nextAttempt', '16:05:00')).toBe('Nächster Versuch um 16:05:00.');
    expect(messagesLanguage()).toBe('de');
    installLocale('ja');
    expect(t('unitMinutes', 2)).toBe('2 分');
    expect(messagesLanguage()).toBe('ja');
  });

  it('falls back to the key when the i18n API is missing or has no message', () => {
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockImplementation(() => {
      throw new Error('not implemented');
    });
    expect(t('signIn')).toBe('signIn');
    expect(messagesLanguage()).toBe('en');
    vi.spyOn(fakeBrowser.i18n, 'getMessage').mockReturnValue('');
    expect(t('signIn')).toBe('signIn');
  });
});

describe('_locales', () => {
  it('ships exactly en, de, fr, es and ja', () => {
    expect(readdirSync(LOCALES_DIR).sort()).toEqual([...LOCALES].sort());
  });

  it('keeps the manifest keys, and every English placeholder maps to a substitution', () => {
    for (const key of ['extName', 'extDescription', 'commandToggle'])
      expect(en[key]?.message).toBeTruthy();
    for (const [key, entry] of Object.entries(en)) {
      expect(key).toMatch(/^[A-Za-z0-9_]+$/);
      expect(Object.keys(entry.placeholders ?? {}).sort(), key).toEqual(placeholdersUsed(entry));
      expect(getMessage(key, ['X', 'Y'])).not.toMatch(/\$[A-Za-z]/);
    }
  });

  describe.each(LOCALES.filter((locale) => locale !== 'en'))('%s', (locale) => {
    const messages = localeMessages(locale);
    const fill = messageGetter(locale);

    it('has exactly the keys of en', () => {
      expect(Object.keys(messages).sort()).toEqual(enKeys);
    });

    it('has the same placeholders as en, each used in its message and filled', () => {
      for (const key of enKeys) {
        const entry = messages[key] as MessageEntry;
        const english = en[key] as MessageEntry;
        expect(entry.placeholders ?? {}, `${locale} ${key}`).toEqual(english.placeholders ?? {});
        expect(placeholdersUsed(entry), `${locale} ${key}`).toEqual(placeholdersUsed(english));
        const filled = fill(key, ['〈1〉', '〈2〉']);
        expect(filled, `${locale} ${key}`).not.toMatch(/\$[A-Za-z0-9_]/);
        for (const [index] of placeholdersUsed(english).entries())
          expect(filled, `${locale} ${key}`).toContain(`〈${index + 1}〉`);
      }
    });

    it('says which language it is, and translates rather than copies', () => {
      expect(messages.languageTag?.message).toBe(locale);
      for (const key of enKeys) expect(messages[key]?.message.trim(), key).not.toBe('');
      // Names and codes stay as they are; real sentences must not be left in English.
      const sentences = enKeys.filter((key) => (en[key]?.message.split(' ').length ?? 0) >= 4);
      const copied = sentences.filter((key) => messages[key]?.message === en[key]?.message);
      expect(copied).toEqual([]);
    });
  });
});

/** Source files of the product (not tests): where user-visible text is produced. */
function productFiles(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return productFiles(path, ext);
    return ext.test(name) ? [path] : [];
  });
}

const SOURCES = [
  ...productFiles(join(ROOT, 'lib'), /\.tsx?$/),
  ...productFiles(join(ROOT, 'entrypoints'), /\.tsx?$/),
  join(ROOT, 'wxt.config.ts'),
].map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

const LABEL_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'alt']);

/** Text a person would read that is written into a component instead of coming from t(). */
function literalTexts(path: string, text: string): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && /[A-Za-z]{2,}/.test(node.text)) found.push(node.text.trim());
    if (
      ts.isJsxAttribute(node) &&
      LABEL_ATTRIBUTES.has(node.name.getText(source)) &&
      node.initializer &&
      ts.isStringLiteral(node.initializer) &&
      /[A-Za-z]/.test(node.initializer.text) &&
      !/^https?:\/\//.test(node.initializer.text)
    )
      found.push(node.initializer.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('code uses only keys that exist (a static scan)', () => {
  it('every t(...) key and every __MSG_..__ in the manifest is in en', () => {
    const used = SOURCES.flatMap(({ path, text }) => [
      ...[...text.matchAll(/\bt\(\s*'([^']+)'/g)].map((m) => ({ path, key: m[1] as string })),
      ...[...text.matchAll(/__MSG_([A-Za-z0-9_]+)__/g)].map((m) => ({ path, key: m[1] as string })),
    ]);
    expect(used.length).toBeGreaterThan(100);
    expect(used.filter(({ key }) => !(key in en))).toEqual([]);
  });

  it('every key in en is used somewhere (no text translated for nothing)', () => {
    const allText = SOURCES.map(({ text }) => text).join('\n');
    const unused = enKeys.filter(
      (key) => !allText.includes(`'${key}'`) && !allText.includes(`__MSG_${key}__`),
    );
    expect(unused).toEqual([]);
  });

  it('components hold no literal user-visible text: JSX text and labels come from t()', () => {
    const literals = SOURCES.filter(({ path }) => path.endsWith('.tsx')).flatMap(({ path, text }) =>
      literalTexts(path, text).map((literal) => `${path}: ${literal}`),
    );
    expect(literals).toEqual([]);
  });

  it('(the scan itself finds literal text and labels, and leaves URLs and t() alone)', () => {
    const sample = `const A = () => (
      <p title="Line state">
        Hello there {t('signIn')} <input placeholder="https://crm.example.com" aria-label="Site" />
      </p>
    );`;
    expect(literalTexts('sample.tsx', sample)).toEqual(['Line state', 'Hello there', 'Site']);
  });
});

describe('dates and times follow the language of the messages', () => {
  it('the browser locale when it is in that language, else the language itself', () => {
    expect(displayLocale('en', ['en-GB', 'de'])).toBe('en-GB');
    expect(displayLocale('de', ['de-CH', 'en'])).toBe('de-CH');
    expect(displayLocale('de', ['en-US', 'en'])).toBe('de');
    expect(displayLocale('ja', [])).toBe('ja');
  });

  it('a German or Japanese popup shows a 24-hour time, an English one says PM', () => {
    const afternoon = new Date(2026, 10, 27, 16, 5, 9).getTime();
    installLocale('de');
    expect(formatTime(afternoon)).toBe('16:05:09');
    installLocale('ja');
    expect(formatTime(afternoon)).toBe('16:05:09');
    installI18n();
    expect(formatTime(afternoon)).toMatch(/04:05:09\sPM/);
  });
});
