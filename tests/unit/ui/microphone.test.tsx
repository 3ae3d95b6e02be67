// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type MicrophoneEnv, MicrophonePage } from '../../../entrypoints/microphone/MicrophonePage';
import {
  type MicPageState,
  type MicPermissionState,
  micPageView,
  stateAfterRequestError,
  stateFromPermission,
  stateOnPermissionChange,
} from '../../../lib/ui/microphone';
import { installI18n, installLocale } from './helpers';

beforeEach(installI18n);
afterEach(cleanup);

describe('microphone page logic', () => {
  it('the permission on load', () => {
    expect(stateFromPermission('granted')).toBe('granted');
    expect(stateFromPermission('prompt')).toBe('prompt');
    expect(stateFromPermission('denied')).toBe('denied');
    expect(stateFromPermission(null)).toBe('unknown');
  });

  it.each([
    ['NotAllowedError', 'denied', 'denied'],
    ['NotAllowedError', null, 'denied'],
    // Chrome: closing the prompt also rejects with NotAllowedError, but nothing is blocked.
    ['NotAllowedError', 'prompt', 'dismissed'],
    ['SecurityError', 'denied', 'denied'],
    ['NotFoundError', 'prompt', 'noDevice'],
    ['OverconstrainedError', 'granted', 'noDevice'],
    ['NotReadableError', 'granted', 'busy'],
    ['AbortError', 'granted', 'busy'],
    ['TypeError', null, 'failed'],
  ] as const)('getUserMedia failed with %s, permission then %s: %s', (name, permission, state) => {
    expect(stateAfterRequestError(name, permission)).toBe(state);
  });

  it('follows permission changes, but not while the prompt is up, and keeps "Done"', () => {
    expect(stateOnPermissionChange('denied', 'prompt')).toBe('prompt');
    expect(stateOnPermissionChange('prompt', 'granted')).toBe('granted');
    expect(stateOnPermissionChange('asking', 'granted')).toBe('asking');
    expect(stateOnPermissionChange('done', 'granted')).toBe('done');
    expect(stateOnPermissionChange('done', 'denied')).toBe('denied');
  });

  it.each([
    ['checking', null, 'calm', true, false],
    ['unknown', null, 'calm', true, false],
    ['granted', 'The microphone is allowed. You can close this tab.', 'ok', false, false],
    ['done', 'Done. You can close this tab.', 'ok', false, false],
    [
      'prompt',
      "Not allowed yet. Click Allow microphone, then Allow in the browser's prompt.",
      'calm',
      true,
      false,
    ],
    ['asking', "Choose Allow in the browser's prompt.", 'calm', true, true],
    [
      'dismissed',
      "The browser's prompt was closed without an answer. Click Allow microphone to try again.",
      'calm',
      true,
      false,
    ],
    [
      'denied',
      'Blocked. Allow it from the lock icon in the address bar, or at chrome://settings/content/microphone, then try again.',
      'bad',
      true,
      false,
    ],
    ['noDevice', 'No microphone found. Connect one, then try again.', 'bad', true, false],
    [
      'busy',
      'The microphone could not be started; another app may be using it. Close that app, then try again.',
      'bad',
      true,
      false,
    ],
  ] as const)('%s: "%s"', (state, text, tone, offerButton, busy) => {
    expect(micPageView(state as MicPageState)).toEqual({ text, tone, offerButton, busy });
  });

  it('an unexpected failure is told in the browser own words', () => {
    expect(micPageView('failed', 'Invalid state').text).toBe(
      'The microphone could not be used: Invalid state',
    );
  });
});

function fakeEnv(permission: MicPermissionState) {
  const watchers: Array<(permission: MicPermissionState) => void> = [];
  let answer: (result: Awaited<ReturnType<MicrophoneEnv['request']>>) => void = () => {};
  const env = {
    permission,
    query: vi.fn(async () => env.permission),
    watch: vi.fn((onChange: (permission: MicPermissionState) => void) => {
      watchers.push(onChange);
      return () => watchers.splice(watchers.indexOf(onChange), 1);
    }),
    request: vi.fn(
      () =>
        new Promise<Awaited<ReturnType<MicrophoneEnv['request']>>>((resolve) => {
          answer = resolve;
        }),
    ),
    /** The user answers the browser's prompt (or the browser fails). */
    answer: (result: Awaited<ReturnType<MicrophoneEnv['request']>>) => answer(result),
    /** The permission changes from outside the page (lock icon, settings). */
    change(next: MicPermissionState) {
      env.permission = next;
      for (const watcher of watchers) watcher(next);
    },
    get watching() {
      return watchers.length;
    },
  };
  return env;
}

