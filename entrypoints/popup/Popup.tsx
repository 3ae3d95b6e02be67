import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessagingClient } from '../../lib/messaging/client';
import type {
  LineErrorPayload,
  LineProperties,
  RequestType,
  StatusSnapshot,
  UserSummary,
} from '../../lib/messaging/protocol';
import { lineErrorText, requestErrorText } from '../../lib/ui/error-text';
import { formatConfirmed, formatTime } from '../../lib/ui/format';
import { t } from '../../lib/ui/i18n';
import {
  LINE_PROPERTY_NAMES,
  LINE_SUMMARY_NAMES,
  type LinePropertyName,
  linePropertyLabel,
  linePropertyValue,
} from '../../lib/ui/line-properties';
import {
  displayAt,
  type ErrorAction,
  errorAction,
  errorActionLabel,
  isSignInCancelled,
  isWorking,
  statusLabel,
  toggleDecision,
  wantsRegistered,
} from '../../lib/ui/status';
import { useNow } from '../../lib/ui/use-now';
import { useStatus } from '../../lib/ui/use-status';

/** Browser calls the popup makes besides messaging; injectable for tests. */
export interface PopupEnv {
  /** Open the options page, optionally with a query such as `addSite=https://crm.example`. */
  openOptions(query?: string): void;
  /** Origin of the active tab when the extension may see it (activeTab), else null. */
  activeTabOrigin(): Promise<string | null>;
}

type Busy = 'signIn' | 'signOut' | 'register' | 'deregister' | null;
type Notice = { tone: 'error' | 'calm'; text: string } | null;

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

/**
 * A button that is unavailable while a request runs, but keeps keyboard focus: a `disabled`
 * button loses focus (the browser moves it to the page body), so a keyboard user would have to
 * find their place again after every Register or Deregister.
 */
