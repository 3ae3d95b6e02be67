/**
 * `webex.internal.services` as @webex/calling sees it, filled from a U2C `format=hostmap`
 * catalog. The parsing is not ours: it borrows webex-core 3.12.0's own `Services` methods
 * (`_formatReceivedHostmap`, `getMobiusClusters`), so the emulator's catalog is read by the
 * same code that reads the real one.
 */
import { createRequire } from 'node:module';

export interface ServiceHost {
  host: string;
  ttl: number;
  priority: number;
  id: string;
  homeCluster?: boolean;
}

export interface Hostmap {
  serviceLinks: Record<string, string>;
  hostCatalog: Record<string, ServiceHost[]>;
}

interface ServicesState {
  logger: { info: (...args: unknown[]) => void; error: (...args: unknown[]) => void };
  _hostCatalog: Record<string, ServiceHost[]>;
  _serviceUrls: Record<string, string>;
  _updateHostCatalog: (hostCatalog: Record<string, ServiceHost[]>) => void;
  _updateServiceUrls: (serviceUrls: Record<string, string>) => void;
}

interface WebexCoreServicesPrototype {
  _updateHostCatalog: ServicesState['_updateHostCatalog'];
  _updateServiceUrls: ServicesState['_updateServiceUrls'];
  _formatReceivedHostmap: (this: ServicesState, hostmap: Hostmap) => unknown;
  getMobiusClusters: (this: ServicesState) => ServiceHost[];
}

const requireCjs = createRequire(import.meta.url);
const webexCoreServices = (
  requireCjs('@webex/webex-core/dist/lib/services/services.js') as {
    default: { prototype: WebexCoreServicesPrototype };
  }
).default.prototype;

export interface CatalogServices {
  _hostCatalog: Record<string, ServiceHost[]>;
  _serviceUrls: Record<string, string>;
  _activeServices: Record<string, string>;
  get: (service: string) => string | undefined;
  getMobiusClusters: () => ServiceHost[];
}

export function servicesFromHostmap(hostmap: Hostmap): CatalogServices {
  const state: ServicesState = {
    logger: { info: () => {}, error: () => {} },
    _hostCatalog: {},
    _serviceUrls: {},
    _updateHostCatalog: webexCoreServices._updateHostCatalog,
    _updateServiceUrls: webexCoreServices._updateServiceUrls,
  };
  webexCoreServices._formatReceivedHostmap.call(state, hostmap);
  return {
    get _hostCatalog() {
      return state._hostCatalog;
    },
    get _serviceUrls() {
      return state._serviceUrls;
    },
    _activeServices: {},
    get: (service) => state._serviceUrls[service],
    getMobiusClusters: () => webexCoreServices.getMobiusClusters.call(state),
  };
}
