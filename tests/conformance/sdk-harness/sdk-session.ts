/**
 * One signed-in browser running @webex/calling against the emulator: sign in, catalog, WDM,
 * browser shims, the `webex` adapter, `createClient`, and the line with every event it emits
 * recorded on the timeline. One per process: the SDK keeps module-level singletons.
 */
import type { ICallingClient, ILine, LOGGER } from '@webex/calling';
import type { EmulatorUrls } from '../../emulator/types';
import { installBrowserShims } from './browser-shims';
import { loadCallingSdk } from './calling-sdk';
import { fetchHostmap, registerWdmDevice, signInDemo, type TokenSet } from './cloud-bootstrap';
import type { LineSnapshot } from './scenario-protocol';
import { servicesFromHostmap } from './service-catalog';
import type { Timeline } from './timeline';
import type { HostMap } from './url-map';
import { createWebexAdapter, type LogLevel, type WdmDevice } from './webex-adapter';

/** The SDK's fixed region-lookup host (DISCOVERY_URL); the emulator's base URL stands in. */
const REGION_HOST = 'ds.ciscospark.com';

export const LINE_EVENT_NAMES = [
  'connecting',
  'registered',
  'unregistered',
  'reconnecting',
  'reconnected',
  'error',
] as const;

export interface SdkSession {
  tokens: TokenSet;
  wdmDevice: WdmDevice;
  client: ICallingClient;
  line: ILine;
}

/** https://<host> of every emulator listener, and the region host, onto the http listeners. */
export function emulatorHostMap(urls: EmulatorUrls): HostMap {
  const map: Record<string, string> = { [REGION_HOST]: urls.base };
  for (const origin of [urls.base, urls.primary, urls.backup]) map[new URL(origin).host] = origin;
  return map;
}

/**
 * The SDK types each event's listener separately; the recorder treats them all alike, so it
 * sees the emitters through this one untyped view.
 */
function asEmitter(target: ICallingClient | ILine) {
  return target as unknown as {
    on(event: string, listener: (payload?: unknown) => void): void;
  };
}

/** LineError.getError() when present, else whatever was emitted. */
function describeLineError(payload: unknown): unknown {
  const withGetter = payload as { getError?: () => unknown } | undefined;
  return typeof withGetter?.getError === 'function' ? withGetter.getError() : payload;
}

export function snapshotLine(line: ILine): LineSnapshot {
  return {
    lineId: line.lineId,
    userId: line.userId,
    clientDeviceUri: line.clientDeviceUri,
    mobiusDeviceId: line.mobiusDeviceId,
    sipAddresses: [...(line.sipAddresses ?? [])],
    lastSeen: line.lastSeen,
    keepaliveInterval: line.keepaliveInterval,
    callKeepaliveInterval: line.callKeepaliveInterval,
    rehomingIntervalMin: line.rehomingIntervalMin,
    rehomingIntervalMax: line.rehomingIntervalMax,
    voicePortalNumber: line.voicePortalNumber,
    voicePortalExtension: line.voicePortalExtension,
    status: String(line.getStatus()),
    activeMobiusUrl: line.getActiveMobiusUrl(),
  };
}

export interface SessionOptions {
  urls: EmulatorUrls;
  email: string;
  timeline: Timeline;
  log: (level: LogLevel, message: string) => void;
}

export async function startSdkSession({
  urls,
  email,
  timeline,
  log,
}: SessionOptions): Promise<SdkSession> {
  const tokens = await signInDemo(urls.base, email);
  timeline.record('step', 'signed-in');
  const hostmap = await fetchHostmap(`${urls.base}/u2c/api/v1`, tokens.access_token);
  const wdmUrl = hostmap.serviceLinks.wdm;
  if (!wdmUrl) throw new Error('catalog has no wdm service link');
  const wdmDevice = await registerWdmDevice(wdmUrl, tokens.access_token);
  timeline.record('step', 'wdm-registered');

  const hostMap = emulatorHostMap(urls);
  installBrowserShims({
    hostMap,
    onWorkerError: (error) => timeline.record('step', 'worker-crashed', { detail: String(error) }),
    onWorkerFetch: (exchange) =>
      timeline.record('keepalive', `${exchange.method} ${new URL(exchange.url).pathname}`, {
        ...(exchange.status === undefined ? {} : { status: exchange.status }),
        ...(exchange.error === undefined ? {} : { detail: exchange.error }),
      }),
  });
  const sdk = loadCallingSdk();
  const webex = createWebexAdapter({
    accessToken: tokens.access_token,
    device: wdmDevice,
    services: servicesFromHostmap(hostmap),
    fetch: globalThis.fetch,
    log,
  });
  // createClient also runs region lookup and Mobius discovery; errors there are emitted before
  // this listener exists, so the tests check those requests in the emulator's log instead.
  const client = await sdk.createClient(webex, { logger: { level: 'info' as LOGGER } });
  asEmitter(client).on('callingClient:error', (error) =>
    timeline.record('client', 'error', { detail: describeLineError(error) }),
  );

  const line = Object.values(client.getLines())[0];
  if (!line) throw new Error('createClient produced no line');
  for (const name of LINE_EVENT_NAMES) {
    asEmitter(line).on(name, (payload) =>
      timeline.record('line', name, {
        ...(name === 'error' ? { detail: describeLineError(payload) } : {}),
      }),
    );
  }
  timeline.record('step', 'client-created');
  return { tokens, wdmDevice, client, line };
}
