import { render } from 'preact';
import { queryMicrophone, requestMicrophone, watchMicrophone } from '../../lib/platform/microphone';
import { messagesLanguage, t } from '../../lib/ui/i18n';
import { type MicrophoneEnv, MicrophonePage } from './MicrophonePage';
import '../../lib/ui/theme.css';
import './microphone.css';

const env: MicrophoneEnv = {
  query: queryMicrophone,
  watch: watchMicrophone,
  request: requestMicrophone,
};

document.documentElement.lang = messagesLanguage();
document.title = t('micPageTitle');
render(<MicrophonePage env={env} />, document.getElementById('app') as HTMLElement);
