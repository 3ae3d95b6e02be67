// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallsSection } from '../../../entrypoints/options/CallsSection';
import type { OptionsEnv } from '../../../entrypoints/options/env';
import { type CallPreferences, DEFAULT_CALL_PREFERENCES } from '../../../lib/call-preferences';
import { createMessagingClient } from '../../../lib/messaging/client';
import type { SettingsView } from '../../../lib/messaging/protocol';
import {
  type DeviceInfo,
  deviceChoices,
  namesHidden,
  volumePercent,
} from '../../../lib/ui/call-devices';
import { fakeRuntime, installI18n, policyView } from './helpers';

const NAMED: DeviceInfo[] = [
  { deviceId: 'default', kind: 'audioinput', label: 'Default - Built-in Microphone' },
  { deviceId: 'mic-1', kind: 'audioinput', label: 'Built-in Microphone' },
  { deviceId: 'mic-2', kind: 'audioinput', label: 'USB Headset Microphone' },
  { deviceId: 'default', kind: 'audiooutput', label: 'Default - Speakers' },
  { deviceId: 'spk-1', kind: 'audiooutput', label: 'Speakers' },
  { deviceId: 'spk-2', kind: 'audiooutput', label: 'USB Headset' },
];
/** What Chrome lists before the microphone is allowed: no ids, no names. */
const HIDDEN: DeviceInfo[] = [
  { deviceId: '', kind: 'audioinput', label: '' },
  { deviceId: '', kind: 'audiooutput', label: '' },
];

function settingsView(calls: CallPreferences, errors?: Record<string, string>): SettingsView {
  return {
    signedIn: true,
    settings: {
      environment: { kind: 'production' },
      clientId: 'Cabcdef1234567890',
      clientSecretSet: true,
      tokenBrokerUrl: '',
      keepRegistered: true,
      notifications: true,
      sites: [],
      calls,
    },
    redirectUrl: 'https://x.chromiumapp.org/',
    policy: policyView(),
    ...(errors ? { errors } : {}),
  };
}

function setup(
  options: { devices?: DeviceInfo[]; env?: Partial<OptionsEnv>; refuse?: boolean } = {},
) {
  let stored = DEFAULT_CALL_PREFERENCES;
  const saves: CallPreferences[] = [];
  const fake = fakeRuntime({
    'settings/calls': ({ calls }) => {
      saves.push(calls);
      if (options.refuse) return settingsView(stored, { ringVolume: 'ringVolumeInvalid' });
      stored = calls;
      return settingsView(stored);
    },
  });
  let changed: (() => void) | null = null;
  let devices = options.devices ?? NAMED;
  const env: OptionsEnv = {
    requestOrigins: async () => true,
    hasOrigins: async () => true,
    copyText: async () => {},
    download: () => {},
    extensionVersion: () => '0.1.0',
    initialAddSite: null,
    audioDevices: {
      list: async () => devices,
      onChange: (listener) => {
        changed = listener;
        return () => {
          changed = null;
        };
      },
    },
    ...options.env,
  };
  const onSaved = vi.fn();
  render(
    <CallsSection
      client={createMessagingClient(fake.runtime)}
      env={env}
      view={settingsView(stored)}
      onSaved={onSaved}
    />,
  );
  const plug = (next: DeviceInfo[]) => {
    devices = next;
    changed?.();
  };
  return { saves, onSaved, plug };
}

const select = (name: string) => screen.getByRole('combobox', { name }) as HTMLSelectElement;
const optionsOf = (name: string) =>
  within(select(name))
    .getAllByRole('option')
    .map((option) => option.textContent);

beforeEach(installI18n);
afterEach(cleanup);

