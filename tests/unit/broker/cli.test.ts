/**
 * `npm run broker` (scripts/broker.ts) as a real process on a random port, against the real
 * emulator over real HTTP: a code from the emulator's consent flow is exchanged through the
 * broker, the refresh token refreshed through it, by the extension's own broker client.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  DEV_EXTENSION_ID,
  DEV_REDIRECT_URL,
} from '../../../lib/dev-integration';
import type { Fetch } from '../../../lib/ports';
import { exchangeCodeViaBroker, refreshViaBroker } from '../../../lib/webex/broker-client';
import { type Emulator, startEmulator } from '../../emulator/index';
import { bearer, get, signIn } from '../../emulator/test-support';

const SCRIPT = fileURLToPath(new URL('../../../scripts/broker.ts', import.meta.url));
const ORIGIN = `chrome-extension://${DEV_EXTENSION_ID}`;

let emulator: Emulator;
let child: ChildProcess | undefined;
const output = { stdout: '', stderr: '' };

beforeEach(async () => {
  emulator = await startEmulator({ ports: { base: 0, primary: 0, backup: 0 } });
  output.stdout = '';
  output.stderr = '';
});
afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await emulator.close();
});

/** The test's environment without any BROKER_* variable the developer may have set. */
const baseEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('BROKER_')));

/** Start the broker and wait for the line that says where it listens. */
function startBroker(env: Record<string, string>): Promise<string> {
  child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    child?.stdout?.on('data', (chunk) => {
      output.stdout += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(output.stdout)?.[1];
      if (url) resolve(url);
    });
    child?.stderr?.on('data', (chunk) => {
      output.stderr += chunk;
    });
    child?.on('exit', (code) => reject(new Error(`broker exited ${code}: ${output.stderr}`)));
  });
}

/** What the browser adds to every request the extension sends to another origin. */
const fromExtension =
  (origin: string): Fetch =>
  (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('origin', origin);
    return fetch(input, { ...init, headers });
  };

describe('npm run broker', () => {
  it('exchanges a real code and refreshes through the emulator, logging no secret', async () => {
    const brokerUrl = await startBroker({
      BROKER_PORT: '0',
      BROKER_TOKEN_URL: `${emulator.urls.base}/v1/access_token`,
      BROKER_CLIENT_ID: DEMO_CLIENT_ID,
      BROKER_CLIENT_SECRET: DEMO_CLIENT_SECRET,
    });
    expect(brokerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/token$/);
    const extensionFetch = fromExtension(ORIGIN);

    const { code, verifier } = await signIn(emulator);
    const exchanged = await exchangeCodeViaBroker(extensionFetch, brokerUrl, {
      code,
      codeVerifier: verifier,
      redirectUri: DEV_REDIRECT_URL,
    });
    if (!exchanged.ok) throw new Error(JSON.stringify(exchanged.error));
    const me = await get(`${emulator.urls.base}/v1/people/me`, bearer(exchanged.value.accessToken));
    expect(((await me.json()) as { emails: string[] }).emails).toEqual(['alice@example.com']);

    const refreshed = await refreshViaBroker(extensionFetch, brokerUrl, {
      refreshToken: exchanged.value.refreshToken ?? '',
    });
    if (!refreshed.ok) throw new Error(JSON.stringify(refreshed.error));
    expect(refreshed.value.accessToken).not.toBe(exchanged.value.accessToken);
    const again = await get(
      `${emulator.urls.base}/v1/people/me`,
      bearer(refreshed.value.accessToken),
    );
    expect(again.status).toBe(200);
    expect(emulator.deviations()).toEqual([]);

    // Webex's refusal (the code is spent) comes back unchanged.
    const reused = await exchangeCodeViaBroker(extensionFetch, brokerUrl, {
      code,
      codeVerifier: verifier,
      redirectUri: DEV_REDIRECT_URL,
    });
    expect(reused).toMatchObject({
      ok: false,
      error: { kind: 'http', status: 400, body: { error: 'invalid_grant' } },
    });

    // Another extension is refused before anything reaches the emulator.
    const requestsBefore = emulator.requestLog().length;
    const other = await refreshViaBroker(
      fromExtension(`chrome-extension://${'b'.repeat(32)}`),
      brokerUrl,
      {
        refreshToken: refreshed.value.refreshToken ?? '',
      },
    );
    expect(other).toMatchObject({ ok: false, error: { kind: 'config' } });
    expect(emulator.requestLog().length).toBe(requestsBefore);

    // The child's log lines arrive through a pipe: wait for the last one.
    const logLines = () => output.stdout.split('\n').filter((line) => line.startsWith('{'));
    await vi.waitFor(() => expect(logLines()).toHaveLength(4));
    expect(logLines().map((line) => (JSON.parse(line) as { status: number }).status)).toEqual([
      200, 200, 400, 403,
    ]);
    for (const secret of [
      DEMO_CLIENT_SECRET,
      code,
      verifier,
      exchanged.value.accessToken,
      exchanged.value.refreshToken ?? '',
      refreshed.value.accessToken,
    ]) {
      expect(output.stdout).not.toContain(secret);
      expect(output.stderr).not.toContain(secret);
    }
  });

  it('defaults to the emulator on its default port and the development extension', async () => {
    const brokerUrl = await startBroker({ BROKER_PORT: '0' });
    expect(output.stdout).toContain('token endpoint: http://127.0.0.1:8790/v1/access_token');
    expect(output.stdout).toContain(`extensions: ${ORIGIN}`);
    expect(output.stdout).toContain(`redirect URIs: ${DEV_REDIRECT_URL}`);
    expect(output.stdout).not.toContain(DEMO_CLIENT_SECRET);
    const preflight = await fetch(brokerUrl, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
  });

  it('stops cleanly on SIGTERM and refuses a bad configuration with the variable named', async () => {
    await startBroker({ BROKER_PORT: '0' });
    const exited = new Promise<number | null>((resolve) => child?.on('exit', resolve));
    child?.kill('SIGTERM');
    expect(await exited).toBe(0);

    const bad = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
      env: { ...baseEnv(), BROKER_TOKEN_URL: 'https://webexapis.com/v1/access_token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    bad.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => bad.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('BROKER_CLIENT_ID is required with BROKER_TOKEN_URL.');
  });
});
