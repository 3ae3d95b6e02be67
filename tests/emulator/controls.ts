import { parseConfigPatch } from './config';
import { type Fault, type FaultSpec, parseFaultSpec } from './faults';
import { isoMillis } from './ids';
import { DEMO_INTEGRATION, type Integration } from './integrations';
import { deviceView } from './mobius';
import { type DeviceEnd, expiresAt, isTombstone } from './mobius-store';
import type { EmulatorState } from './state';
import type { EmulatorConfig, MobiusServerName, ServerName } from './types';
import { TEST_USERS, userByEmail, userById } from './users';

export interface DeviceSummary {
  email: string;
  userId: string;
  deviceId: string;
  server: MobiusServerName;
  uri: string;
  clientDeviceUri: string;
  addresses: string[];
  createdAt: string;
  lastSeen: string;
  /** When it expires without another keepalive; null for seeded "other browser" devices. */
  expiresAt: string | null;
  keptAliveElsewhere: boolean;
}

/** One device's whole life, for invariants ("never two at once", "no lapse"). */
export interface DeviceLife {
  email: string;
  userId: string;
  deviceId: string;
  server: MobiusServerName;
  createdAt: string;
  lastSeen: string;
  /** When it ended; null while it lives. For an expiry: the moment the last allowed keepalive was missed. */
  endedAt: string | null;
  end: DeviceEnd | null;
  keptAliveElsewhere: boolean;
}

/** A device that expired because its keepalives stopped. */
export interface Lapse {
  email: string;
  userId: string;
  deviceId: string;
  server: MobiusServerName;
  createdAt: string;
  lastKeepaliveAt: string;
  expiredAt: string;
}

export interface DeviceHistory {
  devices: DeviceLife[];
  /**
   * The most devices one user had alive at the same moment, seeded "other browser" devices not
   * counted (the highest over users when no user is asked for).
   */
  maxLive: number;
}

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

/** A listener that can go down and up (a socket, or an in-process stand-in). */
export interface ServerSwitch {
  up(): Promise<void>;
  down(): Promise<void>;
  readonly isUp: boolean;
  readonly port: number;
}

/** The operations behind both the admin API and the in-process Emulator helpers. */
export class EmulatorControls {
  constructor(
    private readonly state: EmulatorState,
    private readonly listeners: Record<ServerName, ServerSwitch>,
  ) {}

  async reset(): Promise<void> {
    await Promise.all(Object.values(this.listeners).map((listener) => listener.up()));
    this.state.reset();
  }

  setConfig(input: unknown): EmulatorConfig | string {
    const patch = parseConfigPatch(input);
    if (typeof patch === 'string') return patch;
    const next = { ...this.state.config, ...patch };
    if (next.rehomingIntervalMin > next.rehomingIntervalMax) {
      return 'rehomingIntervalMin must not exceed rehomingIntervalMax';
    }
    Object.assign(this.state.config, patch);
    return { ...this.state.config };
  }

  /** Mobius listeners through the admin API; B too in process (the admin API lives on B). */
  async setServer(name: ServerName, up: boolean): Promise<void> {
    const listener = this.listeners[name];
    await (up ? listener.up() : listener.down());
  }

  servers(): Record<ServerName, { up: boolean; port: number }> {
    const view = (l: ServerSwitch) => ({ up: l.isUp, port: l.port });
    return {
      base: view(this.listeners.base),
      primary: view(this.listeners.primary),
      backup: view(this.listeners.backup),
    };
  }

  devices(email?: string): DeviceSummary[] | string {
    let userId: string | undefined;
    if (email) {
      const user = userByEmail(email);
      if (!user) return `no test user ${email}`;
      userId = user.id;
    }
    const liveness = this.state.liveness();
    return this.state.mobius.list(liveness, userId).map((d) => {
      const view = deviceView(this.state, d);
      return {
        email: userById(d.userId)?.email ?? '',
        userId: d.userId,
        deviceId: d.deviceId,
        server: d.server,
        uri: view.uri,
        clientDeviceUri: d.clientDeviceUri,
        addresses: view.addresses,
        createdAt: isoMillis(d.createdAt),
        lastSeen: view.lastSeen,
        expiresAt: d.keptAliveElsewhere ? null : isoMillis(expiresAt(d, liveness) ?? 0),
        keptAliveElsewhere: d.keptAliveElsewhere,
      };
    });
  }

  /** By email: all of the user's tokens. By accessToken: that token. Neither: every token. */
  revokeTokens(filter: { email?: string; accessToken?: string }): number | string {
    if (filter.accessToken !== undefined) {
      return this.state.tokens.revoke({ accessToken: filter.accessToken }, this.state.now());
    }
    const userId = this.userIdFor(filter.email);
    if (userId === null) return `no test user ${filter.email}`;
    return this.state.tokens.revoke(userId ? { userId } : {}, this.state.now());
  }

