import { render } from 'preact';
import { browser } from 'wxt/browser';
import { messagingClient } from '../../lib/messaging/client';
import { normalizeOrigin } from '../../lib/settings';
import { messagesLanguage, t } from '../../lib/ui/i18n';
import type { OptionsEnv } from './env';
import { Options } from './Options';
import '../../lib/ui/theme.css';
import './options.css';

const env: OptionsEnv = {
  requestOrigins: (origins) => browser.permissions.request({ origins }),
  hasOrigins: (origins) => browser.permissions.contains({ origins }),
  copyText: (text) => navigator.clipboard.writeText(text),
  download(filename, text, mimeType) {
    const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    // Revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  },
  extensionVersion: () => browser.runtime.getManifest().version,
  initialAddSite: normalizeOrigin(new URLSearchParams(location.search).get('addSite') ?? ''),
  initialSection: new URLSearchParams(location.search).get('show') === 'devices' ? 'devices' : null,
  // Firefox has no offscreen documents: this browser cannot hold calls.
  callsSupported: !import.meta.env.FIREFOX,
  audioDevices: {
    list: async () => (await navigator.mediaDevices?.enumerateDevices()) ?? [],
    onChange(listener) {
      // A device plugged in or out; back from the microphone page (names may be shown now).
      navigator.mediaDevices?.addEventListener('devicechange', listener);
      window.addEventListener('focus', listener);
      return () => {
        navigator.mediaDevices?.removeEventListener('devicechange', listener);
        window.removeEventListener('focus', listener);
      };
    },
  },
};

document.documentElement.lang = messagesLanguage();
document.title = t('optionsTitle');
render(
  <Options client={messagingClient()} env={env} />,
  document.getElementById('app') as HTMLElement,
);
