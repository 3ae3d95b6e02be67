import { beforeEach, describe, expect, it } from 'vitest';
import type { CallingView, CallView } from '../../../lib/messaging/calls';
import type {
  LineErrorPayload,
  StatusBroadcast,
  StatusSnapshot,
} from '../../../lib/messaging/protocol';
import { BADGE_COLORS, badgeFor } from '../../../lib/ui/badge';
import { notificationFor } from '../../../lib/ui/notify';
import { displayAt, TOGGLE_GUARD_MS, toggleDecision } from '../../../lib/ui/status';
import { installI18n, SEED_ERRORS, signedOut, snapshot } from './helpers';

beforeEach(installI18n);

const tokenError: LineErrorPayload = SEED_ERRORS.tokenExpired;
const deviceNotFound: LineErrorPayload = SEED_ERRORS.deviceNotFound;

const registered = snapshot();
const connecting = snapshot({ state: 'connecting', display: 'connecting' });
const reconnecting = snapshot({ state: 'reconnecting', display: 'reconnecting' });
const idle = snapshot({ state: 'idle', display: 'inactive' });
const lost = snapshot({ state: 'inactive', display: 'inactive' });
const failed = snapshot({ state: 'inactive', display: 'error', error: deviceNotFound });
const call = {
  key: 'k1',
  direction: 'inbound' as const,
  held: false,
  callerName: 'Bob Caller',
  since: 1,
  connectedAt: null,
  muted: false,
  micBlocked: false,
};
const calling = (ring: CallingView['ring'], calls: CallView[] = []): StatusSnapshot =>
  snapshot({ calling: { ring, mic: 'granted', calls, lastEnded: null, at: 1 } });
const expired = signedOut({ state: 'inactive', display: 'error', error: tokenError });

describe('badgeFor', () => {
  it.each<[string, StatusSnapshot | null, string, string, string]>([
    ['no snapshot yet', null, '', BADGE_COLORS.none, 'Webex Line'],
    ['signed out', signedOut(), '', BADGE_COLORS.none, 'Webex Line: Signed out'],
    [
      'signing in',
      signedOut({ auth: 'signingIn' }),
      '…',
      BADGE_COLORS.working,
      'Webex Line: Signing in…',
    ],
    ['idle', idle, '', BADGE_COLORS.none, 'Webex Line: Inactive'],
    ['registered', registered, 'ON', BADGE_COLORS.registered, 'Webex Line: Registered'],
    ['ready to ring', calling('ready'), 'ON', BADGE_COLORS.registered, 'Webex Line: Registered'],
    [
      'registered, but calls cannot reach it',
      calling('connecting'),
      'ON',
      BADGE_COLORS.working,
      "Webex Line: Can't receive calls: reconnecting to Webex",
    ],
    [
      'this browser cannot take calls (Firefox): on, but not a plain green ON',
      calling('unsupported'),
      'ON',
      BADGE_COLORS.working,
      "Webex Line: This browser can't take calls; the line stays registered",
    ],
    [
      'a call rings',
      calling('ready', [{ ...call, state: 'ringing' }]),
      '☎',
      BADGE_COLORS.ringing,
      'Webex Line: Incoming call: Bob Caller',
    ],
    [
      'on a call',
      calling('ready', [{ ...call, state: 'connected', connectedAt: 2 }]),
      '☎',
      BADGE_COLORS.registered,
      'Webex Line: On a call',
    ],
    ['connecting', connecting, '…', BADGE_COLORS.working, 'Webex Line: Connecting'],
    ['reconnecting', reconnecting, '…', BADGE_COLORS.working, 'Webex Line: Reconnecting'],
    ['registration error', failed, '!', BADGE_COLORS.error, 'Webex Line: Device not found.'],
    [
      'token error while signed out',
      expired,
      '!',
      BADGE_COLORS.error,
      `Webex Line: ${tokenError.msg}`,
    ],
    [
      'error display without payload',
      snapshot({ state: 'inactive', display: 'error' }),
      '!',
      BADGE_COLORS.error,
      'Webex Line: Error',
    ],
  ])('%s', (_, input, text, color, title) => {
    expect(badgeFor(input)).toEqual({ text, color, title });
  });
});

