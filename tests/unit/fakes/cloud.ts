/**
 * A small in-memory Webex cloud behind the scripted fetch: OAuth (with PKCE checks), people/me,
 * U2C, WDM, region, Mobius discovery and the Mobius device API, with per-operation fault
 * injection. Enough to drive the engine through every path without a network.
 */
import { s256Challenge } from '../../../lib/webex/oauth';
import type { FakeClock } from './clock';
import { bodyForm, bodyJson, json, type RecordedRequest, type Reply } from './fetch';

export const BASE = 'https://webex.test';
export const CLIENT_ID = 'C0123456789abcdef';
export const CLIENT_SECRET = 'secret-0123456789abcdef';
export const REDIRECT_URL = 'https://extension-id.chromiumapp.org/';
export const USER_UUID = '8a67806f-fc4d-446b-a131-31e71ea5b0e9';
export const ORG_UUID = '1eb65fdf-9643-417f-9974-ad72cae0e10f';
export const WDM_BASE = 'https://wdm.webex.test/wdm/api/v1';
/** serviceLinks.mobius: the first discovery base. */
export const MOBIUS_LINK = 'https://mobius-a.webex.test/api/v1';
export const PRIMARY = 'https://mobius-p1.webex.test/api/v1/calling/web/';
export const BACKUP = 'https://mobius-b1.webex.test/api/v1/calling/web/';
/** filterMobiusUris appends the discovery base itself to the backups. */
export const LINK_SERVER = 'https://mobius-a.webex.test/api/v1/calling/web/';

export type Operation =
  | 'authorize'
  | 'token'
  | 'people'
  | 'catalog'
  | 'wdm'
  | 'wdmDelete'
  | 'region'
  | 'discovery'
  | 'register'
  | 'keepalive'
  | 'delete'
  | 'ping'
  | 'list';

export interface CloudDevice {
  deviceId: string;
  uri: string;
  serverUrl: string;
  clientDeviceUri: string;
  lastSeen: string;
  addresses: string[];
  status: string;
}

interface Fault {
  op: Operation;
  /** URL prefix the fault applies to (any when absent). */
  prefix?: string;
  reply: () => Reply;
  times: number;
}

const encodeId = (kind: 'PEOPLE' | 'ORGANIZATION', uuid: string) =>
  btoa(`ciscospark://us/${kind}/${uuid}`).replace(/=+$/, '');

export class FakeCloud {
  accessLifetimeSec = 3600;
  refreshLifetimeSec = 7_776_000;
  /** Whether a refresh returns a new refresh token (Webex behaviour unconfirmed). */
  rotateRefreshToken = true;
  /** Per-user device limit; registering past it answers 403/101 listing the devices. */
  deviceLimit = Number.POSITIVE_INFINITY;
  registrationFields: Record<string, unknown> = {
    keepaliveInterval: 30,
    callKeepaliveInterval: 60,
    rehomingIntervalMin: 90,
    rehomingIntervalMax: 180,
    voicePortalNumber: 5000,
    voicePortalExtension: 5001,
  };
  person: Record<string, unknown> = {
    id: encodeId('PEOPLE', USER_UUID),
    orgId: encodeId('ORGANIZATION', ORG_UUID),
    displayName: 'Ada Lovelace',
    emails: ['ada@example.test'],
    phoneNumbers: [
      { type: 'work', value: '+1 408 555 0100' },
      { type: 'work_extension', value: '80100' },
    ],
    extension: '0100',
    sipAddresses: [{ type: 'cloud-calling', value: 'ada@example.calls.test', primary: true }],
  };
  catalog: Record<string, unknown> = {
    serviceLinks: { mobius: MOBIUS_LINK, wdm: WDM_BASE },
    hostCatalog: {
      'mobius-a.webex.test': [
        { host: 'mobius-a.webex.test', ttl: -1, priority: 5, id: 'urn:TEAM:us-east-2_a:mobius' },
        { host: 'mobius-c.webex.test', ttl: -1, priority: 15, id: 'urn:TEAM:us-east-2_a:mobius' },
      ],
      'wdm.webex.test': [
        { host: 'wdm.webex.test', ttl: -1, priority: 5, id: 'urn:TEAM:us-east-2_a:wdm' },
      ],
    },
  };
  region: Record<string, unknown> = { clientRegion: 'US-EAST', countryCode: 'US' };
  discovery: Record<string, unknown> = {
    primary: { region: 'US-EAST', uris: ['https://mobius-p1.webex.test/api/v1'] },
    backup: { region: 'US-WEST', uris: ['https://mobius-b1.webex.test/api/v1'] },
  };

