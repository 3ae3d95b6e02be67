/**
 * Loads the unmodified @webex/calling 3.12.0 in Node. Its CommonJS build loads; its ESM build
 * does not (extensionless imports). The browser shims must be installed first: the package's
 * media dependencies read `window.navigator` while loading.
 */
import { createRequire } from 'node:module';
import type { CallingClientConfig, ICallingClient } from '@webex/calling';
import type { WebexAdapter } from './webex-adapter';

export interface CallingModule {
  createClient: (webex: WebexAdapter, config?: CallingClientConfig) => Promise<ICallingClient>;
}

export const CALLING_SDK_VERSION = '3.12.0';

const requireCjs = createRequire(import.meta.url);

export function loadCallingSdk(): CallingModule {
  if (!('window' in globalThis)) {
    throw new Error('install the browser shims before loading @webex/calling');
  }
  const { version } = requireCjs('@webex/calling/package.json') as { version: string };
  if (version !== CALLING_SDK_VERSION) {
    throw new Error(`expected @webex/calling ${CALLING_SDK_VERSION}, found ${version}`);
  }
  return requireCjs('@webex/calling/dist/index.js') as CallingModule;
}
