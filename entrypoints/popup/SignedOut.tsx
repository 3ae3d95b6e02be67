import type { StatusSnapshot } from '../../lib/messaging/protocol';
import { t } from '../../lib/ui/i18n';
import type { Busy } from './types';

export function SignedOut({
  snapshot,
  busy,
  bannerOffersSignIn,
  onSignIn,
  onOpenSettings,
}: {
  snapshot: StatusSnapshot;
  busy: Busy;
  bannerOffersSignIn: boolean;
  onSignIn(): void;
  onOpenSettings(): void;
}) {
  const signingIn = snapshot.auth === 'signingIn' || busy === 'signIn';
  return (
    <section class="signed-out" aria-labelledby="signed-out-title">
      <h2 id="signed-out-title" class="sr-only">
        {t('signedOut')}
      </h2>
      <p>{t('popupIntro')}</p>
      {!snapshot.configured && (
        <p class="muted" id="not-configured">
          {t('notConfigured')}{' '}
          <button type="button" class="button link" onClick={onOpenSettings}>
            {t('notConfiguredLink')}
          </button>
        </p>
      )}
      {signingIn ? (
        <p class="working" role="status">
          <span class="spinner" aria-hidden="true" /> {t('signingIn')}
        </p>
      ) : (
        !bannerOffersSignIn && (
          <button
            type="button"
            class="button primary wide"
            disabled={!snapshot.configured || busy !== null}
            aria-describedby={snapshot.configured ? undefined : 'not-configured'}
            onClick={onSignIn}
          >
            {t('signIn')}
          </button>
        )
      )}
    </section>
  );
}
