import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, BOB, type Emulator, ORG_UUID } from './index';
import {
  bearer,
  createWdmDevice,
  type FakeClock,
  get,
  mobiusHeaders,
  startTest,
} from './test-support';

let emu: Emulator;
let clock: FakeClock;
beforeEach(async () => {
  ({ emu, clock } = await startTest());
});
afterEach(() => emu.close());

const decode = (id: string) => Buffer.from(id, 'base64').toString('utf8');

describe('GET /v1/people/me', () => {
  it('returns the Person with base64 ciscospark ids and calling numbers', async () => {
    const token = emu.issueTokens('alice@example.com').access_token;
    const res = await get(`${emu.urls.base}/v1/people/me`, bearer(token));
    expect(res.status).toBe(200);
    const me = await res.json();
    expect(decode(me.id)).toBe(`ciscospark://us/PEOPLE/${ALICE.id}`);
    expect(decode(me.orgId)).toBe(`ciscospark://us/ORGANIZATION/${ORG_UUID}`);
    expect(me.id).not.toMatch(/=$/);
    expect(me).toMatchObject({
      emails: ['alice@example.com'],
      displayName: 'Alice Example',
      firstName: 'Alice',
      lastName: 'Example',
      extension: '0101',
      type: 'person',
      phoneNumbers: [
        { type: 'work', value: '+14085550101', primary: true },
        { type: 'work_extension', value: '80101' },
      ],
    });
    expect(me.sipAddresses).toContainEqual({
      type: 'cloud-calling',
      value: 'alice@example.calls.webex.com',
      primary: true,
    });
    expect(typeof me.created).toBe('string');
  });

  it('leaves calling fields out for a user without calling', async () => {
    const token = emu.issueTokens(BOB.email).access_token;
    const me = await (await get(`${emu.urls.base}/v1/people/me`, bearer(token))).json();
    expect(me.phoneNumbers).toBeUndefined();
    expect(me.extension).toBeUndefined();
  });

  it('answers 401 for a missing, unknown, expired or revoked token', async () => {
    const url = `${emu.urls.base}/v1/people/me`;
    const statusFor = async (headers: Record<string, string>) => (await get(url, headers)).status;
    expect(await statusFor({})).toBe(401);
    expect(await statusFor(bearer(`nope_PF84_${ORG_UUID}`))).toBe(401);
    const expiring = emu.issueTokens(ALICE.email).access_token;
    clock.advance(1209599 * 1000);
    expect(await statusFor(bearer(expiring))).toBe(401);
    const revoked = emu.issueTokens(ALICE.email).access_token;
    expect(await statusFor(bearer(revoked))).toBe(200);
    emu.revokeTokens({ accessToken: revoked });
    const res = await get(url, bearer(revoked));
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body).toEqual({
      message: expect.stringContaining('access token'),
      errors: [{ description: expect.any(String) }],
      trackingId: res.headers.get('trackingid'),
    });
  });

  it('answers 403 with the REST error body without spark:people_read', async () => {
    const token = emu.issueTokens(ALICE.email, { scopes: ['spark:webrtc_calling'] }).access_token;
    const res = await get(`${emu.urls.base}/v1/people/me`, bearer(token));
    expect(res.status).toBe(403);
    expect((await res.json()).errors[0].description).toContain('spark:people_read');
  });
});

describe('U2C catalog, region and discovery', () => {
  it('lists Mobius primary then backup with ports, and the wdm link', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const res = await get(`${emu.urls.base}/u2c/api/v1/catalog?format=hostmap`, bearer(token));
    expect(res.status).toBe(200);
    const body = await res.json();
    const primaryHost = new URL(emu.urls.primary).host;
    expect(body.format).toBe('hostmap');
    expect(body.serviceLinks).toMatchObject({
      mobius: emu.urls.mobiusPrimaryApi,
      wdm: emu.urls.wdm,
    });
    expect(body.hostCatalog[primaryHost]).toEqual([
      { host: primaryHost, ttl: -1, priority: 5, id: 'urn:TEAM:local-a:mobius' },
      { host: new URL(emu.urls.backup).host, ttl: -1, priority: 15, id: 'urn:TEAM:local-a:mobius' },
    ]);
  });

  it('refuses the catalog without a token or without format=hostmap', async () => {
    expect((await get(`${emu.urls.base}/u2c/api/v1/catalog?format=hostmap`)).status).toBe(401);
    const token = emu.issueTokens(ALICE.email).access_token;
    expect((await get(`${emu.urls.base}/u2c/api/v1/catalog`, bearer(token))).status).toBe(400);
  });

  it('serves the limited (pre-sign-in) catalog without a token', async () => {
    const res = await get(
      `${emu.urls.base}/u2c/api/v1/limited/catalog?format=hostmap&mode=DEFAULT_BY_PROXIMITY`,
    );
    expect(res.status).toBe(200);
    expect((await res.json()).serviceLinks.mobius).toBe(emu.urls.mobiusPrimaryApi);
    expect(emu.deviations()).toEqual([]);
  });

  it('answers the region call without Authorization and marks nothing', async () => {
    const res = await get(`${emu.urls.base}/v1/region`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      clientRegion: 'US-EAST',
      countryCode: 'US',
      regionCode: 'US-EAST',
      clientAddress: '127.0.0.1',
      timezone: expect.any(String),
      attribution: expect.any(String),
      disclaimer: expect.any(String),
    });
    expect(emu.deviations()).toEqual([]);
  });

  it('discovers primary and backup on every listener', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const deviceUrl = await createWdmDevice(emu, token);
    for (const origin of [emu.urls.primary, emu.urls.backup, emu.urls.base]) {
      const res = await get(
        `${origin}/api/v1/calling/web/?regionCode=US-EAST&countryCode=US`,
        mobiusHeaders(token, deviceUrl),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        primary: { region: 'US-EAST', uris: [emu.urls.mobiusPrimaryApi] },
        backup: { region: 'US-WEST', uris: [emu.urls.mobiusBackupApi] },
      });
    }
    expect(emu.deviations()).toEqual([]);
  });

  it('refuses discovery without a token', async () => {
    const res = await get(
      `${emu.urls.primary}/api/v1/calling/web/?regionCode=US-EAST&countryCode=US`,
    );
    expect(res.status).toBe(401);
  });
});

describe('WDM devices', () => {
  it('creates, reads and deletes a device for its owner only', async () => {
    const alice = emu.issueTokens(ALICE.email).access_token;
    const url = await createWdmDevice(emu, alice);
    expect(url).toMatch(new RegExp(`^${emu.urls.wdm}/devices/[0-9a-f-]{36}$`));
    const read = await get(url, bearer(alice));
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({
      url,
      userId: ALICE.id,
      orgId: ORG_UUID,
      deviceType: 'WEB',
      name: 'browser',
    });
    const dave = emu.issueTokens('dave@example.com').access_token;
    expect((await get(url, bearer(dave))).status).toBe(404);
    expect((await fetch(url, { method: 'DELETE', headers: bearer(alice) })).status).toBe(204);
    expect((await get(url, bearer(alice))).status).toBe(404);
  });

  it('refuses a body without a known deviceType', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const res = await fetch(`${emu.urls.wdm}/devices`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'browser', deviceType: 'TOASTER' }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].description).toContain('deviceType');
  });
});
