import { useState } from 'preact/hooks';
import type { MessagingClient } from '../../lib/messaging/client';
import type { RequestType, StatusSnapshot } from '../../lib/messaging/protocol';
import { requestErrorText } from '../../lib/ui/error-text';
import { t } from '../../lib/ui/i18n';
import {
  displayAt,
  type ErrorAction,
  errorAction,
  isSignInCancelled,
  statusLabel,
} from '../../lib/ui/status';
import { useNow } from '../../lib/ui/use-now';
import { useStatus } from '../../lib/ui/use-status';
import { ErrorBanner, NoticeBanner } from './banners';
import { CurrentSiteLink } from './CurrentSiteLink';
import { SignedIn } from './SignedIn';
import { SignedOut } from './SignedOut';
import type { Busy, Notice, PopupEnv } from './types';

export type { PopupEnv } from './types';

export function Popup({ client, env }: { client: MessagingClient; env: PopupEnv }) {
  const live = useStatus(client);
  // Registered only while confirmed in time: the pill follows the clock, not only broadcasts.
  const now = useNow();
  const { apply } = live;
  const snapshot = live.snapshot && { ...live.snapshot, display: displayAt(live.snapshot, now) };
  const [busy, setBusy] = useState<Busy>(null);
  const [notice, setNotice] = useState<Notice>(null);

  const run = (
    action: Exclude<Busy, null>,
    type: Extract<RequestType, `auth/${string}` | `line/${string}`>,
  ) => {
    setBusy(action);
    setNotice(null);
    client
      .request(type, {})
      .then(apply, (error: unknown) => {
        if (action === 'signIn' && isSignInCancelled(error)) {
          setNotice({ tone: 'calm', text: t('signInCancelled') });
        } else {
          setNotice({ tone: 'error', text: requestErrorText(error) });
        }
      })
      .finally(() => setBusy(null));
  };

  const actions: Record<ErrorAction, () => void> = {
    signIn: () => run('signIn', 'auth/signIn'),
    retry: () => run('register', 'line/register'),
    openSettings: () => env.openOptions(),
    // Registering from here is the user's own choice: the SDK's restore may replace a device.
    restoreDeviceLimit: () => run('register', 'line/register'),
    useHere: () => run('register', 'line/register'),
  };

  return (
    <main class="popup">
      <header class="popup-header">
        <h1>{t('extName')}</h1>
        {snapshot && <StatusPill snapshot={snapshot} />}
      </header>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">
        {snapshot ? announcement(snapshot) : ''}
      </div>

      {snapshot?.error && (
        <ErrorBanner
          error={snapshot.error}
          busy={busy !== null}
          actions={actions}
          onShowDevices={() => env.openOptions('show=devices')}
        />
      )}
      {notice && <NoticeBanner notice={notice} onDismiss={() => setNotice(null)} />}

      {!snapshot ? (
        <p class="loading" aria-busy="true">
          <span class="spinner" aria-hidden="true" /> {t('loading')}
        </p>
      ) : snapshot.auth === 'signedIn' ? (
        // Signed in even when the profile could not be read yet: offering "Sign in" here would
        // send the user through the sign-in window for nothing.
        <SignedIn
          snapshot={snapshot}
          now={now}
          user={snapshot.user}
          busy={busy}
          onRegister={actions.retry}
          onDeregister={() => run('deregister', 'line/deregister')}
          onSignOut={() => run('signOut', 'auth/signOut')}
          onCallCommand={(command) => client.request('calls/command', { command })}
          onOpenMicrophone={() => env.openMicrophone()}
          recentNumbers={env.recentNumbers}
          shortcuts={env.shortcuts}
        />
      ) : (
        <SignedOut
          snapshot={snapshot}
          busy={busy}
          bannerOffersSignIn={snapshot.error ? errorAction(snapshot.error) === 'signIn' : false}
          onSignIn={actions.signIn}
          onOpenSettings={actions.openSettings}
        />
      )}

      <footer class="popup-footer">
        <CurrentSiteLink client={client} env={env} />
        <button type="button" class="button link" onClick={() => env.openOptions()}>
          {t('openSettings')}
        </button>
      </footer>
    </main>
  );
}
function announcement(snapshot: StatusSnapshot): string {
  if (snapshot.auth === 'signingIn') return t('signingIn');
  if (snapshot.auth === 'signedOut') return t('signedOut');
  return t('a11yLineStatus', statusLabel(snapshot.display));
}

function StatusPill({ snapshot }: { snapshot: StatusSnapshot }) {
  if (snapshot.auth !== 'signedIn') return null;
  return (
    <span class={`pill ${snapshot.display}`} data-testid="status-pill">
      {statusLabel(snapshot.display)}
    </span>
  );
}