  readonly devices = new Map<string, CloudDevice>();
  readonly wdmDevices = new Set<string>();
  /** Access token -> expiry (ms). */
  readonly accessTokens = new Map<string, number>();
  readonly refreshTokens = new Map<string, number>();
  private readonly codes = new Map<string, { challenge: string; redirectUri: string }>();
  private faults: Fault[] = [];
  private serial = 0;

  constructor(private readonly clock: FakeClock) {}

  /** Make `op` answer `reply` (optionally only for URLs starting with `prefix`) `times` times. */
  fault(
    op: Operation,
    reply: Reply | (() => Reply),
    options: { prefix?: string; times?: number } = {},
  ): void {
    const make =
      typeof reply === 'function'
        ? reply
        : () => (reply instanceof Response ? reply.clone() : reply);
    this.faults.push({ op, prefix: options.prefix, reply: make, times: options.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  devicesAt(serverUrl: string): CloudDevice[] {
    return [...this.devices.values()].filter((device) => device.serverUrl === serverUrl);
  }

  /** Revoke every access token (the next call gets 401) without touching refresh tokens. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  revokeRefreshTokens(): void {
    this.refreshTokens.clear();
  }

  /** The consent page: returns the redirect URL a user approving it would produce. */
  async approve(authorizeUrl: string): Promise<string> {
    const url = new URL(authorizeUrl);
    const p = url.searchParams;
    if (p.get('client_id') !== CLIENT_ID) throw new Error('unknown client_id');
    if (p.get('response_type') !== 'code') throw new Error('response_type must be code');
    if (p.get('code_challenge_method') !== 'S256') throw new Error('S256 expected');
    const scopes = (p.get('scope') ?? '').split(' ');
    if (!scopes.includes('spark:webrtc_calling') || !scopes.includes('spark:people_read')) {
      throw new Error(`missing scopes: ${p.get('scope')}`);
    }
    const code = `code${++this.serial}_PF84_${ORG_UUID}`;
    this.codes.set(code, {
      challenge: p.get('code_challenge') ?? '',
      redirectUri: p.get('redirect_uri') ?? '',
    });
    return `${p.get('redirect_uri')}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(p.get('state') ?? '')}`;
  }

  readonly handle = async (request: RecordedRequest): Promise<Reply> => {
    const url = new URL(request.url);
    const op = this.operationOf(request, url);
    if (!op) return json(404, { message: `no such endpoint ${request.method} ${request.url}` });
    const fault = this.faults.find(
      (f) => f.op === op && (!f.prefix || request.url.startsWith(f.prefix)),
    );
    if (fault) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
      return fault.reply();
    }
    if (op === 'token') return this.token(request);
    if (op === 'region') return json(200, this.region);
    if (!this.authorized(request))
      return json(401, { message: 'The request requires a valid access token.' });
    switch (op) {
      case 'people':
        return json(200, this.person);
      case 'catalog':
        return json(200, this.catalog);
      case 'wdm': {
        const url = `${WDM_BASE}/devices/wdm-${++this.serial}`;
        this.wdmDevices.add(url);
        return json(200, { url, userId: USER_UUID, deviceType: 'WEB' });
      }
      case 'wdmDelete':
        return this.wdmDevices.delete(request.url) ? json(204) : json(404);
      case 'discovery':
        return json(200, this.discovery);
      case 'register':
        return this.register(request, request.url.slice(0, -'device'.length));
      case 'keepalive': {
        const id = url.pathname.split('/').at(-2) ?? '';
        const device = this.devices.get(id);
        if (!device) return json(404, { message: 'device not found' });
        device.lastSeen = new Date(this.clock.now()).toISOString();
        return json(200, {});
      }
      case 'delete': {
        const id = url.pathname.split('/').at(-1) ?? '';
        const device = this.devices.get(id);
        if (!device) return json(404, { message: 'device not found' });
        this.devices.delete(id);
        return json(200, { userId: USER_UUID, device: this.describe(device) });
      }
      case 'list': {
        const server = request.url.slice(0, request.url.indexOf('devices?'));
        return json(200, {
          userId: USER_UUID,
          devices: this.devicesAt(server).map((d) => this.describe(d)),
        });
      }
      case 'ping':
        return json(200, {});
      default:
        return json(500);
    }
  };

  private operationOf(request: RecordedRequest, url: URL): Operation | undefined {
    const { method } = request;
    const path = url.pathname;
    if (url.origin === BASE) {
      if (method === 'POST' && path === '/v1/access_token') return 'token';
      if (method === 'GET' && path === '/v1/people/me') return 'people';
      if (method === 'GET' && path === '/u2c/api/v1/catalog' && url.search === '?format=hostmap')
        return 'catalog';
      if (method === 'GET' && path === '/v1/region') return 'region';
      return undefined;
    }
    if (request.url.startsWith(WDM_BASE)) {
      if (method === 'POST' && path.endsWith('/devices')) return 'wdm';
      if (method === 'DELETE') return 'wdmDelete';
      return undefined;
    }
    if (method === 'GET' && path === '/api/v1/calling/web/' && url.searchParams.has('regionCode'))
      return 'discovery';
    if (method === 'POST' && path.endsWith('/calling/web/device')) return 'register';
    if (method === 'POST' && /\/calling\/web\/devices\/[^/]+\/status$/.test(path))
      return 'keepalive';
    if (method === 'DELETE' && /\/calling\/web\/devices\/[^/]+$/.test(path)) return 'delete';
    if (method === 'GET' && path.endsWith('/calling/web/devices')) return 'list';
    if (method === 'GET' && path === '/api/v1/ping') return 'ping';
    return undefined;
  }

  private authorized(request: RecordedRequest): boolean {
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    const expires = this.accessTokens.get(token);
    return expires !== undefined && expires > this.clock.now();
  }

  private issue(refreshToken?: string): Record<string, unknown> {
    const access = `access${++this.serial}_PF84_${ORG_UUID}`;
    this.accessTokens.set(access, this.clock.now() + this.accessLifetimeSec * 1000);
    const body: Record<string, unknown> = {
      access_token: access,
      expires_in: this.accessLifetimeSec,
      token_type: 'Bearer',
      scope: 'spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi spark:people_read',
    };
    if (refreshToken === undefined || this.rotateRefreshToken) {
      const refresh = `refresh${++this.serial}_PF84_${ORG_UUID}`;
      this.refreshTokens.set(refresh, this.clock.now() + this.refreshLifetimeSec * 1000);
      if (refreshToken) this.refreshTokens.delete(refreshToken);
      body.refresh_token = refresh;
      body.refresh_token_expires_in = this.refreshLifetimeSec;
    }
    return body;
  }

  private async token(request: RecordedRequest): Promise<Reply> {
    const form = bodyForm(request);
    if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) {
      return json(401, {
        error: 'invalid_client',
        error_description: 'Client authentication failed',
      });
    }
    if (form.get('grant_type') === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code) return json(400, { error: 'invalid_grant', error_description: 'unknown code' });
      this.codes.delete(form.get('code') ?? '');
      if (code.redirectUri !== form.get('redirect_uri'))
        return json(400, { error: 'invalid_grant' });
      if ((await s256Challenge(form.get('code_verifier') ?? '')) !== code.challenge) {
        return json(400, { error: 'invalid_grant', error_description: 'code_verifier mismatch' });
      }
      return json(200, this.issue());
    }
    if (form.get('grant_type') === 'refresh_token') {
      const refresh = form.get('refresh_token') ?? '';
      const expires = this.refreshTokens.get(refresh);
      if (expires === undefined || expires <= this.clock.now()) {
        return json(400, { error: 'invalid_grant', error_description: 'refresh token expired' });
      }
      return json(200, this.issue(refresh));
    }
    return json(400, { error: 'unsupported_grant_type' });
  }

