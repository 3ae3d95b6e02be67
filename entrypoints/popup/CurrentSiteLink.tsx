import { useEffect, useState } from 'preact/hooks';
import type { MessagingClient } from '../../lib/messaging/client';
import { t } from '../../lib/ui/i18n';
import type { PopupEnv } from './types';

/** "Use on this site": only when the extension can see the active tab and it is not opted in. */
export function CurrentSiteLink({ client, env }: { client: MessagingClient; env: PopupEnv }) {
  const [origin, setOrigin] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([env.activeTabOrigin(), client.request('sites/list', {})])
      .then(([tabOrigin, { sites }]) => {
        if (live && tabOrigin && !sites.includes(tabOrigin)) setOrigin(tabOrigin);
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [client, env]);
  if (!origin) return null;
  return (
    <button
      type="button"
      class="button link"
      onClick={() => env.openOptions(`addSite=${encodeURIComponent(origin)}`)}
    >
      {t('useOnThisSite', new URL(origin).host)}
    </button>
  );
}