const result = () => screen.getByTestId('mic-result');

describe('microphone page', () => {
  it('says why, and shows the permission on load', async () => {
    render(<MicrophonePage env={fakeEnv('prompt')} />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Microphone for calls');
    expect(
      screen.getByText(/live only from the moment you click Answer until you hang up/),
    ).toBeTruthy();
    await waitFor(() => expect(result().textContent).toMatch(/^Not allowed yet/));
    expect(result().getAttribute('role')).toBe('status');
  });

  it('Allow microphone: asks, then "Done" and no more button', async () => {
    const env = fakeEnv('prompt');
    render(<MicrophonePage env={env} />);
    const allow = screen.getByRole('button', { name: 'Allow microphone' });
    await waitFor(() => expect(result().textContent).toMatch(/^Not allowed yet/));
    fireEvent.click(allow);
    expect(result().textContent).toBe("Choose Allow in the browser's prompt.");
    expect(allow.getAttribute('aria-disabled')).toBe('true');
    fireEvent.click(allow);
    expect(env.request).toHaveBeenCalledTimes(1);
    env.answer({ ok: true });
    env.change('granted');
    await waitFor(() => expect(result().textContent).toBe('Done. You can close this tab.'));
    expect(screen.queryByRole('button', { name: 'Allow microphone' })).toBeNull();
  });

  it('refused: "Blocked" with the way to unblock, and Allow may be tried again', async () => {
    const env = fakeEnv('prompt');
    render(<MicrophonePage env={env} />);
    fireEvent.click(screen.getByRole('button', { name: 'Allow microphone' }));
    env.permission = 'denied';
    env.answer({ ok: false, name: 'NotAllowedError', message: 'Permission denied' });
    await waitFor(() =>
      expect(result().textContent).toMatch(/^Blocked\. Allow it from the lock icon/),
    );
    expect(result().className).toBe('mic-result bad');
    expect(
      screen.getByRole('button', { name: 'Allow microphone' }).getAttribute('aria-disabled'),
    ).toBeNull();
  });

  it('no microphone: says so', async () => {
    const env = fakeEnv('granted');
    render(<MicrophonePage env={env} />);
    await waitFor(() => expect(result().textContent).toMatch(/^The microphone is allowed/));
    // Allowed already: the page has nothing to ask.
    expect(screen.queryByRole('button', { name: 'Allow microphone' })).toBeNull();
    env.change('prompt');
    fireEvent.click(await screen.findByRole('button', { name: 'Allow microphone' }));
    env.answer({ ok: false, name: 'NotFoundError', message: 'Requested device not found' });
    await waitFor(() =>
      expect(result().textContent).toBe('No microphone found. Connect one, then try again.'),
    );
  });

  it('blocked on load, unblocked from the lock icon: the page follows', async () => {
    const env = fakeEnv('denied');
    render(<MicrophonePage env={env} />);
    await waitFor(() => expect(result().textContent).toMatch(/^Blocked\./));
    env.change('granted');
    await waitFor(() => expect(result().textContent).toMatch(/^The microphone is allowed/));
  });

  it('the browser will not say: no text until the user asks', async () => {
    const env = fakeEnv(null);
    render(<MicrophonePage env={env} />);
    await waitFor(() => expect(env.query).toHaveBeenCalled());
    expect(result().textContent).toBe('');
    expect(screen.getByRole('button', { name: 'Allow microphone' })).toBeTruthy();
  });

  it('stops watching the permission when it goes away', async () => {
    const env = fakeEnv('prompt');
    render(<MicrophonePage env={env} />);
    expect(env.watching).toBe(1);
    cleanup();
    // Preact runs an unmounted component's effect cleanups just after the unmount.
    await waitFor(() => expect(env.watching).toBe(0));
  });

  it('speaks the browser language', async () => {
    installLocale('fr');
    render(<MicrophonePage env={fakeEnv('denied')} />);
    expect(screen.getByRole('button', { name: 'Autoriser le micro' })).toBeTruthy();
    await waitFor(() => expect(result().textContent).toMatch(/^Bloqué\./));
  });
});
