import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EMULATOR_DEFAULT_BASE_URL } from './dev-integration';
import { PRODUCTION_DEFAULTS, type Settings } from './settings';

/**
 * First-run settings. Development builds point at the local emulator and its demo integration so
 * `npm start` works with no Webex account; production builds point at Webex with no credentials.
 */
export function defaultSettings(development: boolean): Settings {
  if (!development) return structuredClone(PRODUCTION_DEFAULTS);
  const emulatorOrigin = new URL(EMULATOR_DEFAULT_BASE_URL).origin;
  return {
    ...structuredClone(PRODUCTION_DEFAULTS),
    environment: { kind: 'custom', baseUrl: EMULATOR_DEFAULT_BASE_URL },
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    // The emulator's demo page uses click-to-register.
    sites: [emulatorOrigin],
  };
}
