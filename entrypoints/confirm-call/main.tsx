import { render } from 'preact';
import { request } from '../../lib/messaging/client';
import { messagesLanguage, t } from '../../lib/ui/i18n';
import { ConfirmCall, type ConfirmCallEnv } from './ConfirmCall';
import '../../lib/ui/theme.css';
import './confirm-call.css';

/** The background opens this page as `confirm-call.html#<requestId>` in a popup window. */
const env: ConfirmCallEnv = {
  requestId: decodeURIComponent(location.hash.slice(1)),
  details: (requestId) => request('pageCall/get', { requestId }),
  confirm: (requestId, accept) => request('pageCall/confirm', { requestId, accept }),
  close: () => window.close(),
  focused: () => document.hasFocus(),
  events: window,
};

document.documentElement.lang = messagesLanguage();
document.title = t('confirmCallPageTitle');
render(<ConfirmCall env={env} />, document.getElementById('app') as HTMLElement);
