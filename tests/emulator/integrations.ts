import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEV_REDIRECT_URL,
  FIREFOX_REDIRECT_URL,
} from '../../lib/dev-integration';

/** An OAuth integration as registered on the developer portal. */
export interface Integration {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
  /** Registered data scopes; OIDC scopes need not be registered (webex-oauth.md §2). */
  scopes: string[];
}

export const DEMO_SCOPES = [
  'spark:webrtc_calling',
  'spark:calls_read',
  'spark:calls_write',
  'spark:xsi',
  'spark:people_read',
  'spark:kms',
  'openid',
  'email',
  'profile',
] as const;

export const DEMO_INTEGRATION: Readonly<Integration> = Object.freeze({
  clientId: DEMO_CLIENT_ID,
  clientSecret: DEMO_CLIENT_SECRET,
  name: 'Webex Line (demo integration)',
  redirectUris: [DEV_REDIRECT_URL, FIREFOX_REDIRECT_URL],
  scopes: [...DEMO_SCOPES],
});

/** Scopes any integration may request without registering them. */
export const OIDC_SCOPES: ReadonlySet<string> = new Set([
  'openid',
  'email',
  'profile',
  'phone',
  'address',
]);

export class IntegrationRegistry {
  private readonly byId = new Map<string, Integration>();

  constructor() {
    this.reset();
  }

  reset(): void {
    this.byId.clear();
    this.add(structuredClone(DEMO_INTEGRATION) as Integration);
  }

  add(integration: Integration): void {
    this.byId.set(integration.clientId, integration);
  }

  get(clientId: string): Integration | undefined {
    return this.byId.get(clientId);
  }

  list(): Integration[] {
    return [...this.byId.values()];
  }
}

/** Validates an integration sent to the admin API. */
export function parseIntegration(input: unknown): Integration | string {
  if (!input || typeof input !== 'object') return 'body must be a JSON object';
  const o = input as Record<string, unknown>;
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  const strList = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(str);
  if (!str(o.clientId)) return 'clientId must be a non-empty string';
  if (!str(o.clientSecret)) return 'clientSecret must be a non-empty string';
  if (!strList(o.redirectUris)) return 'redirectUris must be a non-empty array of strings';
  if (!strList(o.scopes)) return 'scopes must be a non-empty array of strings';
  for (const uri of o.redirectUris as string[]) {
    if (!URL.canParse(uri)) return `redirect URI is not an absolute URL: ${uri}`;
  }
  return {
    clientId: o.clientId as string,
    clientSecret: o.clientSecret as string,
    name: str(o.name) ? (o.name as string) : (o.clientId as string),
    redirectUris: [...(o.redirectUris as string[])],
    scopes: [...(o.scopes as string[])],
  };
}
