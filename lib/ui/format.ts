/** Display formatting for times and durations, in the browser's locale. */

import { t } from './i18n';

/** A date and time from an ISO string or epoch milliseconds; unparseable text is shown as is. */
export function formatDateTime(value: string | number): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, {
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
  return new Date(ms).toLocaleTimeString(undefined, {
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
