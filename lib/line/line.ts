/**
 * The seed's Line and CallingClient, backed by the engine. `register()` / `deregister()` return
 * `undefined` at once (the seed says they only begin the work); outcomes arrive as events.
 */
import type { LineErrorPayload, LineEventName, LineProperties } from '../webex/line-contract';
import type { PeopleMe } from '../webex/people';
import type { EngineRecord } from './record';

/**
 * The 14 seed properties, and where each comes from:
 * - lineId: a random UUID made once and persisted (not from Mobius), so the line is stable;
 * - mobiusDeviceId, sipAddresses, lastSeen: registration response `device.deviceId`,
 *   `device.addresses`, `device.lastSeen`;
 * - keepaliveInterval, callKeepaliveInterval, rehomingIntervalMin/Max, voicePortalNumber/
 *   Extension: same-named top-level fields of the registration response;
 * - phoneNumber, extension: people/me (`phoneNumbers[type=work]`; `extension`, else
 *   `work_extension`); Mobius does not return them;
 * - voicemail: the voice portal number as a string (design choice: the seed calls it the
 *   voicemail pilot number; the SDK leaves it undefined);
 * - status: 'active' while a device is registered, 'IDLE' after the user deregistered, else
 *   'inactive' (initially). Also 'inactive' while a re-registration waits for a call to end:
 *   the SDK's line is inactive from the keepalive threshold on; the device's fields stay, since
 *   the call still uses that device.
 * Device fields are cleared when no device is registered, so the UI never shows a stale id.
 */
export function lineProperties(
  lineId: string,
  record: EngineRecord,
  people: PeopleMe | undefined,
): LineProperties {
  const device = record.device;
  const registered =
    device !== null && (record.state === 'active' || record.state === 'reconnecting');
  return {
    lineId,
    mobiusDeviceId: registered ? device.deviceId : undefined,
    phoneNumber: people?.phoneNumber,
    extension: people?.extension,
    status: registered
      ? record.restorePending
        ? 'inactive'
        : 'active'
      : record.state === 'idle' && record.deregistered
        ? 'IDLE'
        : 'inactive',
    sipAddresses: registered ? [...device.addresses] : [],
    voicemail:
      registered && device.voicePortalNumber !== undefined
        ? String(device.voicePortalNumber)
        : undefined,
    lastSeen: registered ? device.lastSeen : undefined,
    keepaliveInterval: registered ? device.keepaliveInterval : undefined,
    callKeepaliveInterval: registered ? device.callKeepaliveInterval : undefined,
    rehomingIntervalMin: registered ? device.rehomingIntervalMin : undefined,
    rehomingIntervalMax: registered ? device.rehomingIntervalMax : undefined,
    voicePortalNumber: registered ? device.voicePortalNumber : undefined,
    voicePortalExtension: registered ? device.voicePortalExtension : undefined,
  };
}

type Listener = (payload?: unknown) => void;

export interface LineControl {
  register(): void;
  deregister(): void;
}

export class Line implements LineProperties {
  lineId = '';
  mobiusDeviceId?: string;
  phoneNumber?: string;
  extension?: string;
  status = 'inactive';
  sipAddresses: string[] = [];
  voicemail?: string;
  lastSeen?: string;
  keepaliveInterval?: number;
  callKeepaliveInterval?: number;
  rehomingIntervalMin?: number;
  rehomingIntervalMax?: number;
  voicePortalNumber?: number;
  voicePortalExtension?: number;

  readonly #listeners = new Map<LineEventName, Set<Listener>>();
  readonly #control: LineControl;

  constructor(control: LineControl, properties?: LineProperties) {
    this.#control = control;
    if (properties) this.update(properties);
  }

  on(event: 'registered', listener: (line: Line) => void): void;
  on(event: 'error', listener: (error: LineErrorPayload) => void): void;
  on(
    event: 'connecting' | 'unregistered' | 'reconnecting' | 'reconnected',
    listener: () => void,
  ): void;
  on(event: LineEventName, listener: (...args: never[]) => void): void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener);
  }

  off(event: LineEventName, listener: (...args: never[]) => void): void {
    this.#listeners.get(event)?.delete(listener as Listener);
  }

  /** Begins registration; the outcome arrives as `registered` or `error`. */
  register(): undefined {
    this.#control.register();
    return undefined;
  }

  /** Begins deregistration; `unregistered` follows. */
  deregister(): undefined {
    this.#control.deregister();
    return undefined;
  }

  update(properties: LineProperties): void {
    Object.assign(this, properties);
  }

  /** Used by the service: deliver an event to this line's listeners. */
  emit(event: LineEventName, error?: LineErrorPayload): void {
    // `registered` carries the line; `error` (and an `unregistered` that has one, such as a
    // superseded line) carry the error payload.
    const payload = event === 'registered' ? this : error;
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch {
        // A failing listener must not stop the engine or the other listeners.
      }
    }
  }

  toJSON(): LineProperties {
    return {
      lineId: this.lineId,
      mobiusDeviceId: this.mobiusDeviceId,
      phoneNumber: this.phoneNumber,
      extension: this.extension,
      status: this.status,
      sipAddresses: [...this.sipAddresses],
      voicemail: this.voicemail,
      lastSeen: this.lastSeen,
      keepaliveInterval: this.keepaliveInterval,
      callKeepaliveInterval: this.callKeepaliveInterval,
      rehomingIntervalMin: this.rehomingIntervalMin,
      rehomingIntervalMax: this.rehomingIntervalMax,
      voicePortalNumber: this.voicePortalNumber,
      voicePortalExtension: this.voicePortalExtension,
    };
  }
}

/** The seed's CallingClient, reduced to lines (the SDK supports a single line). */
export class CallingClient {
  constructor(private readonly line: Line) {}

  /** Keyed by lineId. */
  getLines(): Record<string, Line> {
    return { [this.line.lineId]: this.line };
  }
}
