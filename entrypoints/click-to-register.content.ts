import { defineContentScript } from 'wxt/utils/define-content-script';
import { createPageMessagingClient } from '../lib/messaging/client';
import { claimFrame, startClickToRegister } from '../lib/ui/click-to-register';

/**
 * Not in the manifest: the background registers it (scripting.registerContentScripts, file
 * `content-scripts/click-to-register.js`) for the sites the user opted in to. No `matches`
 * here on purpose: WXT would add them to host_permissions, and the extension must ask for no
 * access to sites the user did not choose.
 */
export default defineContentScript({
  registration: 'runtime',
  // WXT would otherwise window.postMessage its start-up notice, which carries the extension id,
  // to the page; its document event is enough to stop an older copy of this script.
  noScriptStartedPostMessage: true,
  main(ctx) {
    // Registration plus an injection into already-open tabs can run this twice in one frame.
    const release = claimFrame(globalThis);
    if (!release) return;

    const controller = startClickToRegister({
      document,
      client: createPageMessagingClient(),
    });
    ctx.onInvalidated(() => {
      controller.stop();
      release();
    });
  },
});
