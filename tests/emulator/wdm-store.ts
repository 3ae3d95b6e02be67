import { newUuid } from './ids';

export interface WdmDevice {
  id: string;
  url: string;
  userId: string;
  deviceType: string;
  name: string;
  model: string;
  localizedModel: string;
  systemName: string;
  systemVersion: string;
  createdAt: number;
  modifiedAt: number;
}

export type WdmDeviceFields = Pick<
  WdmDevice,
  'deviceType' | 'name' | 'model' | 'localizedModel' | 'systemName' | 'systemVersion'
>;

/** WDM device registrations; their URLs are what Mobius calls clientDeviceUri. */
export class WdmStore {
  private readonly devices = new Map<string, WdmDevice>();
  /** URLs of deleted WDM devices -> the user they were issued to. */
  private readonly retired = new Map<string, string>();

  constructor(private readonly devicesUrl: () => string) {}

  clear(): void {
    this.devices.clear();
    this.retired.clear();
  }

  create(userId: string, fields: WdmDeviceFields, now: number): WdmDevice {
    const id = newUuid();
    const device: WdmDevice = {
      ...fields,
      id,
      url: `${this.devicesUrl()}/${id}`,
      userId,
      createdAt: now,
      modifiedAt: now,
    };
    this.devices.set(id, device);
    return device;
  }

  get(id: string): WdmDevice | undefined {
    return this.devices.get(id);
  }

  delete(id: string): boolean {
    const device = this.devices.get(id);
    if (device) this.retired.set(device.url, device.userId);
    return this.devices.delete(id);
  }

  /** The user a deleted WDM device URL was issued to. */
  retiredOwner(url: string): string | undefined {
    return this.retired.get(url);
  }

  /** The WDM device behind a clientDeviceUri, if this emulator issued that URL. */
  byUrl(url: string): WdmDevice | undefined {
    for (const device of this.devices.values()) if (device.url === url) return device;
    return undefined;
  }
}
