import { describe, expect, it } from 'vitest';
import {
  discoverAt,
  discoveryBases,
  fallbackServers,
  fetchCatalog,
  fetchRegion,
  filterMobiusUris,
  mobiusClusterHosts,
} from '../../../lib/webex/discovery';
import { json, ScriptedFetch } from '../fakes/fetch';

const U2C = 'https://webex.test/u2c/api/v1/catalog';

describe('U2C catalog', () => {
  it('asks for the hostmap and reads wdm, serviceLinks.mobius and the Mobius hosts', async () => {
    const http = new ScriptedFetch();
    http.on(
      'GET',
      `${U2C}?format=hostmap`,
      json(200, {
        serviceLinks: {
          mobius: 'https://m1.test/api/v1',
          wdm: 'https://wdm.test/wdm/api/v1/',
          other: 42,
        },
        hostCatalog: {
          'm1.test': [
            { host: 'm1.test', id: 'urn:TEAM:a:mobius' },
            { host: 'm2.test', id: 'urn:TEAM:a:mobius' },
            { host: 'x.test', id: 'urn:TEAM:a:conv' },
          ],
          'm2.test': [
            { host: 'm2.test', id: 'urn:TEAM:b:mobius' },
            { host: 'm3.test', id: 'urn:TEAM:b:mobius' },
          ],
        },
      }),
    );
    const outcome = await fetchCatalog(http.fetch, U2C, 'Bearer t');
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        wdmUrl: 'https://wdm.test/wdm/api/v1',
        mobiusLink: 'https://m1.test/api/v1',
        mobiusHosts: ['m1.test', 'm2.test', 'm3.test'],
      },
    });
    expect(http.calls[0]?.headers.authorization).toBe('Bearer t');
  });

  it('is a clear error without WDM or without any Mobius', async () => {
    const http = new ScriptedFetch();
    http.on(
      'GET',
      `${U2C}?format=hostmap`,
      json(200, { serviceLinks: { mobius: 'https://m.test/api/v1' } }),
      1,
    );
    const noWdm = await fetchCatalog(http.fetch, U2C, 'Bearer t');
    expect(noWdm.ok ? '' : noWdm.error.message).toBe(
      'Service catalog: serviceLinks.wdm is missing or not a URL',
    );
    http.on(
      'GET',
      `${U2C}?format=hostmap`,
      json(200, { serviceLinks: { wdm: 'https://w.test' }, hostCatalog: {} }),
      1,
    );
    const noMobius = await fetchCatalog(http.fetch, U2C, 'Bearer t');
    expect(noMobius.ok ? '' : noMobius.error.message).toContain('no Mobius service');
    http.on('GET', `${U2C}?format=hostmap`, json(200, { hostCatalog: [] }), 1);
    const garbage = await fetchCatalog(http.fetch, U2C, 'Bearer t');
    expect(garbage.ok ? null : garbage.error).toMatchObject({ kind: 'malformed' });
  });

  it('collects ids ending ":mobius" in order, once per host', () => {
    expect(
      mobiusClusterHosts({
        a: [
          { host: 'h1', id: 'x:mobius' },
          { host: 'h2', id: 'x:mobius-not' },
        ],
        b: [
          { host: 'h1', id: 'y:mobius' },
          { host: 'h3', id: 'y:mobius' },
        ],
      }),
    ).toEqual(['h1', 'h3']);
  });
});

describe('discoveryBases', () => {
  it('tries serviceLinks.mobius first, then the other hosts with its scheme', () => {
    expect(
      discoveryBases({
        wdmUrl: 'w',
        mobiusLink: 'http://127.0.0.1:8790/api/v1/',
        mobiusHosts: ['127.0.0.1:8790', 'm2.test'],
      }),
    ).toEqual(['http://127.0.0.1:8790/api/v1', 'http://m2.test/api/v1']);
  });
  it('uses https for hosts when there is no link', () => {
    expect(discoveryBases({ wdmUrl: 'w', mobiusHosts: ['m1.test', 'm2.test'] })).toEqual([
      'https://m1.test/api/v1',
      'https://m2.test/api/v1',
    ]);
  });
});

