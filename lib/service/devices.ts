/**
 * "Your devices": the user's devices registered at Mobius (`GET devices?userid=`), this
 * browser's marked, and the removal of one the user picks (through the engine, like any device
 * it deletes). Read through the session: its token, its environment's trusted hosts only.
 */
import type { Authorize, RegistrationContextProvider } from '../line/deps';
import type { Interpreter } from '../line/interpreter';
import { loadRecord, owesSignOut } from '../line/record';
import type { DeviceView } from '../messaging/protocol';
import type { Fetch, Store } from '../ports';
import type { WebexFailure } from '../webex/http';
import { listDevices, type MobiusDevice, serverOfDevice } from '../webex/mobius';
import { SIGNING_OUT } from './discovery-cache';

export interface DeviceDirectoryDeps {
  store: Store;
  fetch: Fetch;
  authorize: Authorize;
  /** Discovery, each of its requests asking first whether a sign-out started (`guarded`). */
  context: RegistrationContextProvider & {
    guarded(stop: () => Promise<boolean>): RegistrationContextProvider;
  };
  engine(): Interpreter;
  requestTimeoutMs: number;
  random: { uuid(): string };
  /**
   * A sign-out is under way: its WDM device is being deleted, so no list may name it (the
   * simulation's seed 47 sent `GET devices` with a WDM device the sign-out had just deleted).
   */
  signingOut(): boolean;
  /** Sign-outs started so far: one that starts while a list runs ends the list. */
  signOutsStarted(): number;
}

export type DevicesResult =
  | { ok: true; devices: DeviceView[] }
  | { ok: false; error: WebexFailure };

export interface DeviceDirectory {
  list(): Promise<DevicesResult>;
  /** Remove one device (never this line's own); resolves with the list afterwards. */
  remove(deviceId: string): Promise<DevicesResult>;
}

export function createDeviceDirectory(deps: DeviceDirectoryDeps): DeviceDirectory {
  /** Every device of the user on the servers discovery knows, once each. */
  async function fetchAll(): Promise<
    | { ok: true; devices: MobiusDevice[]; clientDeviceUri: string }
    | { ok: false; error: WebexFailure }
  > {
    // A sign-out running now, or one the engine still owes (it failed half-way, or the worker
    // died in it, and resumes): its WDM device is going, so no request may name it. Asked
    // again before every request: discovery or a slow server can outlast a whole sign-out
    // (the simulation's seed 62 sent `GET devices` with the WDM device a sign-out had deleted
    // while discovery waited).
    const signOutsBefore = deps.signOutsStarted();
    const signingOut = async () =>
      deps.signingOut() ||
      deps.signOutsStarted() !== signOutsBefore ||
      owesSignOut(await loadRecord(deps.store));
    if (await signingOut()) return { ok: false, error: SIGNING_OUT };
    const record = await loadRecord(deps.store);
    const prepared = await deps.context.guarded(signingOut).prepare();
    if (!prepared.ok) return prepared;
    const { context } = prepared;
    // The line's own server first; one primary and one backup are enough (Mobius lists the
    // user's devices across its cluster; the emulator lists both of its servers).
    const servers = [
      ...new Set(
        [record.device?.serverUrl, context.primary[0], context.backup[0]].filter(
          (url): url is string => url !== undefined,
        ),
      ),
    ];
    const seen = new Map<string, MobiusDevice>();
    let lastError: WebexFailure | undefined;
    for (const server of servers) {
      if (await signingOut()) return { ok: false, error: SIGNING_OUT };
      const listed = await deps.authorize(server, (authorization) =>
        listDevices(
          deps.fetch,
          server,
          context.userId,
          {
            authorization,
            clientDeviceUri: context.clientDeviceUri,
            trackingId: `webex-line-extension_${deps.random.uuid()}`,
          },
          { timeoutMs: deps.requestTimeoutMs },
        ),
      );
      if (!listed.ok) {
        lastError = listed.error;
        continue;
      }
      for (const device of listed.value.devices) seen.set(device.deviceId, device);
    }
    if (seen.size === 0 && lastError) return { ok: false, error: lastError };
    return { ok: true, devices: [...seen.values()], clientDeviceUri: context.clientDeviceUri };
  }

  async function list(): Promise<DevicesResult> {
    const all = await fetchAll();
    if (!all.ok) return all;
    const record = await loadRecord(deps.store);
    const devices = all.devices.map(
      (device): DeviceView => ({
        deviceId: device.deviceId,
        server: serverOfDevice(device),
        lastSeen: device.lastSeen,
        addresses: device.addresses ?? [],
        thisBrowser: device.clientDeviceUri === all.clientDeviceUri,
        current: record.device?.deviceId === device.deviceId,
      }),
    );
    // This browser's first, then the most recently seen.
    devices.sort(
      (a, b) =>
        Number(b.current) - Number(a.current) ||
        Number(b.thisBrowser) - Number(a.thisBrowser) ||
        (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''),
    );
    return { ok: true, devices };
  }

  return {
    list,
    async remove(deviceId) {
      const all = await fetchAll();
      if (!all.ok) return all;
      const device = all.devices.find((d) => d.deviceId === deviceId);
      if (device) {
        const engine = deps.engine();
        await engine.dispatch({
          kind: 'removeDevice',
          device: {
            serverUrl: serverOfDevice(device),
            deviceId: device.deviceId,
            clientDeviceUri: device.clientDeviceUri ?? all.clientDeviceUri,
          },
        });
        await engine.whenIdle();
      }
      return list();
    },
  };
}
