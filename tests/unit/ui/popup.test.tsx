// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Popup, type PopupEnv } from '../../../entrypoints/popup/Popup';
import { createMessagingClient } from '../../../lib/messaging/client';
import type { LineErrorPayload, StatusSnapshot } from '../../../lib/messaging/protocol';
import { STATUS_PORT } from '../../../lib/messaging/protocol';
import {
  fakeRuntime,
  type Handlers,
  installI18n,
  installLocale,
  RequestRefused,
  SEED_ERRORS,
  signedOut,
  snapshot,
} from './helpers';

function setup(
  initial: StatusSnapshot,
  handlers: Handlers = {},
  envOverrides: Partial<PopupEnv> = {},
) {
  const fake = fakeRuntime({
    'status/get': () => initial,
    'sites/list': () => ({ sites: [] }),
    ...handlers,
  });
  const env: PopupEnv = {
    openOptions: vi.fn(),
    activeTabOrigin: vi.fn(async () => null),
    openMicrophone: vi.fn(),
    ...envOverrides,
  };
  render(<Popup client={createMessagingClient(fake.runtime)} env={env} />);
  return { fake, env };
}

beforeEach(installI18n);
afterEach(cleanup);

describe('popup', () => {
  it('shows the snapshot as soon as it opens, with a spinner until then', async () => {
    setup(snapshot());
    expect(screen.getByText('Loading…')).toBeTruthy();
    await screen.findByText('Alice Example');
    expect(screen.queryByText('Loading…')).toBeNull();
  });

  it('signed out: one-sentence intro and a Sign in button that signs in', async () => {
    const { fake } = setup(signedOut(), {
      'auth/signIn': () => signedOut({ auth: 'signingIn', at: 2_000 }),
    });
    await screen.findByText(/keep your Webex Calling line registered/);
    expect(screen.queryByText('Add your Webex integration first.')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in with Webex' }));
    await screen.findByText('Signing in…', { selector: 'p.working' });
    expect(fake.sentOf('auth/signIn')).toEqual([{ type: 'auth/signIn', payload: {} }]);
  });

  it('signed out and not configured: Sign in is disabled and settings are one click away', async () => {
    const { env } = setup(signedOut({ configured: false }));
    await screen.findByText('Add your Webex integration first.');
    expect(
      (screen.getByRole('button', { name: 'Sign in with Webex' }) as HTMLButtonElement).disabled,
    ).toBe(true);
    const section = screen.getByText('Add your Webex integration first.');
    fireEvent.click(within(section).getByRole('button', { name: 'Open settings' }));
    expect(env.openOptions).toHaveBeenCalledWith();
  });

  it('signed in: user, status pill, the six line fields and Deregister', async () => {
    const { fake } = setup(snapshot(), {
      'line/deregister': () => snapshot({ state: 'idle', display: 'inactive', at: 2_000 }),
    });
    await screen.findByText('Alice Example');
    expect(screen.getByText('alice@example.com')).toBeTruthy();
    expect(screen.getByTestId('status-pill').textContent).toBe('Registered');
    const card = screen.getByRole('region', { name: 'Your line' });
    for (const [label, value] of [
      ['Phone number', '+1 408 555 0100'],
      ['Extension', '0100'],
      ['SIP address', 'alice@example.calls.webex.com'],
      ['Voicemail', '+1 408 555 0199'],
      ['Keepalive interval', '30 s'],
    ]) {
      const term = within(card).getByText(label as string, { selector: 'dt' });
      expect(term.nextElementSibling?.textContent).toBe(value);
    }
    expect(
      within(card).getByText('Last seen', { selector: 'dt' }).nextElementSibling?.textContent,
    ).toMatch(/2026/);
    expect(screen.getByRole('status').textContent).toBe('Line status: Registered');

    fireEvent.click(screen.getByRole('button', { name: 'Deregister' }));
    await screen.findByRole('button', { name: 'Register' });
    expect(fake.sentOf('line/deregister')).toHaveLength(1);
    expect(screen.getByTestId('status-pill').textContent).toBe('Inactive');
  });

  const tokenError: LineErrorPayload = SEED_ERRORS.tokenExpired;
  const deviceLimit: LineErrorPayload = SEED_ERRORS.deviceLimit;
  const settingsError: LineErrorPayload = {
    status: 'inactive',
    type: 'registrationError',
    msg: 'Device not found.',
    detail: { action: 'openSettings' },
  };

  it.each([
    ['tokenError → Sign in again', tokenError, 'Sign in again', 'auth/signIn'],
    ['registrationError → Retry', deviceLimit, 'Retry', 'line/register'],
    [
      'no action given, registrationError → Retry',
      { ...deviceLimit, detail: {} },
      'Retry',
      'line/register',
    ],
    [
      'no action given, tokenError → Sign in again',
      { ...tokenError, detail: undefined },
      'Sign in again',
      'auth/signIn',
    ],
  ] as const)('error banner: %s', async (_, error, label, request) => {
    const errored = snapshot({ state: 'inactive', display: 'error', error });
    const { fake } = setup(errored, { [request]: () => errored });
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain(error.msg);
    fireEvent.click(within(banner).getByRole('button', { name: label }));
    await waitFor(() => expect(fake.sentOf(request)).toHaveLength(1));
  });

  it('error banner: Open settings opens the options page', async () => {
    const { env } = setup(snapshot({ state: 'inactive', display: 'error', error: settingsError }));
    const banner = await screen.findByRole('alert');
    fireEvent.click(within(banner).getByRole('button', { name: 'Open settings' }));
    expect(env.openOptions).toHaveBeenCalled();
  });

  it('a token error while signed out offers one Sign in again, in the banner', async () => {
    setup(signedOut({ display: 'error', state: 'inactive', error: tokenError }));
    const banner = await screen.findByRole('alert');
    expect(within(banner).getByRole('button', { name: 'Sign in again' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign in with Webex' })).toBeNull();
  });

  it('a closed sign-in window is calm: a polite note, no alert', async () => {
    setup(signedOut(), {
      'auth/signIn': () => {
        throw new RequestRefused('failed', 'The user did not approve access.');
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in with Webex' }));
    await screen.findByText('Sign-in was cancelled. Sign in whenever you are ready.');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('a failed request that is not a cancellation is an alert', async () => {
    setup(snapshot({ state: 'idle', display: 'inactive', line: null }), {
      'line/register': () => {
        throw new RequestRefused('failed', 'Network is offline.');
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Register' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Network is offline.');
  });

  it('in German: labels, the seed error and its action; the payload stays English', async () => {
    installLocale('de');
    const error = { ...SEED_ERRORS.deviceLimit } as LineErrorPayload;
    const errored = snapshot({ state: 'inactive', display: 'error', error });
    const { fake } = setup(errored, { 'line/register': () => errored });
    const banner = await screen.findByRole('alert');
    expect(banner.textContent).toContain(
      'Gerätelimit erreicht. Der Benutzer ist bereits auf einem anderen Gerät angemeldet.',
    );
    expect(banner.textContent).not.toContain('Device limit exceeded');
    expect(screen.getByTestId('status-pill').textContent).toBe('Fehler');
    expect(screen.getByRole('region', { name: 'Ihre Leitung' })).toBeTruthy();
    fireEvent.click(within(banner).getByRole('button', { name: 'Erneut versuchen' }));
    await waitFor(() => expect(fake.sentOf('line/register')).toHaveLength(1));
    expect(error.msg).toBe(SEED_ERRORS.deviceLimit.msg);
  });

  it('an extension that does not answer is said in the user language', async () => {
    installLocale('fr');
    const fake = fakeRuntime({ 'status/get': () => snapshot({ state: 'idle', line: null }) });
    const env: PopupEnv = {
      openOptions: vi.fn(),
      activeTabOrigin: vi.fn(async () => null),
      openMicrophone: vi.fn(),
    };
    // `sites/list` and `line/register` have no handler: the runtime answers nothing at all.
    render(<Popup client={createMessagingClient(fake.runtime)} env={env} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Enregistrer' }));
    expect((await screen.findByRole('alert')).textContent).toContain(
      "L'extension n'a pas répondu. Réessayez.",
    );
  });

  it('signed in but the profile is not read yet: the line card, not a second Sign in', async () => {
    setup(snapshot({ user: null, state: 'idle', display: 'inactive', line: null }));
    await screen.findByText('Signed in to Webex');
    expect(screen.queryByRole('button', { name: 'Sign in with Webex' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Register' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeTruthy();
  });

  it('a pressed Register keeps keyboard focus while it runs, and cannot be pressed twice', async () => {
    let finish: (value: StatusSnapshot) => void = () => {};
    const { fake } = setup(snapshot({ state: 'idle', display: 'inactive', at: 1_000 }), {
      'line/register': () => new Promise<StatusSnapshot>((resolve) => (finish = resolve)),
    });
    const button = (await screen.findByRole('button', { name: 'Register' })) as HTMLButtonElement;
    button.focus();
    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('aria-disabled')).toBe('true'));
    // A disabled button would lose focus to the page body.
    expect(button.disabled).toBe(false);
    expect(document.activeElement).toBe(button);
    fireEvent.click(button);
    expect(fake.sentOf('line/register')).toHaveLength(1);

    // While connecting the same button says so and cannot deregister (a double-click must not
    // undo the registration); focus stays on it.
    finish(snapshot({ state: 'connecting', display: 'connecting', at: 2_000 }));
    await screen.findByRole('button', { name: 'Connecting' });
    expect(document.activeElement?.textContent).toBe('Connecting');
    expect(document.activeElement?.getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(document.activeElement as HTMLElement);
    expect(fake.sentOf('line/deregister')).toHaveLength(0);
  });

  it('a scheduled retry offers Try now and Stop (the old popup offered only Sign out)', async () => {
    const waiting = snapshot({
      state: 'connecting',
      display: 'connecting',
      line: null,
      nextAttemptAt: Date.now() + 60_000,
    });
    const { fake } = setup(waiting, {
      'line/register': () => waiting,
      'line/deregister': () => snapshot({ state: 'idle', display: 'inactive' }),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Try now' }));
    await waitFor(() => expect(fake.sentOf('line/register')).toHaveLength(1));
    fireEvent.click(await screen.findByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(fake.sentOf('line/deregister')).toHaveLength(1));
  });

  it("Try now waits while a server's Retry-After runs, and says until when", async () => {
    const { fake } = setup(
      snapshot({
        state: 'connecting',
        display: 'connecting',
        line: null,
        nextAttemptAt: Date.now() + 60_000,
        retryHoldUntil: Date.now() + 45_000,
      }),
    );
    const tryNow = await screen.findByRole('button', { name: 'Try now' });
    expect(tryNow.getAttribute('aria-disabled')).toBe('true');
    expect(screen.getByText(/The server asked us to wait until/)).toBeTruthy();
    fireEvent.click(tryNow);
    expect(fake.sentOf('line/register')).toHaveLength(0);
  });

  it('a double-click on Register never ends deregistered', async () => {
    const { fake } = setup(
      snapshot({ state: 'idle', display: 'inactive', at: 1_000, since: null }),
    );
    const button = (await screen.findByRole('button', { name: 'Register' })) as HTMLButtonElement;
    fireEvent.click(button);
    // The line registers at once; the second click of the double-click lands on the new label.
    fake.broadcast(STATUS_PORT, {
      kind: 'line-event',
      event: 'registered',
      snapshot: snapshot({ state: 'active', display: 'registered', at: 2_000, since: Date.now() }),
    });
    await screen.findByRole('button', { name: 'Deregister' });
    fireEvent.click(screen.getByRole('button', { name: 'Deregister' }));
    expect(fake.sentOf('line/register')).toHaveLength(1);
    expect(fake.sentOf('line/deregister')).toHaveLength(0);
  });

  it('shows when Webex last confirmed the line, and says reconnecting once that is overdue', async () => {
    const now = Date.now();
    setup(snapshot({ confirmedAt: now - 12_000, confirmBy: now + 60_000 }));
    await screen.findByText('Confirmed by Webex 12 s ago');
    expect(screen.getByTestId('status-pill').textContent).toBe('Registered');
    cleanup();
    setup(snapshot({ confirmedAt: now - 50_000, confirmBy: now - 1_000 }));
    await waitFor(() => expect(screen.getByTestId('status-pill').textContent).toBe('Reconnecting'));
  });

  it('a superseded line explains itself and offers Use it here', async () => {
    const { fake } = setup(
      snapshot({
        state: 'inactive',
        display: 'error',
        error: {
          status: 'inactive',
          type: 'registrationError',
          msg: 'Your line is now registered in another client.',
          detail: { httpStatus: 409, action: 'useHere' },
        },
      }),
    );
    await screen.findByText('Your line is now registered in another client.');
    expect(screen.getByText(/Calls now go to the other client/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Use it here' }));
    expect(fake.sentOf('line/register')).toHaveLength(1);
  });

  it('the device limit says what it means and links to the devices list', async () => {
    const opened: Array<string | undefined> = [];
    setup(
      snapshot({
        state: 'inactive',
        display: 'error',
        error: {
          status: 'inactive',
          type: 'registrationError',
          msg: 'Device limit exceeded. The user already logged in to a different device.',
          detail: { httpStatus: 403, errorCode: 101, action: 'restoreDeviceLimit' },
        },
      }),
      {},
      { openOptions: (query?: string) => opened.push(query) },
    );
    await screen.findByText(/lets each user keep only a few devices/);
    expect(
      screen.getByRole('button', { name: 'Sign out your oldest device and use this browser' }),
    ).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'See your devices' }));
    expect(opened).toEqual(['show=devices']);
  });

  it('updates live from broadcasts and ignores an older snapshot', async () => {
    const { fake } = setup(snapshot({ state: 'idle', display: 'inactive', at: 1_000 }));
    await screen.findByText('Alice Example');
    expect(screen.getByTestId('status-pill').textContent).toBe('Inactive');
    expect(screen.queryByTestId('line-spinner')).toBeNull();

    fake.broadcast(STATUS_PORT, {
      kind: 'line-event',
      event: 'connecting',
      snapshot: snapshot({ state: 'connecting', display: 'connecting', at: 2_000 }),
    });
    await waitFor(() => expect(screen.getByTestId('status-pill').textContent).toBe('Connecting'));
    expect(screen.getByTestId('line-spinner')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('Line status: Connecting');

    fake.broadcast(STATUS_PORT, { kind: 'snapshot', snapshot: snapshot({ at: 3_000 }) });
    await waitFor(() => expect(screen.getByTestId('status-pill').textContent).toBe('Registered'));

    fake.broadcast(STATUS_PORT, {
      kind: 'snapshot',
      snapshot: snapshot({ state: 'idle', display: 'inactive', at: 2_500 }),
    });
    await Promise.resolve();
    expect(screen.getByTestId('status-pill').textContent).toBe('Registered');
  });

  it('the details toggle shows all 14 line properties', async () => {
    setup(snapshot());
    const toggle = await screen.findByRole('button', { name: 'Show all line details' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    const details = document.getElementById('line-details') as HTMLElement;
    expect(details.hidden).toBe(true);

    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(details.hidden).toBe(false);
    const rows = Array.from(details.querySelectorAll('[data-prop]'));
    expect(rows.map((row) => row.getAttribute('data-prop'))).toEqual([
      'lineId',
      'mobiusDeviceId',
      'phoneNumber',
      'extension',
      'status',
      'sipAddresses',
      'voicemail',
      'lastSeen',
      'keepaliveInterval',
      'callKeepaliveInterval',
      'rehomingIntervalMin',
      'rehomingIntervalMax',
      'voicePortalNumber',
      'voicePortalExtension',
    ]);
    const value = (prop: string) => details.querySelector(`[data-prop="${prop}"] dd`)?.textContent;
    expect(value('lineId')).toBe('7f1c2a9e-1111-4b6e-9c1d-000000000001');
    expect(value('rehomingIntervalMin')).toBe('90 min');
    expect(value('voicePortalExtension')).toBe('5001');
    expect(screen.getByRole('button', { name: 'Hide line details' })).toBe(toggle);
  });

  it('offers click-to-register for the current site when the tab is visible and not opted in', async () => {
    const fake = fakeRuntime({
      'status/get': () => snapshot(),
      'sites/list': () => ({ sites: ['https://other.example'] }),
    });
    const env: PopupEnv = {
      openOptions: vi.fn(),
      activeTabOrigin: vi.fn(async () => 'https://crm.example.com'),
      openMicrophone: vi.fn(),
    };
    render(<Popup client={createMessagingClient(fake.runtime)} env={env} />);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Use click-to-register on crm.example.com' }),
    );
    expect(env.openOptions).toHaveBeenCalledWith('addSite=https%3A%2F%2Fcrm.example.com');
  });
});
