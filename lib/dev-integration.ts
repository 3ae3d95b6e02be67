/**
 * The demo integration known to the local Webex Calling emulator. Development builds of the
 * extension default to it (and to the emulator's base URL); production builds default to
 * Webex with no credentials. The secret is not a secret: it only opens the local emulator.
 */
export const DEV_EXTENSION_ID = 'lclgmdimnbpfealagmcigipoidjcdeol';
export const DEV_REDIRECT_URL = `https://${DEV_EXTENSION_ID}.chromiumapp.org/`;
/** The Firefox add-on id (manifest browser_specific_settings.gecko.id; policies.json keys on it). */
export const FIREFOX_ADDON_ID = 'webex-line@extension.local';
/**
 * Firefox's identity.getRedirectURL(): `https://<sha1 hex of the add-on id>.extensions.allizom.org/`,
 * fixed by the add-on id (not the per-install uuid).
 */
export const FIREFOX_REDIRECT_URL =
  'https://dc5be08661d9c25f875af6c0226b3e5f6230d54d.extensions.allizom.org/';
export const DEMO_CLIENT_ID = 'C5d2e4b1a9f3c7e6d0b8a2f4e1c3d5b7a9f0e2d4c6b8a1f3e5d7c9b0a2e4f6d81';
export const DEMO_CLIENT_SECRET = 'demo-secret-3f1c9a7e5b2d8f0a6c4e1b9d7f3a5c2e';
/** Default emulator listeners: base URL B (cloud-wide endpoints), then Mobius primary and backup. */
export const EMULATOR_DEFAULT_PORTS = { base: 8790, primary: 8791, backup: 8792 } as const;
export const EMULATOR_DEFAULT_BASE_URL = `http://127.0.0.1:${EMULATOR_DEFAULT_PORTS.base}`;
