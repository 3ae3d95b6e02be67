/**
 * Finding Mobius (reference/mobius-registration.md §3): U2C catalog, region, Mobius discovery and
 * the URI-list rules of `filterMobiusUris`. Protocol only; caching and fallbacks that need the
 * token live in the caller.
 */
import type { Fetch } from '../ports';
import { type Outcome, requestJson } from './http';
import { CALLING_USER_AGENT } from './mobius';
import {
  anything,
  arrayOf,
  httpUrl,
  nonEmptyStr,
  object,
  optional,
  recordOf,
  SchemaError,
  str,
} from './validate';

/** Appended to a Mobius base (`.../api/v1`) to get a server URL (SDK `URL_ENDPOINT`). */
export const CALLING_WEB_PATH = '/calling/web/';

export interface ServiceCatalog {
  wdmUrl: string;
  /** `serviceLinks.mobius`: a full base URL such as `https://mobius-us-east-1.../api/v1`. */
  mobiusLink?: string;
  /** Hosts of `hostCatalog` entries whose id ends `:mobius`, catalog order, de-duplicated. */
  mobiusHosts: string[];
}

const hostEntry = object({ host: nonEmptyStr, id: optional(str) });

const catalogSchema = object({
  // Values are read one by one below: an odd unrelated link must not sink the whole catalog.
  serviceLinks: recordOf(anything),
  hostCatalog: optional(recordOf(arrayOf(hostEntry))),
});

export function catalogUrl(u2cCatalog: string): string {
  return `${u2cCatalog}?format=hostmap`;
}

export async function fetchCatalog(
  fetch: Fetch,
  u2cCatalog: string,
  authorization: string,
): Promise<Outcome<ServiceCatalog>> {
  const outcome = await requestJson(
    fetch,
    catalogUrl(u2cCatalog),
    { method: 'GET', headers: { authorization, accept: 'application/json' } },
    catalogSchema,
    'Reading the Webex service catalog (U2C)',
  );
  if (!outcome.ok) return outcome;
  const { serviceLinks, hostCatalog } = outcome.value;
  const malformed = (message: string): Outcome<ServiceCatalog> => ({
    ok: false,
    error: { kind: 'malformed', status: outcome.status, message: `Service catalog: ${message}` },
  });
  const wdmUrl = checkedUrl(serviceLinks.wdm);
  if (!wdmUrl) return malformed('serviceLinks.wdm is missing or not a URL');
  const mobiusLink = checkedUrl(serviceLinks.mobius);
  const mobiusHosts = mobiusClusterHosts(hostCatalog ?? {});
  if (!mobiusLink && mobiusHosts.length === 0) {
    return malformed(
      'no Mobius service (serviceLinks.mobius or a hostCatalog entry ending ":mobius")',
    );
  }
  return { ...outcome, value: { wdmUrl: trimSlashes(wdmUrl), mobiusLink, mobiusHosts } };
}

function checkedUrl(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  try {
    return httpUrl(value, '');
  } catch (error) {
    if (error instanceof SchemaError) return undefined;
    throw error;
  }
}

/** webex-core `getMobiusClusters`: ids ending `:mobius`, catalog order, de-duplicated by host. */
export function mobiusClusterHosts(
  hostCatalog: Record<string, { host: string; id?: string }[]>,
): string[] {
  const hosts: string[] = [];
  for (const entries of Object.values(hostCatalog)) {
    for (const entry of entries) {
      if (entry.id?.endsWith(':mobius') && !hosts.includes(entry.host)) hosts.push(entry.host);
    }
  }
  return hosts;
}

const trimSlashes = (url: string) => url.replace(/\/+$/, '');

/**
 * Mobius bases to ask for discovery, in order: `serviceLinks.mobius` first (as main-branch SDKs
 * do), then the other catalog hosts with that link's scheme, so a plain-http emulator behaves
 * exactly like the https cloud.
 */
