/** What the toolbar badge shows for a snapshot. Pure: the background applies it. */

import type { RingReadiness } from '../messaging/calls';
import type { StatusSnapshot } from '../messaging/protocol';
import { callerTitle } from './calls';
import { lineErrorText } from './error-text';
import { formatTime } from './format';
import { type MessageKey, t } from './i18n';
import { statusLabel } from './status';

export interface Badge {
  /** Badge text; empty hides the badge. */
  text: string;
  /** Background colour (`#rrggbb`). */
  color: string;
  /** Toolbar button tooltip. */
  title: string;
}

export const BADGE_COLORS = {
  registered: '#15803d',
  ringing: '#1d4ed8',
  working: '#b45309',
  error: '#b91c1c',
  none: '#4b5563',
} as const;

/** Why a registered line cannot ring, by the calls document's readiness (none: it can). */
const CANNOT_RING: Record<RingReadiness, MessageKey | null> = {
  ready: null,
  connecting: 'ringConnecting',
  off: 'ringConnecting',
  unsupported: 'ringUnsupported',
};

export function badgeFor(snapshot: StatusSnapshot | null): Badge {
  const name = t('extName');
  if (!snapshot) return { text: '', color: BADGE_COLORS.none, title: name };

  // An error shows even when signed out: a token error signs the user out and needs them.
  if (snapshot.display === 'error' || snapshot.error) {
    const title = snapshot.error
      ? t('badgeTitleError', name, lineErrorText(snapshot.error))
      : t('badgeTitle', name, statusLabel('error'));
    return { text: '!', color: BADGE_COLORS.error, title };
  }
  if (snapshot.auth === 'signingIn') {
    return { text: '…', color: BADGE_COLORS.working, title: t('badgeTitle', name, t('signingIn')) };
  }
  if (snapshot.auth === 'signedOut') {
    return { text: '', color: BADGE_COLORS.none, title: t('badgeTitle', name, t('signedOut')) };
  }
  const calls = snapshot.calling?.calls ?? [];
  const ringing = calls.find((call) => call.state === 'ringing');
  if (ringing) {
    const status = `${t('callIncoming')}: ${callerTitle(ringing)}`;
    return { text: '☎', color: BADGE_COLORS.ringing, title: t('badgeTitle', name, status) };
  }
  if (calls.length > 0) {
    return {
      text: '☎',
      color: BADGE_COLORS.registered,
      title: t('badgeTitle', name, t('callOnCall')),
    };
  }
  switch (snapshot.display) {
    case 'registered': {
      // Registered but unable to ring (Mercury reconnecting, the calls document starting, a
      // browser without calls) is never a green ON: the line would say "on" while calls go
      // elsewhere.
      const cannotRing = CANNOT_RING[snapshot.calling?.ring ?? 'ready'];
      if (cannotRing) {
        return {
          text: 'ON',
          color: BADGE_COLORS.working,
          title: t('badgeTitle', name, t(cannotRing)),
        };
      }
      const title = t('badgeTitle', name, statusLabel('registered'));
      const confirmed = snapshot.confirmedAt;
      return {
        text: 'ON',
        color: BADGE_COLORS.registered,
        // When Webex last confirmed it: the tooltip never claims more than the server said.
        title: confirmed ? `${title} — ${t('confirmedAt', formatTime(confirmed))}` : title,
      };
    }
    case 'connecting':
    case 'reconnecting':
      return {
        text: '…',
        color: BADGE_COLORS.working,
        title: t('badgeTitle', name, statusLabel(snapshot.display)),
      };
    default:
      return {
        text: '',
        color: BADGE_COLORS.none,
        title: t('badgeTitle', name, statusLabel('inactive')),
      };
  }
}
