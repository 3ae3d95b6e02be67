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
  /** The interval this device was told at registration (and Mobius expires it by). */
  keepaliveIntervalSec: number;
  /** The interval the answer claimed instead (config `registrationAnswer`), when it did. */
  announcedKeepaliveIntervalSec?: number;
  /** Seeded "other browser" devices: kept alive by someone else, never expire. */
  keptAliveElsewhere: boolean;
  /** When the latest keepalive for it arrived (cadence check), whatever it was answered. */
  lastKeepaliveArrivedAt?: number;
}

/** Why a device stopped living. */
export type DeviceEnd =
  /** DELETE by its client. */
  | 'deleted'
  /** Missed keepalives (a lapse). */
  | 'expired'
  /** An injected keepalive 404 removed it, as Mobius does when it loses a registration. */
  | 'removed'
  /** A newer registration of the same user replaced it (`supersedeOlderDevices`). */
  | 'superseded';

/** What is left of a dead device: its life, and how often clients asked for it since. */
export interface Tombstone {
  deviceId: string;
  userId: string;
  server: MobiusServerName;
  createdAt: number;
  lastSeen: number;
  endedAt: number;
  end: DeviceEnd;
  keptAliveElsewhere: boolean;
  /** Keepalives and DELETEs answered "gone" (404, or 409 for a superseded device) since. */
  goneAnswers: number;
}

export interface Liveness {
  now: number;
  missedKeepalivesBeforeExpiry: number;
}

/** Long demos must not grow without bound. */
const MAX_TOMBSTONES = 10_000;

/**
 * One store shared by both Mobius listeners. Expiry is evaluated lazily against the clock (no
 * timers), so a fake clock drives it: a device is gone once more than
 * missed × interval seconds passed since its last keepalive, and it ended at that moment.
 * Dead devices leave tombstones, so the emulator can tell a client that keeps talking to a
 * device it was told is gone, report lapses, and replay every device's life.
 */
export class MobiusStore {
  private readonly devices = new Map<string, MobiusDevice>();
  private readonly tombstones = new Map<string, Tombstone>();
  /** 404s answered per device id that was never issued. */
  private readonly unknownAsked = new Map<string, number>();

  clear(): void {
    this.devices.clear();
    this.tombstones.clear();
    this.unknownAsked.clear();
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

  /** A live device, or undefined when unknown or expired (expired ones become tombstones). */
  live(deviceId: string, liveness: Liveness): MobiusDevice | undefined {
    const device = this.devices.get(deviceId);
    if (!device) return undefined;
    const expiry = expiresAt(device, liveness);
    if (expiry !== null && liveness.now > expiry) {
      this.bury(device, 'expired', expiry);
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

  /**
   * Ends a live device; false when there was none. `told`: the answer that ended it (an injected
   * 404 or 409) already told the client once.
   */
  end(deviceId: string, end: DeviceEnd, at: number, told = false): boolean {
    const device = this.devices.get(deviceId);
    if (!device) return false;
    this.bury(device, end, at, told);
    return true;
  }

  tombstone(deviceId: string): Tombstone | undefined {
    return this.tombstones.get(deviceId);
  }

  /**
   * Counts one more "gone" answer for a dead or never-issued device id; returns how many had
   * been answered before this one (0 the first time). `heard` false: an answer the client never
   * got whole (a stall) is not counted.
   */
  countGone(deviceId: string, heard = true): number {
    const add = heard ? 1 : 0;
    const tombstone = this.tombstones.get(deviceId);
    if (tombstone) {
      tombstone.goneAnswers += add;
      return tombstone.goneAnswers - add;
    }
    const before = this.unknownAsked.get(deviceId) ?? 0;
    if (this.unknownAsked.size >= MAX_TOMBSTONES) this.unknownAsked.clear();
    this.unknownAsked.set(deviceId, before + add);
    return before;
  }

  /** Every device's life (live and dead), oldest first, after expiring what is due. */
  history(liveness: Liveness, userId?: string): Array<MobiusDevice | Tombstone> {
    this.list(liveness);
    const all: Array<MobiusDevice | Tombstone> = [
      ...this.devices.values(),
      ...this.tombstones.values(),
    ];
    return all
      .filter((d) => userId === undefined || d.userId === userId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  private bury(device: MobiusDevice, end: DeviceEnd, at: number, told = false): void {
    this.devices.delete(device.deviceId);
    if (this.tombstones.size >= MAX_TOMBSTONES) {
      const oldest = this.tombstones.keys().next().value;
      if (oldest !== undefined) this.tombstones.delete(oldest);
    }
    this.tombstones.set(device.deviceId, {
      deviceId: device.deviceId,
      userId: device.userId,
      server: device.server,
      createdAt: device.createdAt,
      lastSeen: device.lastSeen,
      endedAt: at,
      end,
      keptAliveElsewhere: device.keptAliveElsewhere,
      goneAnswers: told ? 1 : 0,
    });
  }
}

/** When a device expires without another keepalive; null for seeded "other browser" devices. */
export function expiresAt(device: MobiusDevice, liveness: Liveness): number | null {
  if (device.keptAliveElsewhere) return null;
  return (
    device.lastSeen + liveness.missedKeepalivesBeforeExpiry * device.keepaliveIntervalSec * 1000
  );
}

export function isTombstone(entry: MobiusDevice | Tombstone): entry is Tombstone {
  return 'end' in entry;
}