export function discoveryBases(catalog: ServiceCatalog): string[] {
  const bases: string[] = [];
  let scheme = 'https:';
  let linkHost: string | undefined;
  if (catalog.mobiusLink) {
    const link = new URL(catalog.mobiusLink);
    scheme = link.protocol;
    linkHost = link.host;
    bases.push(trimSlashes(catalog.mobiusLink));
  }
  for (const host of catalog.mobiusHosts) {
    if (host === linkHost) continue;
    const base = `${scheme}//${host}/api/v1`;
    if (!bases.includes(base)) bases.push(base);
  }
  return bases;
}

export interface Region {
  clientRegion: string;
  countryCode: string;
}

const regionSchema = object({ clientRegion: optional(str), countryCode: optional(str) });

/** GET region: no Authorization, no spark-user-agent (3.12.0). Empty fields are "unknown". */
export async function fetchRegion(fetch: Fetch, regionUrl: string): Promise<Outcome<Region>> {
  const outcome = await requestJson(
    fetch,
    regionUrl,
    { method: 'GET', headers: { accept: 'application/json' } },
    regionSchema,
    'Looking up your region',
  );
  if (!outcome.ok) return outcome;
  const { clientRegion = '', countryCode = '' } = outcome.value;
  if (!clientRegion || !countryCode) {
    return {
      ok: false,
      error: {
        kind: 'malformed',
        status: outcome.status,
        message: 'Region lookup: the answer has no clientRegion or countryCode',
      },
    };
  }
  return { ...outcome, value: { clientRegion, countryCode } };
}

export interface MobiusServers {
  /** Server URLs ending `/calling/web/`, in the order to try them. */
  primary: string[];
  backup: string[];
}

const serverGroup = optional(object({ region: optional(str), uris: optional(arrayOf(httpUrl)) }));
const discoverySchema = object({ primary: serverGroup, backup: serverGroup });
export type DiscoveryAnswer = ReturnType<typeof discoverySchema>;

export function serverUrlFromBase(base: string): string {
  return `${trimSlashes(base)}${CALLING_WEB_PATH}`;
}

/**
 * SDK `filterMobiusUris`: append `/calling/web/` to every uri; add the discovery base itself to
 * the backups (or to the primaries when both lists are empty); de-duplicate keeping order.
 */
export function filterMobiusUris(answer: DiscoveryAnswer, discoveryBase: string): MobiusServers {
  const primary = (answer.primary?.uris ?? []).map(serverUrlFromBase);
  const backup = (answer.backup?.uris ?? []).map(serverUrlFromBase);
  const fallback = serverUrlFromBase(discoveryBase);
  if (primary.length === 0 && backup.length === 0) primary.push(fallback);
  else backup.push(fallback);
  return { primary: [...new Set(primary)], backup: [...new Set(backup)] };
}

/** GET {base}/calling/web/?regionCode=..&countryCode=.. on one Mobius base. */
export async function discoverAt(
  fetch: Fetch,
  base: string,
  region: Region,
  headers: { authorization: string; clientDeviceUri: string },
): Promise<Outcome<MobiusServers>> {
  const query = new URLSearchParams({
    regionCode: region.clientRegion,
    countryCode: region.countryCode,
  });
  const outcome = await requestJson(
    fetch,
    `${serverUrlFromBase(base)}?${query}`,
    {
      method: 'GET',
      headers: {
        authorization: headers.authorization,
        'cisco-device-url': headers.clientDeviceUri,
        'spark-user-agent': CALLING_USER_AGENT,
        accept: 'application/json',
      },
    },
    discoverySchema,
    'Mobius discovery',
  );
  return outcome.ok ? { ...outcome, value: filterMobiusUris(outcome.value, base) } : outcome;
}

/**
 * The SDK's fallback when the region is unknown or discovery hit a 401: the first cluster as the
 * only primary, no backups.
 */
export function fallbackServers(bases: string[]): MobiusServers {
  const [first] = bases;
  return { primary: first ? [serverUrlFromBase(first)] : [], backup: [] };
}
