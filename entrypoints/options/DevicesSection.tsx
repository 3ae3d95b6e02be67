import { useEffect, useRef, useState } from 'preact/hooks';
import type { MessagingClient } from '../../lib/messaging/client';
import type { DeviceView } from '../../lib/messaging/protocol';
import { requestErrorText } from '../../lib/ui/error-text';
import { formatDateTime } from '../../lib/ui/format';
import { t } from '../../lib/ui/i18n';

/**
 * "Your devices": every device Webex Calling has registered for the user, this browser's marked.
 * Any but the line's own can be removed (a stale one of this extension, an old browser); the
 * line's own is removed with Deregister in the popup.
 */
export function DevicesSection({
  client,
  focus,
}: {
  client: MessagingClient;
  /** Opened from the popup's device-limit error: bring this section into view. */
  focus: boolean;
}) {
  const [devices, setDevices] = useState<DeviceView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = () => {
    setError(null);
    client.request('devices/list', {}).then(
      (result) => setDevices(result.devices),
      (failure: unknown) => setError(requestErrorText(failure)),
    );
  };
  useEffect(load, [client]);
  useEffect(() => {
    if (focus) heading.current?.focus();
  }, [focus]);

  const remove = (deviceId: string) => {
    if (removing) return;
    setRemoving(deviceId);
    setError(null);
    client
      .request('devices/remove', { deviceId })
      .then(
        (result) => setDevices(result.devices),
        (failure: unknown) => setError(requestErrorText(failure)),
      )
      .finally(() => setRemoving(null));
  };

  return (
    <section class="panel" id="devices" aria-labelledby="devices-title">
      <h2 id="devices-title" ref={heading} tabIndex={-1}>
        {t('devicesTitle')}
      </h2>
      <p class="muted">{t('devicesIntro')}</p>
      <div class="inline">
        <button type="button" class="button" onClick={load}>
          {t('refresh')}
        </button>
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {devices === null && !error && (
        <p class="loading" aria-busy="true">
          <span class="spinner" aria-hidden="true" /> {t('loading')}
        </p>
      )}
      {devices !== null && devices.length === 0 && <p>{t('devicesNone')}</p>}
      {devices !== null && devices.length > 0 && (
        <ul class="devices">
          {devices.map((device) => (
            <li key={device.deviceId} class="device" data-device={device.deviceId}>
              <div class="device-text">
                <p class="device-name">
                  {device.current
                    ? t('deviceThisLine')
                    : device.thisBrowser
                      ? t('deviceThisBrowser')
                      : t('deviceOther')}
                </p>
                <p class="muted">
                  {device.lastSeen
                    ? t('deviceLastSeen', formatDateTime(device.lastSeen))
                    : t('deviceNeverSeen')}
                  {device.addresses[0] ? ` · ${device.addresses[0]}` : ''}
                </p>
              </div>
              {device.current ? (
                <p class="muted">{t('deviceRemoveWithDeregister')}</p>
              ) : (
                <button
                  type="button"
                  class="button"
                  aria-disabled={removing ? 'true' : undefined}
                  aria-describedby="device-remove-note"
                  onClick={() => remove(device.deviceId)}
                >
                  {removing === device.deviceId ? t('deviceRemoving') : t('deviceRemove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <p class="hint muted" id="device-remove-note">
        {t('deviceRemoveNote')}
      </p>
    </section>
  );
}
