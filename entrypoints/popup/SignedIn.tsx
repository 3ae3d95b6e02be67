import { useRef, useState } from 'preact/hooks';
import type { RecentNumbers } from '../../lib/app/recent-numbers';
import type { CallCommand } from '../../lib/messaging/calls';
import type { LineProperties, StatusSnapshot, UserSummary } from '../../lib/messaging/protocol';
import { formatConfirmed, formatTime } from '../../lib/ui/format';
import { t } from '../../lib/ui/i18n';
import {
  LINE_PROPERTY_NAMES,
  LINE_SUMMARY_NAMES,
  type LinePropertyName,
  linePropertyLabel,
  linePropertyValue,
} from '../../lib/ui/line-properties';
import { isWorking, toggleDecision, wantsRegistered } from '../../lib/ui/status';
import { CallPanel } from './CallPanel';
import { Dialer } from './Dialer';
import { lockWhile } from './lock-while';
import { Shortcuts } from './Shortcuts';
import type { Busy, Shortcut } from './types';

export function SignedIn({
  snapshot,
  now,
  user,
  busy,
  onRegister,
  onDeregister,
  onSignOut,
  onCallCommand,
  onOpenMicrophone,
  recentNumbers,
  shortcuts,
}: {
  snapshot: StatusSnapshot;
  now: number;
  user: UserSummary | null;
  busy: Busy;
  onRegister(): void;
  onDeregister(): void;
  onSignOut(): void;
  onCallCommand(command: CallCommand): Promise<unknown>;
  onOpenMicrophone(): void;
  recentNumbers?: RecentNumbers;
  shortcuts?(): Promise<Shortcut[]>;
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
  const waitingToRetry = snapshot.nextAttemptAt !== null && snapshot.state !== 'active';
  const held = snapshot.retryHoldUntil !== null && snapshot.retryHoldUntil > now;
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

      {snapshot.calling && (
        <CallPanel
          calling={snapshot.calling}
          display={snapshot.display}
          now={now}
          sendCommand={onCallCommand}
          onOpenMicrophone={onOpenMicrophone}
        />
      )}
      {snapshot.calling && (
        <Dialer
          calling={snapshot.calling}
          display={snapshot.display}
          sendCommand={onCallCommand}
          recentNumbers={recentNumbers}
        />
      )}

      <section class="card" aria-labelledby="line-title">
        <div class="card-head">
          <h2 id="line-title">{t('yourLine')}</h2>
          {working && <span class="spinner" aria-hidden="true" data-testid="line-spinner" />}
        </div>
        <PropertyList line={snapshot.line} names={LINE_SUMMARY_NAMES} />
        <LineNotes snapshot={snapshot} now={now} />
        <div class="card-actions">
          {/* One button whose job changes, so keyboard focus stays on it through the change. */}
          {waitingToRetry ? (
            // A retry is scheduled: the user may try now (unless a server's Retry-After still
            // runs, which the note says) or stop wanting the line.
            <>
              <button
                type="button"
                class="button primary"
                {...lockWhile(busy !== null || held, onRegister)}
              >
                {t('tryNow')}
              </button>
              <button type="button" class="button" {...lockWhile(busy !== null, onDeregister)}>
                {t('stopTrying')}
              </button>
            </>
          ) : (
            <button
              type="button"
              class={toggle.primary ? 'button primary' : 'button'}
              {...lockWhile(toggle.locked, press(toggle.action))}
            >
              {toggle.label}
            </button>
          )}
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
      {shortcuts && <Shortcuts read={shortcuts} />}
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
    if (snapshot.retryHoldUntil !== null && snapshot.retryHoldUntil > now) {
      notes.push(t('serverAskedToWait', formatTime(snapshot.retryHoldUntil)));
    }
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