  /** Access tokens (and refresh tokens when asked) expire now. */
  expireTokens(filter: { email?: string; refreshTokens?: boolean }): number | string {
    const userId = this.userIdFor(filter.email);
    if (userId === null) return `no test user ${filter.email}`;
    return this.state.tokens.expire(
      { ...(userId ? { userId } : {}), refreshTokens: filter.refreshTokens === true },
      this.state.now(),
    );
  }

  /** Tokens without the browser flow, for tests that start past sign-in. */
  issueTokens(
    email: string,
    options: { clientId?: string; scopes?: string[] } = {},
  ): TokenResponse | string {
    const user = userByEmail(email);
    if (!user) return `no test user ${email}`;
    const clientId = options.clientId ?? DEMO_INTEGRATION.clientId;
    const integration = this.state.integrations.get(clientId);
    if (!integration) return `no integration ${clientId}`;
    const scopes = options.scopes ?? integration.scopes;
    const now = this.state.now();
    const { access, refresh } = this.state.tokens.issue(
      user.id,
      clientId,
      scopes,
      now,
      this.state.config,
    );
    return {
      access_token: access.token,
      expires_in: Math.floor((access.expiresAt - now) / 1000),
      refresh_token: refresh.token,
      refresh_token_expires_in: Math.floor((refresh.expiresAt - now) / 1000),
      token_type: 'Bearer',
      scope: scopes.join(' '),
    };
  }

  addIntegration(integration: Integration): void {
    this.state.integrations.add(integration);
  }

  injectFault(spec: FaultSpec): Fault | string {
    const checked = parseFaultSpec(spec);
    if (typeof checked === 'string') return checked;
    return this.state.faults.add(checked);
  }

  /** Every device's life since the last reset, oldest first (expiries evaluated now). */
  deviceHistory(email?: string): DeviceHistory | string {
    const userId = this.userIdFor(email);
    if (userId === null) return `no test user ${email}`;
    const liveness = this.state.liveness();
    const devices = this.state.mobius.history(liveness, userId).map((d): DeviceLife => {
      const ended = isTombstone(d);
      return {
        email: userById(d.userId)?.email ?? '',
        userId: d.userId,
        deviceId: d.deviceId,
        server: d.server,
        createdAt: isoMillis(d.createdAt),
        lastSeen: isoMillis(d.lastSeen),
        endedAt: ended ? isoMillis(d.endedAt) : null,
        end: ended ? d.end : null,
        keptAliveElsewhere: d.keptAliveElsewhere,
      };
    });
    return { devices, maxLive: maxSimultaneous(devices) };
  }

  /** Devices that expired (missed keepalives) since the last reset, in order of expiry. */
  lapses(email?: string): Lapse[] | string {
    const history = this.deviceHistory(email);
    if (typeof history === 'string') return history;
    return history.devices
      .filter((d) => d.end === 'expired' && d.endedAt !== null)
      .sort((a, b) => Date.parse(a.endedAt ?? '') - Date.parse(b.endedAt ?? ''))
      .map((d) => ({
        email: d.email,
        userId: d.userId,
        deviceId: d.deviceId,
        server: d.server,
        createdAt: d.createdAt,
        lastKeepaliveAt: d.lastSeen,
        expiredAt: d.endedAt ?? '',
      }));
  }

  users() {
    return TEST_USERS.map((u) => ({ ...u }));
  }

  /** undefined: no filter; null: unknown email. */
  private userIdFor(email: string | undefined): string | undefined | null {
    if (email === undefined) return undefined;
    return userByEmail(email)?.id ?? null;
  }
}

/** Per user, the most of their own (not seeded) devices alive at one moment; the highest. */
function maxSimultaneous(devices: readonly DeviceLife[]): number {
  const byUser = new Map<string, Array<[number, number]>>();
  for (const d of devices) {
    if (d.keptAliveElsewhere) continue;
    const edges = byUser.get(d.userId) ?? [];
    edges.push([Date.parse(d.createdAt), 1]);
    if (d.endedAt !== null) edges.push([Date.parse(d.endedAt), -1]);
    byUser.set(d.userId, edges);
  }
  let max = 0;
  for (const edges of byUser.values()) {
    // An end and a start at the same instant do not overlap: ends first.
    edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let live = 0;
    for (const [, step] of edges) {
      live += step;
      max = Math.max(max, live);
    }
  }
  return max;
}
