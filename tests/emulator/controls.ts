import { parseConfigPatch } from './config';
import type { Fault, FaultSpec } from './faults';
import { isoMillis } from './ids';
import { DEMO_INTEGRATION, type Integration } from './integrations';
import type { Listener } from './listeners';
import { deviceView } from './mobius';
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

export interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  token_type: 'Bearer';
  scope: string;
}

/** The operations behind both the admin API and the in-process Emulator helpers. */
export class EmulatorControls {
  constructor(
    private readonly state: EmulatorState,
    private readonly listeners: Record<ServerName, Listener>,
  ) {}

  async reset(): Promise<void> {
    await Promise.all([this.listeners.primary.up(), this.listeners.backup.up()]);
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

  async setServer(name: MobiusServerName, up: boolean): Promise<void> {
    const listener = this.listeners[name];
    await (up ? listener.up() : listener.down());
  }

  servers(): Record<ServerName, { up: boolean; port: number }> {
    const view = (l: Listener) => ({ up: l.isUp, port: l.port });
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
      const limitMs = liveness.missedKeepalivesBeforeExpiry * d.keepaliveIntervalSec * 1000;
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
        expiresAt: d.keptAliveElsewhere ? null : isoMillis(d.lastSeen + limitMs),
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

  injectFault(spec: FaultSpec): Fault {
    return this.state.faults.add(spec);
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
