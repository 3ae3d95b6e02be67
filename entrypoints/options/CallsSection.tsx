import { useEffect, useRef, useState } from 'preact/hooks';
import {
  CALL_DEVICE_ROLES,
  type CallDeviceRole,
  type CallPreferences,
} from '../../lib/call-preferences';
import {
  type DeviceInfo,
  deviceChoices,
  namesHidden,
  volumePercent,
} from '../../lib/ui/call-devices';
import { requestErrorText } from '../../lib/ui/error-text';
import { type MessageKey, t } from '../../lib/ui/i18n';
import { settingsErrorTexts } from '../../lib/ui/settings-errors';
import type { SettingsSectionProps } from './SettingsForm';

const DEVICE_LABELS: Record<CallDeviceRole, MessageKey> = {
  microphone: 'callsMicrophoneLabel',
  speaker: 'callsSpeakerLabel',
  ringer: 'callsRingerLabel',
};

/**
 * "Calls": ring in this browser, the ring volume, and the microphone, speaker and ringer
 * devices. Each change is saved at once (`settings/calls`) and reaches the calls document, even
 * mid-call; nothing here is locked by a policy.
 */
export function CallsSection({ client, env, view, onSaved }: SettingsSectionProps) {
  const [prefs, setPrefs] = useState<CallPreferences>(view.settings.calls);
  const [volume, setVolume] = useState(volumePercent(view.settings.calls.ringVolume));
  const [devices, setDevices] = useState<DeviceInfo[]>([]);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string | null>(null);
  /** Saves run one after another, in the order the user made them. */
  const queue = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => {
    const source = env.audioDevices;
    if (!source || env.callsSupported === false) return;
    const list = () => source.list().then(setDevices, () => setDevices([]));
    list();
    return source.onChange(list);
  }, [env]);

  if (env.callsSupported === false) {
    return (
      <section class="panel call-prefs" id="calls" aria-labelledby="calls-title">
        <h2 id="calls-title">{t('callsSectionTitle')}</h2>
        <p class="muted">{t('callsUnsupported')}</p>
      </section>
    );
  }

  const save = (next: CallPreferences) => {
    setPrefs(next);
    setVolume(volumePercent(next.ringVolume));
    setSaved(false);
    setError(null);
    queue.current = queue.current.then(async () => {
      try {
        const answer = await client.request('settings/calls', { calls: next });
        const refused = Object.values(settingsErrorTexts(answer.errors ?? {}));
        if (refused.length > 0) {
          setError([t('errorNotSaved'), ...refused].join(' '));
          setPrefs(answer.settings.calls);
          setVolume(volumePercent(answer.settings.calls.ringVolume));
          return;
        }
        setSaved(true);
        onSaved(answer);
      } catch (failure) {
        setError(`${t('errorNotSaved')} ${requestErrorText(failure)}`);
        setPrefs(view.settings.calls);
        setVolume(volumePercent(view.settings.calls.ringVolume));
      }
    });
  };

  const hidden = namesHidden(devices);
  return (
    <section class="panel call-prefs" id="calls" aria-labelledby="calls-title">
      <h2 id="calls-title">{t('callsSectionTitle')}</h2>
      <p class="muted">{t('callsIntro')}</p>
      <label class="check">
        <input
          type="checkbox"
          checked={prefs.ring}
          aria-describedby="calls-ring-hint"
          onChange={(e) => save({ ...prefs, ring: e.currentTarget.checked })}
        />{' '}
        {t('callsRingLabel')}
      </label>
      <p class="hint muted" id="calls-ring-hint">
        {t('callsRingHint')}
      </p>
      <div class="field">
        <label for="calls-ring-volume">{t('callsRingVolumeLabel')}</label>
        <div class="inline">
          <input
            id="calls-ring-volume"
            type="range"
            min={0}
            max={100}
            step={5}
            value={volume}
            aria-valuetext={`${volume}%`}
            onInput={(e) => setVolume(Number(e.currentTarget.value))}
            onChange={(e) => save({ ...prefs, ringVolume: Number(e.currentTarget.value) / 100 })}
          />
          <output for="calls-ring-volume" aria-hidden="true">
            {volume}%
          </output>
        </div>
      </div>
      {CALL_DEVICE_ROLES.map((role) => (
        <div class="field" key={role}>
          <label for={`calls-${role}`}>{t(DEVICE_LABELS[role])}</label>
          <select
            id={`calls-${role}`}
            value={prefs.devices[role]}
            aria-describedby={hidden ? 'calls-devices-hidden' : undefined}
            onChange={(e) =>
              save({ ...prefs, devices: { ...prefs.devices, [role]: e.currentTarget.value } })
            }
          >
            {deviceChoices(devices, role, prefs.devices[role]).map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </div>
      ))}
      {hidden && (
        <p class="hint muted" id="calls-devices-hidden">
          {t('callsDevicesHidden')}{' '}
          <a href="/microphone.html" target="_blank" rel="noopener">
            {t('callsDevicesAllow')}
          </a>
        </p>
      )}
      <p role="status" class="confirm">
        {saved ? t('saved') : ''}
      </p>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
