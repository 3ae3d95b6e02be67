// @vitest-environment happy-dom

import { cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type MicrophoneEnv, MicrophonePage } from '../../../entrypoints/microphone/MicrophonePage';
import type { OptionsEnv } from '../../../entrypoints/options/env';
import { Options } from '../../../entrypoints/options/Options';
import { Popup } from '../../../entrypoints/popup/Popup';
import { createRecentNumbers } from '../../../lib/app/recent-numbers';
import { DEFAULT_CALL_PREFERENCES } from '../../../lib/call-preferences';
import { createMessagingClient } from '../../../lib/messaging/client';
import { MemoryStore } from '../fakes/store';
import type { Handlers } from './helpers';
import {
  callingView,
  callView,
  fakeRuntime,
  installI18n,
  policyView,
  signedOut,
  snapshot,
} from './helpers';

/** Every violation, whatever its impact; colour contrast needs real layout (the e2e run checks it). */
async function violations(): Promise<string[]> {
  const result = await axe.run(document.body, {
    rules: { 'color-contrast': { enabled: false } },
    resultTypes: ['violations'],
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`);
}

function client(handlers: Handlers) {
  return createMessagingClient(
    fakeRuntime({ 'sites/list': () => ({ sites: [] }), ...handlers }).runtime,
  );
}

const popupEnv = {
  openOptions: vi.fn(),
  activeTabOrigin: async () => null,
  openMicrophone: vi.fn(),
};

beforeEach(() => {
  installI18n();
  document.documentElement.lang = 'en';
  document.title = 'Webex Line';
});
afterEach(cleanup);

describe('accessibility (axe)', () => {
  it('popup, signed out', async () => {
    render(
      <Popup
        client={client({ 'status/get': () => signedOut({ configured: false }) })}
        env={popupEnv}
      />,
    );
    await screen.findByText('Add your Webex integration first.');
    expect(await violations()).toEqual([]);
  });

  it('popup, signed in with an error and details open', async () => {
    const error = {
      status: 'inactive',
      type: 'registrationError',
      msg: 'Device not found.',
    } as const;
    render(
      <Popup
        client={client({
          'status/get': () => snapshot({ state: 'inactive', display: 'error', error }),
        })}
        env={popupEnv}
      />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Show all line details' }));
    expect(await violations()).toEqual([]);
  });

  it('popup, a call ringing (and one blocked by the microphone), a missed call, the microphone blocked', async () => {
    const calling = callingView({
      mic: 'denied',
      calls: [callView(), callView({ key: 'call-2', callerName: undefined, micBlocked: true })],
      lastEnded: {
        key: 'call-0',
        reason: 'missed',
        callerName: 'Carol',
        at: Date.now(),
        missed: true,
      },
    });
    render(<Popup client={client({ 'status/get': () => snapshot({ calling }) })} env={popupEnv} />);
    await screen.findByRole('button', { name: 'Answer' });
    expect(await violations()).toEqual([]);
  });

  it('popup, a call connected and muted, the microphone not asked yet', async () => {
    const calling = callingView({
      mic: 'prompt',
      calls: [callView({ state: 'connected', connectedAt: Date.now() - 5_000, muted: true })],
    });
    render(<Popup client={client({ 'status/get': () => snapshot({ calling }) })} env={popupEnv} />);
    await screen.findByRole('button', { name: 'Hang up' });
    expect(await violations()).toEqual([]);
  });

  it('popup, the dialer with its keypad open, a number refused, recent numbers and shortcuts', async () => {
    const recentNumbers = createRecentNumbers(new MemoryStore());
    await recentNumbers.record('+14085550142');
    const shortcuts = async () => [
      { name: 'answer-call', description: 'Answer the ringing call', shortcut: 'Alt+Shift+A' },
      { name: 'hang-up-call', description: 'Hang up', shortcut: '' },
    ];
    render(
      <Popup
        client={client({ 'status/get': () => snapshot({ calling: callingView() }) })}
        env={{ ...popupEnv, recentNumbers, shortcuts }}
      />,
    );
    await screen.findByRole('button', { name: 'Call +14085550142' });
    fireEvent.click(screen.getByRole('button', { name: 'Keypad' }));
    fireEvent.submit(screen.getByLabelText('Number to call').closest('form') as HTMLFormElement);
    await screen.findByText('Enter a number to call.');
    await screen.findByText('Keyboard shortcuts');
    expect(await violations()).toEqual([]);
  });

  it('popup, a call on hold with its keypad and transfer open, a waiting call, the dialer blocked', async () => {
    const calling = callingView({
      calls: [
        callView({ state: 'connected', connectedAt: Date.now() - 5_000, held: true }),
        callView({ key: 'call-2', callerName: 'Carol' }),
      ],
    });
    render(<Popup client={client({ 'status/get': () => snapshot({ calling }) })} env={popupEnv} />);
    await screen.findByText('Call waiting');
    const held = screen.getByRole('region', { name: 'Bob Smith' });
    fireEvent.click(within(held).getByRole('button', { name: 'Keypad' }));
    fireEvent.click(within(held).getByRole('button', { name: 'Transfer' }));
    fireEvent.click(within(held).getByRole('button', { name: 'Transfer now' }));
    await within(held).findByText('Enter a number to call.');
    expect(screen.getByTestId('dial-blocked').textContent).toBe(
      'Finish the ringing or outgoing call first.',
    );
    expect(await violations()).toEqual([]);
  });

  it('popup, an outgoing call ringing with early media', async () => {
    const calling = callingView({
      calls: [callView({ direction: 'outbound', state: 'ringback', earlyMedia: true })],
    });
    render(<Popup client={client({ 'status/get': () => snapshot({ calling }) })} env={popupEnv} />);
    await screen.findByText('Ringing…');
    expect(await violations()).toEqual([]);
  });

  it('microphone page, blocked', async () => {
    const env: MicrophoneEnv = {
      query: async () => 'denied',
      watch: () => () => {},
      request: async () => ({ ok: false, name: 'NotAllowedError', message: '' }),
    };
    render(<MicrophonePage env={env} />);
    await screen.findByText(/^Blocked\./);
    expect(await violations()).toEqual([]);
  });

  it('options page, with validation errors showing', async () => {
    const env: OptionsEnv = {
      requestOrigins: async () => true,
      hasOrigins: async () => true,
      copyText: async () => {},
      download: () => {},
      extensionVersion: () => '0.1.0',
      initialAddSite: null,
    };
    render(
      <Options
        client={client({
          'settings/get': () => ({
            signedIn: false,
            settings: {
              environment: { kind: 'custom', baseUrl: 'http://127.0.0.1:8790' },
              clientId: '',
              clientSecretSet: false,
              tokenBrokerUrl: '',
              keepRegistered: true,
              notifications: true,
              sites: [],
              calls: DEFAULT_CALL_PREFERENCES,
            },
            redirectUrl: 'https://id.chromiumapp.org/',
            policy: policyView(),
          }),
          'sites/list': () => ({ sites: ['https://crm.example.com'] }),
          'diagnostics/get': () => ({ entries: [{ at: 0, kind: 'register', message: 'ok' }] }),
        })}
        env={env}
      />,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Save' }));
    await screen.findByText('Enter the integration client ID.');
    await screen.findByRole('table');
    expect(await violations()).toEqual([]);
  });
});
