import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from '../../lib/dev-integration';
import { ALICE, type Emulator } from './index';
import { admin, createWdmDevice, exchange, register, startTest } from './test-support';

let emu: Emulator;
beforeEach(async () => {
  ({ emu } = await startTest());
});
afterEach(() => emu.close());

async function aliceDevice() {
  const token = emu.issueTokens(ALICE.email).access_token;
  return { token, deviceUrl: await createWdmDevice(emu, token) };
}

describe('fault injection', () => {
  it('answers the next N requests with the given status and body, then behaves again', async () => {
    const { status } = await admin(emu, 'POST', '/faults', {
      endpoint: 'register',
      count: 2,
      status: 403,
      body: { userId: ALICE.id, errorCode: 103 },
    });
    expect(status).toBe(201);
    const { token, deviceUrl } = await aliceDevice();
    for (let i = 0; i < 2; i++) {
      const res = await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ userId: ALICE.id, errorCode: 103 });
    }
    expect((await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl)).status).toBe(
      200,
    );
    const faulted = emu.requestLog().filter((e) => e.fault);
    expect(faulted).toHaveLength(2);
    expect(faulted[0]).toMatchObject({
      status: 403,
      server: 'primary',
      path: '/api/v1/calling/web/device',
    });
  });

  it('sends Retry-After with a 429 and exposes it to browsers', async () => {
    emu.injectFault({ endpoint: 'token', status: 429, retryAfter: 17 });
    const res = await exchange(emu, {
      grant_type: 'refresh_token',
      client_id: DEMO_CLIENT_ID,
      client_secret: DEMO_CLIENT_SECRET,
      refresh_token: 'x',
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('17');
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After');
    expect((await res.json()).message).toContain('rate limited');
  });

  it('targets one server only when asked', async () => {
    emu.injectFault({ endpoint: 'ping', status: 503, server: 'backup' });
    expect((await fetch(`${emu.urls.mobiusPrimaryApi}/ping`)).status).toBe(200);
    expect((await admin(emu, 'GET', '/faults')).body.faults).toHaveLength(1);
    expect((await fetch(`${emu.urls.mobiusBackupApi}/ping`)).status).toBe(503);
    expect((await admin(emu, 'GET', '/faults')).body.faults).toHaveLength(0);
  });

  it('delays a response and then answers normally', async () => {
    emu.injectFault({ endpoint: 'region', delayMs: 150 });
    const started = performance.now();
    const res = await fetch(`${emu.urls.base}/v1/region`);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(emu.requestLog().at(-1)?.fault).toContain('delay 150ms');
  });

  it('resets the connection, then serves the next request', async () => {
    emu.injectFault({ endpoint: 'ping', reset: true, server: 'primary' });
    const failed = await fetch(`${emu.urls.mobiusPrimaryApi}/ping`).catch((err: Error) => err);
    expect(failed).toBeInstanceOf(TypeError);
    expect((await fetch(`${emu.urls.mobiusPrimaryApi}/ping`)).status).toBe(200);
    expect(emu.requestLog()[0]).toMatchObject({
      status: 0,
      fault: expect.stringContaining('reset'),
    });
  });

  it('clears pending faults', async () => {
    emu.injectFault({ endpoint: 'ping', status: 500, count: 5 });
    expect((await admin(emu, 'DELETE', '/faults')).body).toEqual({ cleared: 1 });
    expect((await fetch(`${emu.urls.mobiusPrimaryApi}/ping`)).status).toBe(200);
  });

  it.each([
    [{ endpoint: 'nope', status: 500 }, 'endpoint'],
    [{ endpoint: 'ping' }, 'status, reset, stall, malform or delayMs'],
    [{ endpoint: 'ping', status: 99 }, 'status'],
    [{ endpoint: 'ping', status: 500, server: 'moon' }, 'server'],
  ])('refuses a bad fault %j', async (spec, word) => {
    const res = await admin(emu, 'POST', '/faults', spec);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(word);
  });
});
