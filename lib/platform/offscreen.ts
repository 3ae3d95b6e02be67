import { browser } from 'wxt/browser';
import type { OffscreenPort } from '../call/host-ports';
import { OFFSCREEN_PATH } from '../messaging/calls';

/**
 * chrome.offscreen for the calls document: the microphone and WebRTC for calls, audio for the
 * ringtone and the other party (reference/mobius-calls.md §7.2: a document with USER_MEDIA and
 * WEB_RTC is not closed when idle, unlike AUDIO_PLAYBACK alone). Null where there is no such
 * API (Firefox): that browser cannot hold calls, and says so.
 */
interface ChromeOffscreenApi {
  offscreen?: {
    createDocument(options: {
      url: string;
      reasons: string[];
      justification: string;
    }): Promise<void>;
    closeDocument(): Promise<void>;
  };
  runtime: {
    getContexts?(filter: { contextTypes: string[]; documentUrls: string[] }): Promise<unknown[]>;
  };
}

export function chromeOffscreen(): OffscreenPort | null {
  const chromeApi = (globalThis as { chrome?: ChromeOffscreenApi }).chrome;
  const offscreen = chromeApi?.offscreen;
  const getContexts = chromeApi?.runtime.getContexts?.bind(chromeApi.runtime);
  if (!offscreen || !getContexts) return null;
  const url = browser.runtime.getURL(OFFSCREEN_PATH);
  let creating: Promise<void> | null = null;
  const exists = async () => {
    const contexts = await getContexts({
      contextTypes: ['OFFSCREEN_DOCUMENT'],
      documentUrls: [url],
    });
    return contexts.length > 0;
  };
  return {
    exists,
    async create() {
      // Only one may exist: a second create while the first is under way fails.
      creating ??= offscreen
        .createDocument({
          url,
          reasons: ['USER_MEDIA', 'WEB_RTC', 'AUDIO_PLAYBACK'],
          justification: 'Receive Webex calls on the registered line: ring, answer, and audio.',
        })
        .catch(async (error: unknown) => {
          if (!(await exists())) throw error;
        })
        .finally(() => {
          creating = null;
        });
      await creating;
    },
    async close() {
      if (await exists()) await offscreen.closeDocument();
    },
    send: (message) => browser.runtime.sendMessage(message),
  };
}
