import type { Deviation, LogEntry } from './types';

/** Query parameters that carry secrets; the log shows them as '***'. */
const SECRET_PARAMS = new Set([
  'code',
  'code_verifier',
  'code_challenge',
  'client_secret',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
]);

/** Long demos must not grow without bound. */
const MAX_ENTRIES = 5000;

export function redactedPath(url: URL): string {
  if (!url.search) return url.pathname;
  const params = new URLSearchParams(url.search);
  for (const key of [...params.keys()]) if (SECRET_PARAMS.has(key)) params.set(key, '***');
  return `${url.pathname}?${params.toString()}`;
}

export class RequestLog {
  private entries: LogEntry[] = [];
  private deviationList: Deviation[] = [];

  record(entry: Omit<LogEntry, 'deviation'>, reasons: readonly string[]): LogEntry {
    const full: LogEntry = reasons.length ? { ...entry, deviation: reasons.join('; ') } : entry;
    this.entries.push(full);
    for (const reason of reasons) {
      this.deviationList.push({
        at: entry.at,
        method: entry.method,
        path: entry.path,
        server: entry.server,
        reason,
      });
    }
    if (this.entries.length > MAX_ENTRIES)
      this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    if (this.deviationList.length > MAX_ENTRIES) {
      this.deviationList.splice(0, this.deviationList.length - MAX_ENTRIES);
    }
    return full;
  }

  /** A deviation that is not one HTTP request's (a Mercury frame, a call's media). */
  deviate(deviation: Deviation): void {
    this.deviationList.push({ ...deviation });
    if (this.deviationList.length > MAX_ENTRIES) this.deviationList.shift();
  }

  all(): LogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  deviations(): Deviation[] {
    return this.deviationList.map((d) => ({ ...d }));
  }

  clear(): void {
    this.entries = [];
    this.deviationList = [];
  }
}
