import { render } from 'preact';
import { browser } from 'wxt/browser';
import { createRecentNumbers, RECENT_NUMBERS_DB } from '../../lib/app/recent-numbers';
import { messagingClient } from '../../lib/messaging/client';
import { deadlineStore } from '../../lib/platform/deadline-store';
import { createIdbStore } from '../../lib/platform/store';
import { messagesLanguage, t } from '../../lib/ui/i18n';
import { Popup, type PopupEnv } from './Popup';
import '../../lib/ui/theme.css';
import './popup.css';

const env: PopupEnv = {
  openOptions(query) {
    if (query) {
      void browser.tabs.create({ url: `${browser.runtime.getURL('/options.html')}?${query}` });
    } else {
      void browser.runtime.openOptionsPage();
    }
    window.close();
  },
  openMicrophone() {
    void browser.tabs.create({ url: browser.runtime.getURL('/microphone.html') });
    window.close();
  },
  // The popup's own database: the worker erases it when the session ends.
  recentNumbers: createRecentNumbers(deadlineStore(createIdbStore(RECENT_NUMBERS_DB))),
  async shortcuts() {
    const commands = await browser.commands.getAll();
    return commands.map((command) => ({
      name: command.name ?? '',
      description: command.description ?? '',
      shortcut: command.shortcut ?? '',
    }));
  },
  async activeTabOrigin() {
    // The URL is only visible with activeTab or a host permission; otherwise there is no link.
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    if (!tab?.url) return null;
    const url = new URL(tab.url);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  },
};

document.documentElement.lang = messagesLanguage();
document.title = t('extName');
render(
  <Popup client={messagingClient()} env={env} />,
  document.getElementById('app') as HTMLElement,
);
