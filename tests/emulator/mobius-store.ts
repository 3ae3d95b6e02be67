import { newUuid, opaqueString } from './ids';
import type { MobiusServerName } from './types';

/** A Mobius line registration ("device"). */
export interface MobiusDevice {
  deviceId: string;
  userId: string;
  /** The listener that created it; keepalives and deletes must go there. */
  server: MobiusServerName;
  clientDeviceUri: string;
  addresses: string[];
  createdAt: number;
  lastSeen: number;
  /** The interval this device was told at registration. */
  keepaliveIntervalSec: number;
  /** Seeded "other browser" devices: kept alive by someone else, never expire. */
  keptAliveElsewhere: boolean;
}

export interface Liveness {
  now: number;
  missedKeepalivesBeforeExpiry: number;
}

/**
 * One store shared by both Mobius listeners. Expiry is evaluated lazily against the clock (no
 * timers), so a fake clock drives it: a device is gone once more than
 * missed × interval seconds passed since its last keepalive.
 */
export class MobiusStore {
  private readonly devices = new Map<string, MobiusDevice>();

  clear(): void {
    this.devices.clear();
  }

  create(
    fields: Omit<MobiusDevice, 'deviceId' | 'addresses' | 'lastSeen'> & { sipDomain: string },
  ): MobiusDevice {
    const { sipDomain, ...rest } = fields;
    const device: MobiusDevice = {
      ...rest,
      deviceId: newUuid(),
      addresses: [`sip:${opaqueString(10).toLowerCase()}_${opaqueString(12)}@${sipDomain}`],
      lastSeen: rest.createdAt,
    };
    this.devices.set(device.deviceId, device);
    return device;
  }

  /** A live device, or undefined when unknown or expired (expired ones are dropped). */
  live(deviceId: string, liveness: Liveness): MobiusDevice | undefined {
    const device = this.devices.get(deviceId);
    if (!device) return undefined;
    if (isExpired(device, liveness)) {
      this.devices.delete(deviceId);
      return undefined;
    }
    return device;
  }

  /** Live devices, oldest first, optionally for one user. */
  list(liveness: Liveness, userId?: string): MobiusDevice[] {
    const result: MobiusDevice[] = [];
    for (const device of [...this.devices.values()]) {
      if (userId !== undefined && device.userId !== userId) continue;
      if (this.live(device.deviceId, liveness)) result.push(device);
    }
    return result.sort((a, b) => a.createdAt - b.createdAt);
  }

  delete(deviceId: string): boolean {
    return this.devices.delete(deviceId);
  }
}

function isExpired(device: MobiusDevice, liveness: Liveness): boolean {
  if (device.keptAliveElsewhere) return false;
  const limitMs = liveness.missedKeepalivesBeforeExpiry * device.keepaliveIntervalSec * 1000;
  return liveness.now - device.lastSeen > limitMs;
}