function lockWhile(locked: boolean, action: () => void) {
  return {
    'aria-disabled': locked ? ('true' as const) : undefined,
    onClick: () => {
      if (!locked) action();
    },
  };
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

function ErrorBanner({
  error,
  busy,
  actions,
  onShowDevices,
}: {
  error: LineErrorPayload;
  busy: boolean;
  actions: Record<ErrorAction, () => void>;
  onShowDevices(): void;
}) {
  const action = errorAction(error);
  // The device limit in plain words, with the way to the list of devices.
  const deviceLimit = error.detail?.errorCode === 101;
  return (
    <div class="banner" role="alert">
      <p>{lineErrorText(error)}</p>
      {deviceLimit && <p>{t('deviceLimitExplained')}</p>}
      {action === 'useHere' && <p>{t('supersededExplained')}</p>}
      <div class="banner-actions">
        <button type="button" class="button primary" {...lockWhile(busy, actions[action])}>
          {errorActionLabel(action)}
        </button>
        {deviceLimit && (
          <button type="button" class="button link" onClick={onShowDevices}>
            {t('seeYourDevices')}
          </button>
        )}
      </div>
    </div>
  );
}

function NoticeBanner({ notice, onDismiss }: { notice: NonNullable<Notice>; onDismiss(): void }) {
  // A cancelled sign-in is the user's choice: announced politely, no alarm colours.
  return (
    <div
      class={notice.tone === 'calm' ? 'banner calm' : 'banner'}
      role={notice.tone === 'calm' ? 'status' : 'alert'}
    >
      <p>{notice.text}</p>
      <div class="banner-actions">
        <button type="button" class="button" onClick={onDismiss}>
          {t('dismiss')}
        </button>
      </div>
    </div>
  );
}

function SignedOut({
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

function SignedIn({
  snapshot,
  now,
  user,
  busy,
  onRegister,
  onDeregister,
  onSignOut,
}: {
  snapshot: StatusSnapshot;
  now: number;
  user: UserSummary | null;
  busy: Busy;
  onRegister(): void;
  onDeregister(): void;
  onSignOut(): void;
}) {
  const [showDetails, setShowDetails] = useState(false);
  const lastPress = useRef<number | null>(null);
  const working = isWorking(snapshot) || busy === 'register' || busy === 'deregister';
  // A click never undoes itself: no Deregister under the cursor while connecting, and a second
  // press within a moment of a change (a double-click) is ignored.
  const press = (action: () => void) => () => {
    const at = Date.now();
    const decision = toggleDecision(snapshot, at, lastPress.current);
    lastPress.current = at;
    if (decision !== 'wait') action();
  };
  const toggleWaits = toggleDecision(snapshot, now, lastPress.current) === 'wait';
  const locked = busy !== null || toggleWaits;
  const toggle =
    snapshot.state === 'connecting'
      ? { label: t('statusConnecting'), primary: false, locked: true, action: () => {} }
      : wantsRegistered(snapshot)
        ? { label: t('deregister'), primary: false, locked, action: onDeregister }
        : { label: t('register'), primary: true, locked, action: onRegister };
  return (
    <>
      <section class="user" aria-label={t('account')}>
        <div class="user-text">
          {user ? (
            <>
              <p class="user-name">{user.displayName}</p>
              <p class="user-email muted">{user.email}</p>
            </>
          ) : (
            <p class="user-name">{t('signedInNoProfile')}</p>
          )}
        </div>
        <button type="button" class="button" {...lockWhile(busy !== null, onSignOut)}>
          {t('signOut')}
        </button>
      </section>

      <section class="card" aria-labelledby="line-title">
        <div class="card-head">
          <h2 id="line-title">{t('yourLine')}</h2>
          {working && <span class="spinner" aria-hidden="true" data-testid="line-spinner" />}
        </div>
        <PropertyList line={snapshot.line} names={LINE_SUMMARY_NAMES} />
        <LineNotes snapshot={snapshot} now={now} />
        <div class="card-actions">
          {/* One button whose job changes, so keyboard focus stays on it through the change. */}
          <button
            type="button"
            class={toggle.primary ? 'button primary' : 'button'}
            {...lockWhile(toggle.locked, press(toggle.action))}
          >
            {toggle.label}
          </button>
          <button
            type="button"
            class="button link"
            aria-expanded={showDetails}
            aria-controls="line-details"
            onClick={() => setShowDetails(!showDetails)}
          >
            {showDetails ? t('hideDetails') : t('showDetails')}
          </button>
        </div>
        <div id="line-details" hidden={!showDetails}>
          {showDetails && <PropertyList line={snapshot.line} names={LINE_PROPERTY_NAMES} />}
        </div>
      </section>
    </>
  );
}

function PropertyList({
  line,
  names,
}: {
  line: LineProperties | null;
  names: readonly LinePropertyName[];
}) {
  return (
    <dl class="props">
      {names.map((name) => {
        const value = linePropertyValue(line, name);
        return (
          <div class="prop" key={name} data-prop={name}>
            <dt>{linePropertyLabel(name)}</dt>
            <dd>
              {value ?? (
                <>
                  <span aria-hidden="true">—</span>
                  <span class="sr-only">{t('valueNone')}</span>
                </>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

function LineNotes({ snapshot, now }: { snapshot: StatusSnapshot; now: number }) {
  const notes: string[] = [];
  if (snapshot.confirmedAt !== null && snapshot.line?.status === 'active') {
    notes.push(formatConfirmed(snapshot.confirmedAt, now));
  }
  if (snapshot.server?.role === 'backup') notes.push(t('usingBackup'));
  if (snapshot.nextAttemptAt !== null && snapshot.state !== 'active') {
    notes.push(t('nextAttempt', formatTime(snapshot.nextAttemptAt)));
  }
  if (!snapshot.line && snapshot.state === 'idle') notes.push(t('notRegisteredYet'));
  if (notes.length === 0) return null;
  return (
    <ul class="notes muted">
      {notes.map((note) => (
        <li key={note}>{note}</li>
      ))}
    </ul>
  );
}

/** "Use on this site": only when the extension can see the active tab and it is not opted in. */
function CurrentSiteLink({ client, env }: { client: MessagingClient; env: PopupEnv }) {
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
