/** Helpers for the emulator's own tests (real HTTP on random ports, fake clock). */
import { randomBytes } from 'node:crypto';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEV_REDIRECT_URL } from '../../lib/dev-integration';
import { type Emulator, type EmulatorConfig, s256, startEmulator } from './index';

export const START_TIME = Date.UTC(2026, 0, 5, 9, 0, 0);

export class FakeClock {
  constructor(public t = START_TIME) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

export async function startTest(config: Partial<EmulatorConfig> = {}) {
  const clock = new FakeClock();
  const emu = await startEmulator({ clock, config });
  return { emu, clock };
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: s256(verifier) };
}

export function authorizeUrl(emu: Emulator, params: Record<string, string | null> = {}): string {
  const url = new URL(`${emu.urls.base}/v1/authorize`);
  const defaults: Record<string, string> = {
    response_type: 'code',
    client_id: DEMO_CLIENT_ID,
    redirect_uri: DEV_REDIRECT_URL,
    scope: 'spark:webrtc_calling spark:calls_read spark:calls_write spark:xsi spark:people_read',
    state: 'state-123',
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries({ ...defaults, ...params })) {
    if (v !== null) url.searchParams.set(k, v);
  }
  return url.toString();
}

export function get(url: string, headers: Record<string, string> = {}) {
  return fetch(url, { headers, redirect: 'manual' });
}

/** Opens the consent page and returns the opaque request id in its form. */
export async function consentRequestId(url: string): Promise<string> {
  const res = await get(url);
  if (res.status !== 200) throw new Error(`consent page answered ${res.status}`);
  const html = await res.text();
  const id = /name="request" value="([^"]+)"/.exec(html)?.[1];
  if (!id) throw new Error('no request id on the consent page');
  return id;
}

export function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

/** Clicks "Sign in as …" and returns the redirect's query. */
export async function signIn(
  emu: Emulator,
  email = 'alice@example.com',
  params: Record<string, string | null> = {},
) {
  const { verifier, challenge } = pkce();
  const id = await consentRequestId(authorizeUrl(emu, { code_challenge: challenge, ...params }));
  const res = await postForm(`${emu.urls.base}/v1/authorize/decision`, {
    request: id,
    user: email,
  });
  const location = new URL(res.headers.get('location') ?? 'about:blank');
  return { res, location, code: location.searchParams.get('code') ?? '', verifier };
}

export function exchange(
  emu: Emulator,
  form: Record<string, string>,
  headers?: Record<string, string>,
) {
  return postForm(`${emu.urls.base}/v1/access_token`, form, headers);
}

export function codeForm(code: string, verifier: string): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    client_id: DEMO_CLIENT_ID,
    client_secret: DEMO_CLIENT_SECRET,
    code,
    redirect_uri: DEV_REDIRECT_URL,
    code_verifier: verifier,
  };
}

/** The whole browser sign-in, returning the token response. */
export async function signInTokens(emu: Emulator, email = 'alice@example.com') {
  const { code, verifier } = await signIn(emu, email);
  const res = await exchange(emu, codeForm(code, verifier));
  if (res.status !== 200) throw new Error(`token exchange answered ${res.status}`);
  return (await res.json()) as { access_token: string; refresh_token: string };
}

export function bearer(token: string) {
  return { authorization: `Bearer ${token}` };
}

/** Headers the SDK sends on Mobius calls. */
export function mobiusHeaders(token: string, deviceUrl: string) {
  return {
    ...bearer(token),
    'cisco-device-url': deviceUrl,
    'spark-user-agent': 'webex-calling/beta',
  };
}

export async function createWdmDevice(emu: Emulator, token: string): Promise<string> {
  const res = await fetch(`${emu.urls.wdm}/devices`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'browser',
      deviceType: 'WEB',
      model: 'web-js-sdk',
      localizedModel: 'webex-js-sdk',
      systemName: 'WEBEX_JS_SDK',
      systemVersion: '1.0.0',
    }),
  });
  if (res.status !== 200) throw new Error(`WDM answered ${res.status}`);
  return ((await res.json()) as { url: string }).url;
}

export function register(
  apiUrl: string,
  token: string,
  userId: string,
  deviceUrl: string,
  body?: unknown,
) {
  return fetch(`${apiUrl}/calling/web/device`, {
    method: 'POST',
    headers: { ...mobiusHeaders(token, deviceUrl), 'content-type': 'application/json' },
    body: JSON.stringify(
      body ?? {
        userId,
        clientDeviceUri: deviceUrl,
        serviceData: { indicator: 'calling', domain: '' },
      },
    ),
  });
}

/** The SDK's keepalive: no body, trackingId web_worker_<uuid>. */
export function keepalive(deviceUri: string, token: string, deviceUrl: string) {
  return fetch(`${deviceUri}/status`, {
    method: 'POST',
    headers: {
      ...mobiusHeaders(token, deviceUrl),
      trackingId: `web_worker_${crypto.randomUUID()}`,
    },
  });
}

/** The SDK's deregister: a plain fetch DELETE. */
export function deregister(deviceUri: string, token: string, deviceUrl: string) {
  return fetch(deviceUri, {
    method: 'DELETE',
    headers: {
      ...mobiusHeaders(token, deviceUrl),
      trackingId: `webex-web-client_${crypto.randomUUID()}`,
    },
  });
}

export interface RegisteredLine {
  token: string;
  deviceUrl: string;
  body: {
    userId: string;
    device: {
      deviceId: string;
      uri: string;
      clientDeviceUri: string;
      lastSeen: string;
      status: string;
      addresses: string[];
    };
    keepaliveInterval: number;
  };
}

/** Tokens, WDM device and a Mobius registration for a user. */
export async function registeredLine(
  emu: Emulator,
  email = 'alice@example.com',
  server: 'primary' | 'backup' = 'primary',
): Promise<RegisteredLine> {
  const token = emu.issueTokens(email).access_token;
  const deviceUrl = await createWdmDevice(emu, token);
  const user = emu.users.find((u) => u.email === email);
  const api = server === 'primary' ? emu.urls.mobiusPrimaryApi : emu.urls.mobiusBackupApi;
  const res = await register(api, token, user?.id ?? '', deviceUrl);
  if (res.status !== 200) throw new Error(`register answered ${res.status}`);
  return { token, deviceUrl, body: (await res.json()) as RegisteredLine['body'] };
}

export async function admin(emu: Emulator, method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.urls.admin}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