describe('filterMobiusUris', () => {
  const base = 'https://m1.test/api/v1';
  it('appends /calling/web/ and adds the discovery base to the backups', () => {
    expect(
      filterMobiusUris(
        {
          primary: { uris: ['https://p1.test/api/v1', 'https://p2.test/api/v1'] },
          backup: { uris: ['https://b1.test/api/v1'] },
        },
        base,
      ),
    ).toEqual({
      primary: ['https://p1.test/api/v1/calling/web/', 'https://p2.test/api/v1/calling/web/'],
      backup: ['https://b1.test/api/v1/calling/web/', 'https://m1.test/api/v1/calling/web/'],
    });
  });
  it('uses the discovery base as the only primary when both lists are empty', () => {
    expect(filterMobiusUris({}, base)).toEqual({
      primary: ['https://m1.test/api/v1/calling/web/'],
      backup: [],
    });
    expect(filterMobiusUris({ primary: { uris: [] }, backup: {} }, base)).toEqual({
      primary: ['https://m1.test/api/v1/calling/web/'],
      backup: [],
    });
  });
  it('adds the base to the backups even with primaries only, and removes duplicates in order', () => {
    expect(
      filterMobiusUris(
        {
          primary: { uris: ['https://p1.test/api/v1', 'https://p1.test/api/v1/'] },
          backup: { uris: [base] },
        },
        base,
      ),
    ).toEqual({
      primary: ['https://p1.test/api/v1/calling/web/'],
      backup: ['https://m1.test/api/v1/calling/web/'],
    });
  });
  it('falls back to the first cluster only', () => {
    expect(fallbackServers(['https://a/api/v1', 'https://b/api/v1'])).toEqual({
      primary: ['https://a/api/v1/calling/web/'],
      backup: [],
    });
  });
});

describe('region and Mobius discovery requests', () => {
  it('asks the region without Authorization', async () => {
    const http = new ScriptedFetch();
    http.on(
      'GET',
      'https://ds.test/v1/region',
      json(200, { clientRegion: 'AP-SOUTHEAST', countryCode: 'IN', timezone: 'x' }),
    );
    expect(await fetchRegion(http.fetch, 'https://ds.test/v1/region')).toMatchObject({
      ok: true,
      value: { clientRegion: 'AP-SOUTHEAST', countryCode: 'IN' },
    });
    expect(http.calls[0]?.headers.authorization).toBeUndefined();
    expect(http.calls[0]?.headers['spark-user-agent']).toBeUndefined();
  });
  it('treats an empty region as unknown', async () => {
    const http = new ScriptedFetch();
    http.on('GET', 'https://ds.test/v1/region', json(200, { clientRegion: '', countryCode: 'IN' }));
    const outcome = await fetchRegion(http.fetch, 'https://ds.test/v1/region');
    expect(outcome.ok).toBe(false);
  });
  it('queries {base}/calling/web/ with region, country and the Mobius headers', async () => {
    const http = new ScriptedFetch();
    http.on('GET', /calling\/web\/\?/, json(200, { primary: { uris: ['https://p.test/api/v1'] } }));
    const outcome = await discoverAt(
      http.fetch,
      'https://m1.test/api/v1',
      { clientRegion: 'US-EAST', countryCode: 'US' },
      { authorization: 'Bearer t', clientDeviceUri: 'https://wdm/d/1' },
    );
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        primary: ['https://p.test/api/v1/calling/web/'],
        backup: ['https://m1.test/api/v1/calling/web/'],
      },
    });
    const call = http.calls[0];
    expect(call?.url).toBe('https://m1.test/api/v1/calling/web/?regionCode=US-EAST&countryCode=US');
    expect(call?.headers).toMatchObject({
      authorization: 'Bearer t',
      'cisco-device-url': 'https://wdm/d/1',
      'spark-user-agent': 'webex-calling/beta',
    });
  });
  it('rejects uris that are not URLs', async () => {
    const http = new ScriptedFetch();
    http.on('GET', /calling\/web\/\?/, json(200, { primary: { uris: ['mobius-dfw'] } }));
    const outcome = await discoverAt(
      http.fetch,
      'https://m1.test/api/v1',
      { clientRegion: 'A', countryCode: 'B' },
      { authorization: 'a', clientDeviceUri: 'c' },
    );
    expect(outcome.ok ? '' : outcome.error.message).toBe(
      'Mobius discovery: primary.uris[0]: expected an absolute URL',
    );
  });
});
