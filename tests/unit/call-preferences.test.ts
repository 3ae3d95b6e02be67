import { describe, expect, it } from 'vitest';
import { createSettingsStore } from '../../lib/app/settings-store';
import { defaultSettings } from '../../lib/build-defaults';
import {
  callPreferencesFrom,
  DEFAULT_CALL_PREFERENCES,
  validateCallPreferences,
} from '../../lib/call-preferences';
import { parsePolicy } from '../../lib/policy/parse';
import { validateSettings } from '../../lib/settings';
import { memoryStore } from './platform/memory-store';

const CHOSEN = {
  ring: false,
  ringVolume: 0.25,
  devices: { microphone: 'a1b2c3', speaker: 'headset-01', ringer: '' },
};

describe('call preferences', () => {
  it('default to ringing at 0.8 on the browser default devices', () => {
    expect(defaultSettings(false).calls).toEqual({
      ring: true,
      ringVolume: 0.8,
      devices: { microphone: '', speaker: '', ringer: '' },
    });
    expect(defaultSettings(true).calls).toEqual(DEFAULT_CALL_PREFERENCES);
  });

  it('validate as a whole: each bad field is named, with a code the page can show', () => {
    expect(validateCallPreferences(CHOSEN)).toEqual({ ok: true, value: CHOSEN });
    expect(
      validateCallPreferences({
        ring: 'yes',
        ringVolume: 1.5,
        devices: { microphone: 'bad id with spaces', speaker: 7 },
      }),
    ).toEqual({
      ok: false,
      errors: {
        ring: 'flagInvalid',
        ringVolume: 'ringVolumeInvalid',
        'devices.microphone': 'deviceIdInvalid',
        'devices.speaker': 'deviceIdInvalid',
        'devices.ringer': 'deviceIdInvalid',
      },
    });
    for (const ringVolume of [-0.1, Number.NaN, Number.POSITIVE_INFINITY, '0.5'])
      expect(validateCallPreferences({ ...CHOSEN, ringVolume }).ok).toBe(false);
    expect(validateCallPreferences(null)).toEqual({
      ok: false,
      errors: { calls: 'settingsNotAnObject' },
    });
    expect(
      validateCallPreferences({ ...CHOSEN, devices: { microphone: 'x'.repeat(201) } }).ok,
    ).toBe(false);
  });

  it('read from storage: missing or unusable fields take their defaults, the others stay', () => {
    expect(callPreferencesFrom(undefined)).toEqual(DEFAULT_CALL_PREFERENCES);
    expect(callPreferencesFrom({ ring: false, ringVolume: 9, devices: { speaker: 'h1' } })).toEqual(
      {
        ...DEFAULT_CALL_PREFERENCES,
        ring: false,
        devices: { microphone: '', speaker: 'h1', ringer: '' },
      },
    );
  });

  it('settings stored before call preferences existed load with the defaults', async () => {
    const store = memoryStore();
    const { calls: _none, ...older } = {
      ...defaultSettings(false),
      clientId: 'C1234567890abcdef',
      clientSecret: 'kept-secret',
      keepRegistered: false,
    };
    await store.set('settings', older);
    const settings = createSettingsStore(store, defaultSettings(false));
    const loaded = await settings.load();
    expect(loaded.calls).toEqual(DEFAULT_CALL_PREFERENCES);
    expect(loaded).toMatchObject({ clientId: 'C1234567890abcdef', keepRegistered: false });
  });

  it('save on their own: valid ones are stored, a bad one stores nothing', async () => {
    const store = memoryStore();
    const settings = createSettingsStore(store, defaultSettings(false));
    const saved = await settings.saveCalls(CHOSEN);
    expect(saved).toMatchObject({ ok: true, value: { calls: CHOSEN } });
    expect((await settings.load()).calls).toEqual(CHOSEN);
    const refused = await settings.saveCalls({ ...CHOSEN, ring: true, ringVolume: 2 });
    expect(refused).toEqual({ ok: false, errors: { ringVolume: 'ringVolumeInvalid' } });
    expect((await settings.load()).calls).toEqual(CHOSEN); // nothing saved half-way
  });

  it('survive a save of the rest of the settings, and the policy never touches them', async () => {
    const store = memoryStore();
    const policy = parsePolicy({ lockSettings: true, notifications: false });
    const settings = createSettingsStore(store, defaultSettings(false), async () => policy);
    expect((await settings.saveCalls(CHOSEN)).ok).toBe(true); // not locked by lockSettings
    const unlocked = createSettingsStore(store, defaultSettings(false));
    const result = await unlocked.save({
      environment: { kind: 'production' },
      clientId: 'C1234567890abcdef',
      clientSecret: 'secret-1',
      keepRegistered: true,
      notifications: true,
      calls: { ring: true }, // not the form's to change: ignored
    });
    expect(result).toMatchObject({ ok: true, value: { calls: CHOSEN } });
    expect((await settings.load()).calls).toEqual(CHOSEN);
    const checked = validateSettings(
      {
        environment: { kind: 'production' },
        clientId: 'C1234567890abcdef',
        clientSecret: 's',
        keepRegistered: true,
        notifications: true,
      },
      { ...defaultSettings(false), calls: CHOSEN },
    );
    expect(checked).toMatchObject({ ok: true, value: { calls: CHOSEN } });
  });
});
