/**
 * The settings that point the extension at an emulator with the demo integration: one object
 * for the Chromium and the Firefox suites (this module imports no browser driver).
 */
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../lib/dev-integration';

export function emulatorSettings(baseUrl: string, overrides: Record<string, unknown> = {}) {
  return {
    environment: { kind: 'custom' as const, baseUrl },
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    keepRegistered: true,
    notifications: false,
    ...overrides,
  };
}
