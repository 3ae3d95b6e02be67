/**
 * Settings.environment -> the cloud-wide endpoints. WDM and Mobius never appear here: they always
 * come from the U2C catalog, so a custom environment (the local emulator) only needs one base URL.
 */
import { type Environment, normalizeBaseUrl } from '../settings';

export interface CloudEndpoints {
  authorize: string;
  accessToken: string;
  peopleMe: string;
  /** U2C catalog, without the `?format=hostmap` query. */
  u2cCatalog: string;
  region: string;
}

export const PRODUCTION_ENDPOINTS: CloudEndpoints = {
  authorize: 'https://webexapis.com/v1/authorize',
  accessToken: 'https://webexapis.com/v1/access_token',
  peopleMe: 'https://webexapis.com/v1/people/me',
  u2cCatalog: 'https://u2c.wbx2.com/u2c/api/v1/catalog',
  region: 'https://ds.ciscospark.com/v1/region',
};

export type EndpointsResult =
  | { ok: true; endpoints: CloudEndpoints }
  | { ok: false; message: string };

export function endpointsFor(environment: Environment): EndpointsResult {
  if (environment.kind === 'production') return { ok: true, endpoints: PRODUCTION_ENDPOINTS };
  // Settings are validated on save; re-check so a bad stored value is a clear error here too.
  const base = normalizeBaseUrl(environment.baseUrl);
  if (!base) {
    return {
      ok: false,
      message: `The custom environment URL "${environment.baseUrl}" is not a valid http(s) URL.`,
    };
  }
  return {
    ok: true,
    endpoints: {
      authorize: `${base}/v1/authorize`,
      accessToken: `${base}/v1/access_token`,
      peopleMe: `${base}/v1/people/me`,
      u2cCatalog: `${base}/u2c/api/v1/catalog`,
      region: `${base}/v1/region`,
    },
  };
}

/**
 * Identifies "which cloud and which integration" tokens and caches belong to. When the settings
 * change it, everything tied to the old one is dropped.
 */
export function environmentKey(environment: Environment, clientId: string): string {
  const where = environment.kind === 'production' ? 'production' : environment.baseUrl;
  return `${where}|${clientId}`;
}
