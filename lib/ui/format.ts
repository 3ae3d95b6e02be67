/** Display formatting for times and durations, in the language the UI is shown in. */

import { messagesLanguage, t } from './i18n';

/**
 * The locale for dates and times: the browser's preferred one when it is in the messages'
 * language (en-GB keeps its 24-hour clock), else the messages' language itself, so a German
 * popup never shows "04:05 PM" because the browser's own locale is en-US.
 */
export function displayLocale(language: string, preferred: readonly string[]): string {
  const primary = (tag: string) => tag.toLowerCase().split('-')[0];
  return preferred.find((tag) => primary(tag) === primary(language)) ?? language;
}

function locale(): string {
  return displayLocale(messagesLanguage(), globalThis.navigator?.languages ?? []);
}

/** A date and time from an ISO string or epoch milliseconds; unparseable text is shown as is. */
export function formatDateTime(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(locale(), {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/** A time of day with seconds, for diagnostics and "next attempt" notes. */
export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(locale(), {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatSeconds(seconds: number): string {
  return t('unitSeconds', seconds);
}

export function formatMinutes(minutes: number): string {
  return t('unitMinutes', minutes);
}

/** "confirmed 12 s ago" / "confirmed 3 min ago" / "confirmed at 16:05:09". */
export function formatConfirmed(confirmedAt: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - confirmedAt) / 1000));
  if (seconds < 60) return t('confirmedSecondsAgo', seconds);
  if (seconds < 60 * 60) return t('confirmedMinutesAgo', Math.floor(seconds / 60));
  return t('confirmedAt', formatTime(confirmedAt));
}

/** A time of day without seconds, for "missed call at 1:23 PM" (13:23 in German). */
export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString(locale(), { hour: 'numeric', minute: '2-digit' });
}