  private register(request: RecordedRequest, serverUrl: string): Reply {
    const body = bodyJson(request) as Record<string, unknown> | undefined;
    const clientDeviceUri = request.headers['cisco-device-url'];
    if (
      !body ||
      body.userId !== USER_UUID ||
      !clientDeviceUri ||
      body.clientDeviceUri !== clientDeviceUri ||
      request.headers['spark-user-agent'] !== 'webex-calling/beta'
    ) {
      return json(400, { message: 'bad registration request' });
    }
    if (this.devices.size >= this.deviceLimit) {
      return json(403, {
        userId: USER_UUID,
        errorCode: 101,
        devices: [...this.devices.values()].map((d) => this.describe(d)),
      });
    }
    const deviceId = `dev-${++this.serial}`;
    const device: CloudDevice = {
      deviceId,
      uri: `${serverUrl}devices/${deviceId}`,
      serverUrl,
      clientDeviceUri,
      lastSeen: new Date(this.clock.now()).toISOString(),
      addresses: [`sip:${deviceId}@int.calls.test`],
      status: 'active',
    };
    this.devices.set(deviceId, device);
    return json(200, {
      userId: USER_UUID,
      device: this.describe(device),
      ...this.registrationFields,
    });
  }

  private describe(device: CloudDevice): Record<string, unknown> {
    const { serverUrl: _server, ...rest } = device;
    return rest;
  }
}
