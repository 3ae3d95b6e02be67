import { useEffect, useState } from 'preact/hooks';
import type { MessagingClient } from '../../lib/messaging/client';
import type { DiagnosticEntry } from '../../lib/messaging/protocol';
import { requestErrorText } from '../../lib/ui/error-text';
import { formatDateTime } from '../../lib/ui/format';
import { t } from '../../lib/ui/i18n';
import type { OptionsEnv } from './env';

/**
 * The line's timeline, for support: state changes, each request's status and tracking id,
 * worker starts, alarms that fired late (and how late), network and idle changes.
 */
const TIMELINE_KINDS = new Set(['state', 'request', 'worker', 'timer', 'network', 'idle', 'event']);

/** The export file: what support needs, and nothing the background did not already log. */
export function diagnosticsExport(
  entries: DiagnosticEntry[],
  version: string,
  now: Date,
): { filename: string; text: string } {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const timeline = entries
    .filter((entry) => TIMELINE_KINDS.has(entry.kind))
    .map((entry) => ({ ...entry, time: new Date(entry.at).toISOString() }));
  return {
    filename: `webex-line-diagnostics-${stamp}.json`,
    text: JSON.stringify({ exportedAt: now.toISOString(), version, timeline, entries }, null, 2),
  };
}

/** Engine events with timestamps (the background keeps the last few hundred, no tokens). */
export function DiagnosticsSection({ client, env }: { client: MessagingClient; env: OptionsEnv }) {
  const [entries, setEntries] = useState<DiagnosticEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = (type: 'diagnostics/get' | 'diagnostics/clear') => {
    setError(null);
    client.request(type, {}).then(
      (result) => setEntries(result.entries),
      (failure: unknown) => setError(requestErrorText(failure)),
    );
  };

  useEffect(() => load('diagnostics/get'), [client]);

  const onExport = () => {
    const file = diagnosticsExport(entries ?? [], env.extensionVersion(), new Date());
    env.download(file.filename, file.text, 'application/json');
  };

  const newestFirst = entries ? [...entries].sort((a, b) => b.at - a.at) : [];

  return (
    <section class="panel" aria-labelledby="diagnostics-title">
      <h2 id="diagnostics-title">{t('diagnosticsTitle')}</h2>
      <p class="muted">{t('diagnosticsIntro')}</p>
      <div class="inline">
        <button type="button" class="button" onClick={() => load('diagnostics/get')}>
          {t('refresh')}
        </button>
        <button
          type="button"
          class="button"
          disabled={!entries || entries.length === 0}
          onClick={onExport}
        >
          {t('exportJson')}
        </button>
        <button
          type="button"
          class="button"
          disabled={!entries || entries.length === 0}
          onClick={() => load('diagnostics/clear')}
        >
          {t('clear')}
        </button>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {entries !== null && entries.length === 0 && <p>{t('diagnosticsEmpty')}</p>}
      {newestFirst.length > 0 && (
        <section
          class="log"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: keyboard users must be able to scroll the log.
          tabIndex={0}
          aria-label={t('diagnosticsCaption', newestFirst.length)}
        >
          <table>
            <caption class="sr-only">{t('diagnosticsCaption', newestFirst.length)}</caption>
            <thead>
              <tr>
                <th scope="col">{t('diagnosticsTime')}</th>
                <th scope="col">{t('diagnosticsKind')}</th>
                <th scope="col">{t('diagnosticsMessage')}</th>
              </tr>
            </thead>
            <tbody>
              {newestFirst.map((entry, index) => (
                <tr key={`${entry.at}-${index}`}>
                  <td class="nowrap">
                    <time dateTime={new Date(entry.at).toISOString()}>
                      {formatDateTime(entry.at)}
                    </time>
                  </td>
                  <td>
                    <code>{entry.kind}</code>
                  </td>
                  <td>{entry.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
