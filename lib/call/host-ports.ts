/**
 * The browser APIs the service worker's calls host uses (lib/app/calls-host.ts), as ports:
 * lib/platform implements them, so platform code never imports the app layer.
 */
import type { CallView, EndedCallView, ToOffscreen } from '../messaging/calls';

/** chrome.offscreen, reduced (absent in Firefox). */
export interface OffscreenPort {
  exists(): Promise<boolean>;
  create(): Promise<void>;
  close(): Promise<void>;
  send(message: ToOffscreen): Promise<unknown>;
}

export interface CallNotifier {
  ringing(call: CallView): Promise<void>;
  missed(call: EndedCallView): Promise<void>;
  clear(key: string): Promise<void>;
}
