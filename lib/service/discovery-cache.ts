/**
 * Discovery with persistent caches: people/me, the U2C catalog, the WDM device, and the Mobius
 * server lists. With warm caches, preparing a registration costs no request at all, so
 * re-registering costs exactly one (the register POST). Everything is keyed by the environment
 * and integration, so changing either never reuses the other's data.
 */
import type { SessionIdentity } from '../auth/tokens';
import type { Authorize, PrepareResult, RegistrationContextProvider } from '../line/deps';
import type { Clock, Fetch, Store } from '../ports';
import type { Settings } from '../settings';
import {
  discoverAt,
  discoveryBases,
  fallbackServers,
  fetchCatalog,
  fetchRegion,
  type MobiusServers,
  type ServiceCatalog,
} from '../webex/discovery';
import { type CloudEndpoints, endpointsFor, environmentKey } from '../webex/environment';
import type { Outcome, WebexFailure } from '../webex/http';
import { checkedSocketUrl } from '../webex/mercury';
import { fetchPeopleMe, type PeopleMe } from '../webex/people';
import { hostOf, isTrustedUrl } from '../webex/trust';
import { fetchWdmDevice, registerWdmDevice, type WdmDevice } from '../webex/wdm';

export const DISCOVERY_KEYS = {
  people: 'webex:people',
  catalog: 'webex:catalog',
  wdmDevice: 'webex:wdmDevice',
  servers: 'webex:mobiusServers',
} as const;

interface Cached<T> {
  environment: string;
  at: number;
  value: T;
}

export interface DiscoveryCacheDeps {
  store: Store;
  clock: Clock;
  fetch: Fetch;
  /** The session's Webex calls: its token, only to the hosts its environment trusts. */
  authorize: Authorize;
  /** Discovery belongs to the signed-in session: its environment, never the settings'. */
  identity(): Promise<SessionIdentity | undefined>;
  /** How long the catalog and server lists are trusted (read at each use: dev overrides). */
  ttlMs(): number;
  log(kind: string, message: string, data?: Record<string, unknown>): void;
}

export const SIGNING_OUT: WebexFailure = { kind: 'auth', definitive: true, message: 'Signing out' };

type Where = { endpoints: CloudEndpoints; environment: string; session: SessionIdentity };

export class DiscoveryCache implements RegistrationContextProvider {
  constructor(private readonly deps: DiscoveryCacheDeps) {}

  /** Every request asks `stop` first: "Your devices" never names a WDM device being deleted. */
  guarded(stop: () => Promise<boolean>): DiscoveryCache {
    const authorize: Authorize = async (url, call) =>
      (await stop()) ? { ok: false, error: SIGNING_OUT } : this.deps.authorize(url, call);
    return new DiscoveryCache({ ...this.deps, authorize });
  }

  async prepare(): Promise<PrepareResult> {
    const where = await this.where();
    if (!where.ok) return where;
    const { endpoints, environment } = where.value;

    const people = await this.people(where.value);
    if (!people.ok) return people;

    const catalog = await this.remember(
      DISCOVERY_KEYS.catalog,
      environment,
      this.deps.ttlMs(),
      () =>
        this.deps.authorize(endpoints.u2cCatalog, (auth) =>
          fetchCatalog(this.deps.fetch, endpoints.u2cCatalog, auth),
        ),
    );
    if (!catalog.ok) return catalog;

    const cachedDevice = await this.read<WdmDevice>(
      DISCOVERY_KEYS.wdmDevice,
      environment,
      Number.POSITIVE_INFINITY,
    );
    const wdm = await this.remember(
      DISCOVERY_KEYS.wdmDevice,
      environment,
      Number.POSITIVE_INFINITY,
      () =>
        this.deps.authorize(catalog.value.wdmUrl, (auth) =>
          registerWdmDevice(this.deps.fetch, catalog.value.wdmUrl, auth),
        ),
    );
    if (!wdm.ok) return wdm;

    const servers = await this.servers(where.value, catalog.value, wdm.value);
    if (!servers.ok) return servers;

    return {
      ok: true,
      context: {
        // WDM's userId is what the SDK sends; people/me's id is the same UUID.
        userId: wdm.value.userId || people.value.userId,
        clientDeviceUri: wdm.value.url,
        primary: servers.value.primary,
        backup: servers.value.backup,
        wdmFromCache: cachedDevice !== undefined,
      },
    };
  }

