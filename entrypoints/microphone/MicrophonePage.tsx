import { useEffect, useState } from 'preact/hooks';
import { t } from '../../lib/ui/i18n';
import {
  type MicPageState,
  type MicPermissionState,
  micPageView,
  stateAfterRequestError,
  stateFromPermission,
  stateOnPermissionChange,
} from '../../lib/ui/microphone';

/** The browser calls the page makes; injectable for tests (lib/platform/microphone.ts in use). */
export interface MicrophoneEnv {
  query(): Promise<MicPermissionState>;
  watch(onChange: (permission: MicPermissionState) => void): () => void;
  request(): Promise<{ ok: true } | { ok: false; name: string; message: string }>;
}

/** Why the extension wants the microphone, one button to allow it, and what came of it. */
export function MicrophonePage({ env }: { env: MicrophoneEnv }) {
  const [state, setState] = useState<MicPageState>('checking');
  const [detail, setDetail] = useState('');

  useEffect(() => {
    let live = true;
    env.query().then(
      (permission) => {
        if (live)
          setState((current) =>
            current === 'checking' ? stateFromPermission(permission) : current,
          );
      },
      () => {
        if (live) setState((current) => (current === 'checking' ? 'unknown' : current));
      },
    );
    const stop = env.watch((permission) => {
      if (live) setState((current) => stateOnPermissionChange(current, permission));
    });
    return () => {
      live = false;
      stop();
    };
  }, [env]);

  const view = micPageView(state, detail);
  const allow = async () => {
    if (view.busy) return;
    setState('asking');
    const result = await env.request();
    if (result.ok) {
      setState('done');
      return;
    }
    const permission = await env.query().catch(() => null);
    setDetail(result.message || result.name);
    setState(stateAfterRequestError(result.name, permission));
  };

  return (
    <main class="mic-page">
      <h1>{t('micPageTitle')}</h1>
      <p>{t('micPageWhy')}</p>
      {view.offerButton && (
        <button
          type="button"
          class="button primary"
          aria-disabled={view.busy ? 'true' : undefined}
          onClick={allow}
        >
          {t('micPageAllow')}
        </button>
      )}
      <p class={`mic-result ${view.tone}`} role="status" data-testid="mic-result">
        {view.text ?? ''}
      </p>
    </main>
  );
}
