/**
 * Every user-visible string goes through `t`, backed by `_locales/<lang>/messages.json`.
 * The English file is the list of keys (a type-only import: nothing is bundled).
 * `chrome.i18n.getMessage` is read directly: it is synchronous, the polyfill only passes it
 * through, and the content script shares this module without shipping the polyfill.
 */

import type englishMessages from '../../public/_locales/en/messages.json';

export type MessageKey = keyof typeof englishMessages;

type GetMessage = (key: string, substitutions?: string[]) => string;

/** The one member of the `chrome` global this module uses. */
type ChromeI18n = { i18n?: { getMessage?: GetMessage } };

/**
 * The localized message, with `$1`...`$9` placeholders filled from `substitutions`. Falls back
 * to the key itself when the i18n API is missing or has no such message, so a gap shows up as a
 * readable key rather than an empty label.
 */
export function t(key: MessageKey, ...substitutions: Array<string | number>): string {
  try {
    const i18n = (globalThis as { chrome?: ChromeI18n }).chrome?.i18n;
    const text = i18n?.getMessage?.(key, substitutions.map(String));
    if (text) return text;
  } catch {
    // No i18n API in this context (e.g. a unit test without a fake): use the key.
  }
  return key;
}

/**
 * The language the messages are in (`languageTag` of the `_locales` file Chrome chose), for the
 * pages' `lang` attribute: it picks fonts and line breaking (Japanese), and hyphenation.
 */
export function messagesLanguage(): string {
  const tag = t('languageTag');
  return tag === 'languageTag' ? 'en' : tag;
}