  /** The cached profile for the current environment, without any request (snapshots). */
  async cachedPeople(settings: Settings): Promise<PeopleMe | undefined> {
    return this.read<PeopleMe>(
      DISCOVERY_KEYS.people,
      environmentKey(settings.environment, settings.clientId),
      Number.POSITIVE_INFINITY,
    );
  }

  /** Store a profile read elsewhere (sign-in reads it with the new token before saving it). */
  rememberPeople(settings: Settings, people: PeopleMe): Promise<void> {
    return this.write(
      DISCOVERY_KEYS.people,
      environmentKey(settings.environment, settings.clientId),
      people,
    );
  }

  /** The stored WDM device whatever the environment (sign-out deletes it). */
  async storedWdmDevice(): Promise<WdmDevice | undefined> {
    return (await this.deps.store.get<Cached<WdmDevice>>(DISCOVERY_KEYS.wdmDevice))?.value;
  }

  /**
   * Mercury's address for the session's WDM device, checked against the session's environment
   * before a token may go to it (a device cached by an older build is read again from WDM).
   */
  async webSocketUrl(): Promise<Outcome<string>> {
    const where = await this.where();
    if (!where.ok) return where;
    const { environment, session } = where.value;
    const key = DISCOVERY_KEYS.wdmDevice;
    let device = await this.read<WdmDevice>(key, environment, Number.POSITIVE_INFINITY);
    if (!device) return { ok: false, error: { kind: 'config', message: 'No Webex device yet' } };
    if (!device.webSocketUrl) {
      const url = device.url;
      const fresh = await this.deps.authorize(url, (auth) =>
        fetchWdmDevice(this.deps.fetch, url, auth),
      );
      if (!fresh.ok) return fresh;
      device = { ...device, ...fresh.value, url };
      await this.write(key, environment, device);
    }
    const checked = checkedSocketUrl(device.webSocketUrl, session.environment);
    if (!checked.ok)
      this.deps.log('discovery', 'No usable Mercury address', { why: checked.error.message });
    return checked;
  }

  async forgetDevice(): Promise<void> {
    await this.deps.store.del(DISCOVERY_KEYS.wdmDevice);
    await this.deps.store.del(DISCOVERY_KEYS.servers);
  }

  async forgetServers(): Promise<void> {
    await this.deps.store.del(DISCOVERY_KEYS.servers);
  }

  async clear(): Promise<void> {
    for (const key of Object.values(DISCOVERY_KEYS)) await this.deps.store.del(key);
  }

  private async where(): Promise<Outcome<Where>> {
    const session = await this.deps.identity();
    if (!session) {
      return { ok: false, error: { kind: 'auth', definitive: true, message: 'Not signed in' } };
    }
    const endpoints = endpointsFor(session.environment);
    if (!endpoints.ok) return { ok: false, error: { kind: 'config', message: endpoints.message } };
    return {
      ok: true,
      status: 200,
      value: {
        endpoints: endpoints.endpoints,
        environment: environmentKey(session.environment, session.clientId),
        session,
      },
    };
  }

  private people(where: Where): Promise<Outcome<PeopleMe>> {
    return this.remember(DISCOVERY_KEYS.people, where.environment, Number.POSITIVE_INFINITY, () =>
      this.deps.authorize(where.endpoints.peopleMe, (auth) =>
        fetchPeopleMe(this.deps.fetch, where.endpoints.peopleMe, auth),
      ),
    );
  }

