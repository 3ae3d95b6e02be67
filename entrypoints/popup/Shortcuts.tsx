import { useEffect, useState } from 'preact/hooks';
import { t } from '../../lib/ui/i18n';
import type { Shortcut } from './types';

/**
 * The extension's keyboard shortcuts as the browser has them now (the user may have changed
 * them in the browser's shortcuts page), collapsed under one heading.
 */
export function Shortcuts({ read }: { read(): Promise<Shortcut[]> }) {
  const [shortcuts, setShortcuts] = useState<Shortcut[]>([]);
  useEffect(() => {
    read().then(
      (all) => setShortcuts(all.filter((item) => item.description)),
      () => setShortcuts([]),
    );
  }, [read]);
  if (shortcuts.length === 0) return null;
  return (
    <details class="shortcuts" data-testid="shortcuts">
      <summary>{t('shortcutsTitle')}</summary>
      <dl class="props">
        {shortcuts.map((item) => (
          <div class="prop" key={item.name}>
            <dt>{item.description}</dt>
            <dd>{item.shortcut ? <kbd>{item.shortcut}</kbd> : t('shortcutNotSet')}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
