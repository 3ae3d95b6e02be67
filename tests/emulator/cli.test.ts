import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_DEFAULT_PORTS } from '../../lib/dev-integration';
import { optionsFromEnv } from './cli-options';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

function runCli(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI], {
    env: { ...process.env, EMULATOR_QUIET: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(child: ChildProcess) {
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c) => {
    out.stdout += c;
  });
  child.stderr?.on('data', (c) => {
    out.stderr += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out, exited };
}

describe('cli options', () => {
  it('defaults to EMULATOR_DEFAULT_PORTS on 127.0.0.1', () => {
    expect(optionsFromEnv({})).toEqual({
      host: '127.0.0.1',
      ports: { ...EMULATOR_DEFAULT_PORTS },
      config: {},
    });
  });

  it('reads ports and config overrides', () => {
    const options = optionsFromEnv({
      EMULATOR_HOST: '0.0.0.0',
      EMULATOR_BASE_PORT: '9000',
      EMULATOR_KEEPALIVE_INTERVAL: '5',
      EMULATOR_ROTATE_REFRESH_TOKENS: 'false',
      EMULATOR_AUTO_CONSENT_EMAIL: 'alice@example.com',
    });
    expect(options).toMatchObject({
      host: '0.0.0.0',
      ports: { base: 9000, primary: EMULATOR_DEFAULT_PORTS.primary },
      config: {
        keepaliveIntervalSec: 5,
        rotateRefreshTokens: false,
        autoConsentEmail: 'alice@example.com',
      },
    });
  });

  it.each([
    [{ EMULATOR_BASE_PORT: 'http' }, 'EMULATOR_BASE_PORT'],
    [{ EMULATOR_KEEPALIVE_INTERVAL: '1.5' }, 'EMULATOR_KEEPALIVE_INTERVAL'],
    [{ EMULATOR_REQUIRE_PKCE: 'yes' }, 'EMULATOR_REQUIRE_PKCE'],
  ])('names the bad variable in %j', (env, name) => {
    expect(optionsFromEnv(env)).toContain(name);
  });
});

describe('cli process', () => {
  let blocker: Server | undefined;
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    blocker?.close();
  });

  it('prints where everything is and stops cleanly on SIGTERM', async () => {
    child = runCli({
      EMULATOR_BASE_PORT: '0',
      EMULATOR_PRIMARY_PORT: '0',
      EMULATOR_BACKUP_PORT: '0',
    });
    const { out, exited } = collect(child);
    await new Promise<void>((resolve, reject) => {
      child?.stdout?.on('data', () => out.stdout.includes('Ctrl+C') && resolve());
      exited.then(() => reject(new Error(`exited early: ${out.stderr}`)));
    });
    expect(out.stdout).toMatch(/Admin API: +http:\/\/127\.0\.0\.1:\d+\/_emulator\//);
    expect(out.stdout).toContain('alice@example.com');
    expect(out.stdout).toContain('chromiumapp.org');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('reports a port in use in one line, without a stack trace', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    child = runCli({
      EMULATOR_BASE_PORT: String(port),
      EMULATOR_PRIMARY_PORT: '0',
      EMULATOR_BACKUP_PORT: '0',
    });
    const { out, exited } = collect(child);
    expect(await exited).toBe(1);
    expect(out.stderr.trim().split('\n')).toEqual([
      expect.stringContaining(`port ${port} on 127.0.0.1`),
    ]);
    expect(out.stderr).toContain('already in use');
  });
});