  /**
   * Region, then Mobius discovery on each base in order (serviceLinks.mobius first). The SDK's
   * fallback (first cluster as the only primary) applies when the region lookup failed (for any
   * reason) or discovery hit a 401; we also use it when every base answered with an error (the
   * SDK would silently do nothing). A fallback list is not cached, so the next registration
   * tries discovery again.
   */
  private async servers(
    { endpoints, environment, session }: Where,
    catalog: ServiceCatalog,
    wdm: WdmDevice,
  ): Promise<Outcome<MobiusServers>> {
    const cached = await this.read<MobiusServers>(
      DISCOVERY_KEYS.servers,
      environment,
      this.deps.ttlMs(),
    );
    if (cached) return { ok: true, value: cached, status: 200 };
    const { fetch, log } = this.deps;
    const bases = discoveryBases(catalog);
    const fallback = (why: string): Outcome<MobiusServers> => {
      log('discovery', `Using the first Mobius cluster (${why})`, { base: bases[0] });
      return { ok: true, value: fallbackServers(bases), status: 200 };
    };
    const region = await fetchRegion(fetch, endpoints.region);
    // Any failed region lookup, unreachable included, means the SDK's fallback (§3.4): the region
    // service may be blocked while Mobius is not, and when the network is down the registration
    // POST finds that out and waits for it.
    if (!region.ok) return fallback(`region unknown: ${region.error.message}`);
    let onlyNetwork = true;
    for (const base of bases) {
      const found = await this.deps.authorize(base, (authorization) =>
        discoverAt(fetch, base, region.value, { authorization, clientDeviceUri: wdm.url }),
      );
      if (found.ok) {
        const untrusted = [...found.value.primary, ...found.value.backup].find(
          (url) => !isTrustedUrl(url, session.environment),
        );
        if (untrusted) {
          const message = `Mobius discovery named ${hostOf(untrusted)}, which is not a host of this environment`;
          log('discovery', 'Refused an untrusted Mobius server', { base, host: hostOf(untrusted) });
          return { ok: false, error: { kind: 'untrusted', message } };
        }
        log('discovery', 'Mobius servers found', { base, ...found.value });
        await this.write(DISCOVERY_KEYS.servers, environment, found.value);
        return found;
      }
      log('discovery', 'Mobius discovery failed', { base, error: found.error.message });
      // A catalog host the environment does not trust: refused, and said so.
      if (found.error.kind === 'untrusted') return found;
      if (found.error.kind === 'auth') {
        if (found.error.definitive) return found;
        return fallback('discovery refused the token');
      }
      if (found.error.kind !== 'network') onlyNetwork = false;
    }
    if (onlyNetwork && bases.length > 0) {
      const failure: WebexFailure = {
        kind: 'network',
        message: 'No Mobius discovery server could be reached',
      };
      return { ok: false, error: failure };
    }
    return fallback('every discovery server failed');
  }

  private async read<T>(key: string, environment: string, ttlMs: number): Promise<T | undefined> {
    const entry = await this.deps.store.get<Cached<T>>(key);
    if (!entry || entry.environment !== environment) return undefined;
    if (this.deps.clock.now() - entry.at > ttlMs) return undefined;
    return entry.value;
  }

  private write<T>(key: string, environment: string, value: T): Promise<void> {
    return this.deps.store.set(key, {
      environment,
      at: this.deps.clock.now(),
      value,
    } satisfies Cached<T>);
  }

  /** Cached value, else `load()` and cache its success. */
  private async remember<T>(
    key: string,
    environment: string,
    ttlMs: number,
    load: () => Promise<Outcome<T>>,
  ): Promise<Outcome<T>> {
    const cached = await this.read<T>(key, environment, ttlMs);
    if (cached !== undefined) return { ok: true, value: cached, status: 200 };
    const loaded = await load();
    if (loaded.ok) await this.write(key, environment, loaded.value);
    return loaded;
  }
}
