import type { DeviceInfo } from '../../lib/ui/call-devices';

/** Browser calls the options page makes besides messaging; injectable for tests. */
export interface OptionsEnv {
  /**
   * `permissions.request`. Call it synchronously inside the click or submit handler: Chrome only
   * shows the prompt during a user gesture.
   */
  requestOrigins(origins: string[]): Promise<boolean>;
  /** `permissions.contains`: whether the extension already holds access to these origins. */
  hasOrigins(origins: string[]): Promise<boolean>;
  copyText(text: string): Promise<void>;
  /** Save `text` as a file the user downloads. */
  download(filename: string, text: string, mimeType: string): void;
  extensionVersion(): string;
  /** An origin to offer in the add-site box (from the popup's "use on this site"). */
  initialAddSite: string | null;
  /** A section to bring into view (`?show=devices` from the popup's device-limit error). */
  initialSection?: 'devices' | null;
  /** This browser can hold calls (false in Firefox: no offscreen documents). Default true. */
  callsSupported?: boolean;
  /** The audio devices (`enumerateDevices`), and a call whenever they may have changed. */
  audioDevices?: {
    list(): Promise<DeviceInfo[]>;
    /** Returns the unsubscribe. */
    onChange(listener: () => void): () => void;
  };
}
