import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { createPageMessagingClient, type PageRuntime } from '../lib/messaging/page-client';
import { claimFrame, startClickToRegister } from '../lib/ui/click-to-register';

/** `chrome` as this script uses it: no webextension-polyfill here (see page-client.ts). */
declare const chrome: { runtime: PageRuntime };

/**
 * The click-to-register content script. An unlisted script, not a WXT content script: the
 * background registers it (scripting.registerContentScripts, file `click-to-register.js`, top
 * frames only) for the sites the user opted in to, so nothing about it is in the manifest and
 * the extension asks for no access to sites the user did not choose. WXT wraps an unlisted
 * script in nothing: no ContentScriptContext, so no webextension-polyfill through it and no
 * start-up notice to the page. The page messaging client tells when the extension is gone (the
 * background closes the port, a connect throws, or `chrome.runtime.id` is gone, which it checks
 * on every disconnect and until the worker answers a reconnect); the controller then stops,
 * clears the status and frees the frame.
 */
export default defineUnlistedScript(() => {
  // One copy per frame, whatever injects it twice.
  const release = claimFrame(globalThis);
  if (!release) return;
  startClickToRegister({
    document,
    client: createPageMessagingClient(chrome.runtime),
    onStop: release,
  });
});