const event = (snap: StatusSnapshot, error?: LineErrorPayload): StatusBroadcast =>
  error
    ? { kind: 'line-event', event: 'error', error, snapshot: snap }
    : { kind: 'snapshot', snapshot: snap };

describe('notificationFor', () => {
  it.each<[string, StatusSnapshot | null, StatusBroadcast, object | null]>([
    ['registered stays registered', registered, event(registered), null],
    ['user deregistered (→ idle)', registered, event(idle), null],
    ['user signed out (→ signed-out idle)', registered, event(signedOut()), null],
    ['registered → reconnecting is not yet a loss', registered, event(reconnecting), null],
    [
      'a first registration that fails is not a loss',
      connecting,
      event(failed, deviceNotFound),
      null,
    ],
    [
      'registered → inactive without an error',
      registered,
      event(lost),
      {
        id: 'webex-line-lost:openPopup',
        title: 'Your Webex line is no longer registered',
        message:
          'This browser is no longer one of your Webex Calling devices. Open Webex Line to register it again.',
        action: 'openPopup',
        buttonTitle: 'Show status',
      },
    ],
    [
      'reconnecting → error',
      reconnecting,
      event(failed, deviceNotFound),
      {
        id: 'webex-line-lost:openPopup',
        title: 'Your Webex line is no longer registered',
        message: 'Device not found.',
        action: 'openPopup',
        buttonTitle: 'Show status',
      },
    ],
    [
      'lost, and the fix is in settings',
      registered,
      event(
        snapshot({
          state: 'inactive',
          display: 'error',
          error: { ...deviceNotFound, detail: { action: 'openSettings' } },
        }),
      ),
      {
        id: 'webex-line-lost:openSettings',
        title: 'Your Webex line is no longer registered',
        message: 'Device not found.',
        action: 'openSettings',
        buttonTitle: 'Open settings',
      },
    ],
    [
      'token error',
      registered,
      event(expired, tokenError),
      {
        id: 'webex-line-token-error:signIn',
        title: 'Sign in to Webex again',
        message: tokenError.msg,
        action: 'signIn',
        buttonTitle: 'Sign in again',
      },
    ],
    ['the same token error again', expired, event(expired), null],
    [
      'token error after a worker restart (no previous snapshot)',
      null,
      event(expired),
      {
        id: 'webex-line-token-error:signIn',
        title: 'Sign in to Webex again',
        message: tokenError.msg,
        action: 'signIn',
        buttonTitle: 'Sign in again',
      },
    ],
    ['nothing known before, now idle', null, event(idle), null],
  ])('%s', (_, prev, broadcast, expected) => {
    expect(notificationFor(prev, broadcast)).toEqual(expected);
  });
});

describe('a click never undoes itself', () => {
  const at = (state: StatusSnapshot['state'], since: number | null) => ({ state, since });
  it('waits while connecting and shortly after a change or a press; else toggles', () => {
    expect(toggleDecision(at('idle', null), 10_000)).toBe('register');
    expect(toggleDecision(at('inactive', 1_000), 10_000)).toBe('register');
    expect(toggleDecision(at('active', 1_000), 10_000)).toBe('deregister');
    expect(toggleDecision(at('reconnecting', 1_000), 10_000)).toBe('deregister');
    expect(toggleDecision(at('connecting', 1_000), 10_000)).toBe('wait');
    // Registered 150 ms ago: a double-click's second press does not deregister.
    expect(toggleDecision(at('active', 9_850), 10_000)).toBe('wait');
    expect(toggleDecision(at('active', 1_000), 10_000, 9_900)).toBe('wait');
    expect(toggleDecision(at('active', 1_000), 10_000 + TOGGLE_GUARD_MS, 10_000)).toBe(
      'deregister',
    );
  });

  it('never shows registered past the time the server had to confirm it', () => {
    const registered = snapshot({ display: 'registered', confirmBy: 50_000 });
    expect(displayAt(registered, 49_000)).toBe('registered');
    expect(displayAt(registered, 50_001)).toBe('reconnecting');
    expect(displayAt(snapshot({ display: 'error', confirmBy: 50_000 }), 60_000)).toBe('error');
  });
});