describe('options: calls', () => {
  it('lists Default and the named devices of each kind, with accessible labels', async () => {
    setup();
    await waitFor(() => expect(optionsOf('Microphone')).toHaveLength(3));
    expect(optionsOf('Microphone')).toEqual([
      'Default',
      'Built-in Microphone',
      'USB Headset Microphone',
    ]);
    expect(optionsOf('Speaker')).toEqual(['Default', 'Speakers', 'USB Headset']);
    expect(optionsOf('Ringtone plays on')).toEqual(['Default', 'Speakers', 'USB Headset']);
    expect((screen.getByLabelText('Ring in this browser') as HTMLInputElement).checked).toBe(true);
    const slider = screen.getByLabelText('Ring volume') as HTMLInputElement;
    expect(slider.value).toBe('80');
    expect(slider.getAttribute('aria-valuetext')).toBe('80%');
    expect(screen.queryByText(/Device names show once/)).toBeNull();
  });

  it('saves "Ring in this browser" at once and says so', async () => {
    const { saves, onSaved } = setup();
    fireEvent.click(screen.getByLabelText('Ring in this browser'));
    await screen.findByText('Settings saved.');
    expect(saves).toEqual([{ ...DEFAULT_CALL_PREFERENCES, ring: false }]);
    expect(onSaved).toHaveBeenCalledOnce();
    expect((screen.getByLabelText('Ring in this browser') as HTMLInputElement).checked).toBe(false);
  });

  it('saves the volume when the slider is let go, and a chosen device', async () => {
    const { saves } = setup();
    await waitFor(() => expect(optionsOf('Speaker')).toHaveLength(3));
    const slider = screen.getByLabelText('Ring volume') as HTMLInputElement;
    fireEvent.input(slider, { target: { value: '35' } });
    expect(saves).toEqual([]); // not while dragging
    fireEvent.change(slider, { target: { value: '35' } });
    fireEvent.change(select('Speaker'), { target: { value: 'spk-2' } });
    await waitFor(() => expect(saves).toHaveLength(2));
    expect(saves[0]).toEqual({ ...DEFAULT_CALL_PREFERENCES, ringVolume: 0.35 });
    expect(saves[1]).toEqual({
      ...DEFAULT_CALL_PREFERENCES,
      ringVolume: 0.35,
      devices: { microphone: '', speaker: 'spk-2', ringer: '' },
    });
  });

  it('names hidden: only Default, and a link to the microphone page; a device change re-lists', async () => {
    const { plug } = setup({ devices: HIDDEN });
    const hint = await screen.findByText(/Device names show once the microphone is allowed/);
    const link = within(hint).getByRole('link', { name: 'Allow the microphone' });
    expect(link.getAttribute('href')).toBe('/microphone.html');
    expect(select('Microphone').getAttribute('aria-describedby')).toBe('calls-devices-hidden');
    expect(optionsOf('Microphone')).toEqual(['Default']);
    plug(NAMED);
    await waitFor(() => expect(optionsOf('Microphone')).toHaveLength(3));
    expect(screen.queryByText(/Device names show once/)).toBeNull();
  });

  it('a refused save says so and shows what is stored', async () => {
    setup({ refuse: true });
    fireEvent.click(screen.getByLabelText('Ring in this browser'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Nothing was saved.');
    expect(alert.textContent).toContain('The ring volume must be from 0 to 100%.');
    expect((screen.getByLabelText('Ring in this browser') as HTMLInputElement).checked).toBe(true);
  });

  it('a browser that cannot hold calls says so and offers nothing to set', () => {
    setup({ env: { callsSupported: false } });
    expect(screen.getByRole('heading', { name: 'Calls' })).toBeTruthy();
    expect(
      screen.getByText("This browser can't take calls, so there is nothing to set here."),
    ).toBeTruthy();
    expect(screen.queryByLabelText('Ring in this browser')).toBeNull();
  });
});

describe('audio device lists (pure)', () => {
  it('keeps a chosen device that is not listed now, so the choice is never lost', () => {
    expect(deviceChoices(NAMED, 'ringer', 'gone-1')).toEqual([
      { value: '', label: 'Default' },
      { value: 'spk-1', label: 'Speakers' },
      { value: 'spk-2', label: 'USB Headset' },
      { value: 'gone-1', label: 'The chosen device (not available now)' },
    ]);
    expect(deviceChoices(HIDDEN, 'microphone', '')).toEqual([{ value: '', label: 'Default' }]);
  });

  it('knows when names are hidden, and shows the volume in steps of 5%', () => {
    expect(namesHidden(HIDDEN)).toBe(true);
    expect(namesHidden(NAMED)).toBe(false);
    expect(namesHidden([])).toBe(false);
    expect(volumePercent(0.8)).toBe(80);
    expect(volumePercent(0.33)).toBe(35);
  });
});
