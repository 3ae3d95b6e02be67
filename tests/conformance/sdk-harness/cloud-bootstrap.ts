/**
 * What a Webex web app does before @webex/calling can start, done the documented way against
 * the emulator: OAuth authorization code + PKCE (S256) + state through the consent page, the
 * U2C `hostmap` catalog, and a WDM device registration. Plain `fetch`, no redirects followed:
 * the redirect to the app's redirect URI is read, never loaded.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEV_REDIRECT_URL } from '../../../lib/dev-integration';
import type { Hostmap } from './service-catalog';
import type { WdmDevice } from './webex-adapter';

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  scopes: readonly string[];
}

/** The scopes Webex's own calling samples request (webex-oauth.md §7). */
export const CALLING_SCOPES = [
  'spark:webrtc_calling',
  'spark:calls_read',
  'spark:calls_write',
  'spark:xsi',
  'spark:kms',
  'spark:people_read',
] as const;

export interface TokenSet {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  refresh_token_expires_in: number;
  token_type: string;
}

const base64url = (bytes: Buffer) => bytes.toString('base64url');

async function expectStatus(response: Response, status: number, what: string): Promise<void> {
  if (response.status !== status) {
    throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  }
}

function decodeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Submits the consent page the way a browser would when the user clicks "Sign in as <email>":
 * the form's hidden inputs plus the clicked button's name and value, posted to its action.
 */
export function consentSubmission(html: string, pageUrl: string, email: string) {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form?.[1] || form[2] === undefined) throw new Error('consent page has no form');
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
    const tag = input[0];
    if (!/\btype="hidden"/i.test(tag)) continue;
    const name = /\bname="([^"]*)"/i.exec(tag)?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (name) fields.append(decodeHtml(name), decodeHtml(value));
  }
  const button = [...form[2].matchAll(/<button\b[^>]*>/gi)]
    .map((m) => m[0])
    .find((tag) => decodeHtml(/\bvalue="([^"]*)"/i.exec(tag)?.[1] ?? '') === email);
  const buttonName = button && /\bname="([^"]*)"/i.exec(button)?.[1];
  if (!buttonName) throw new Error(`consent page offers no account ${email}`);
  fields.append(decodeHtml(buttonName), email);
  return { action: new URL(decodeHtml(form[1]), pageUrl).toString(), fields };
}

export async function signIn(
  baseUrl: string,
  client: OAuthClient,
  email: string,
): Promise<TokenSet> {
  const verifier = base64url(randomBytes(48));
  const challenge = base64url(createHash('sha256').update(verifier, 'ascii').digest());
  const state = base64url(randomBytes(16));
  const authorize = new URL('/v1/authorize', baseUrl);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: client.scopes.join(' '),
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const consent = await fetch(authorize, { redirect: 'manual' });
  await expectStatus(consent, 200, 'GET /v1/authorize');
  const { action, fields } = consentSubmission(await consent.text(), authorize.toString(), email);
  const decision = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: fields.toString(),
    redirect: 'manual',
  });
  await expectStatus(decision, 302, 'consent decision');
  const redirect = new URL(decision.headers.get('location') ?? '');
  if (`${redirect.origin}${redirect.pathname}` !== new URL(client.redirectUri).toString()) {
    throw new Error(`redirected to ${redirect}, not to ${client.redirectUri}`);
  }
  if (redirect.searchParams.get('state') !== state) throw new Error('state was not echoed');
  const code = redirect.searchParams.get('code');
  if (!code) throw new Error(`no code in redirect: ${redirect.search}`);

  // As the first-party Webex plugin does: PKCE verifier plus HTTP Basic client credentials.
  const basic = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  const token = await fetch(new URL('/v1/access_token', baseUrl), {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  await expectStatus(token, 200, 'POST /v1/access_token');
  return (await token.json()) as TokenSet;
}

const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

/** U2C catalog, as webex-core asks for it after sign-in. */
export async function fetchHostmap(u2cUrl: string, accessToken: string): Promise<Hostmap> {
  const response = await fetch(`${u2cUrl}/catalog?format=hostmap`, {
    headers: bearer(accessToken),
  });
  await expectStatus(response, 200, 'GET u2c catalog');
  return (await response.json()) as Hostmap;
}

/** WDM registration with the body webex-core's device plugin sends by default. */
export async function registerWdmDevice(wdmUrl: string, accessToken: string): Promise<WdmDevice> {
  const response = await fetch(`${wdmUrl}/devices`, {
    method: 'POST',
    headers: { ...bearer(accessToken), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'browser',
      deviceType: 'WEB',
      model: 'web-js-sdk',
      localizedModel: 'webex-js-sdk',
      systemName: 'WEBEX_JS_SDK',
      systemVersion: '1.0.0',
    }),
  });
  await expectStatus(response, 200, 'POST wdm devices');
  const device = (await response.json()) as Partial<WdmDevice>;
  if (!device.url || !device.userId || !device.orgId) {
    throw new Error(`WDM device lacks url/userId/orgId: ${JSON.stringify(device)}`);
  }
  return { url: device.url, userId: device.userId, orgId: device.orgId };
}

/** `email` signed in with the emulator's demo integration and the calling scopes. */
export function signInDemo(base: string, email: string): Promise<TokenSet> {
  const integration = {
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    redirectUri: DEV_REDIRECT_URL,
    scopes: CALLING_SCOPES,
  };
  return signIn(base, integration, email);
}
