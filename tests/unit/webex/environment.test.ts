import { describe, expect, it } from 'vitest';
import { endpointsFor, environmentKey, PRODUCTION_ENDPOINTS } from '../../../lib/webex/environment';

describe('endpointsFor', () => {
  it('uses the Webex production endpoints', () => {
    expect(endpointsFor({ kind: 'production' })).toEqual({
      ok: true,
      endpoints: {
        authorize: 'https://webexapis.com/v1/authorize',
        accessToken: 'https://webexapis.com/v1/access_token',
        peopleMe: 'https://webexapis.com/v1/people/me',
        u2cCatalog: 'https://u2c.wbx2.com/u2c/api/v1/catalog',
        region: 'https://ds.ciscospark.com/v1/region',
      },
    });
    expect(PRODUCTION_ENDPOINTS.authorize).toBe('https://webexapis.com/v1/authorize');
  });

  it('puts every path under a custom base URL (trailing slash ignored)', () => {
    expect(endpointsFor({ kind: 'custom', baseUrl: 'http://127.0.0.1:8790/' })).toEqual({
      ok: true,
      endpoints: {
        authorize: 'http://127.0.0.1:8790/v1/authorize',
        accessToken: 'http://127.0.0.1:8790/v1/access_token',
        peopleMe: 'http://127.0.0.1:8790/v1/people/me',
        u2cCatalog: 'http://127.0.0.1:8790/u2c/api/v1/catalog',
        region: 'http://127.0.0.1:8790/v1/region',
      },
    });
  });

  it('reports a bad custom URL clearly', () => {
    const result = endpointsFor({ kind: 'custom', baseUrl: 'ftp://x' });
    expect(result).toEqual({
      ok: false,
      message: 'The custom environment URL "ftp://x" is not a valid http(s) URL.',
    });
  });

  it('keys caches by environment and client id', () => {
    expect(environmentKey({ kind: 'production' }, 'C1')).not.toBe(
      environmentKey({ kind: 'production' }, 'C2'),
    );
    expect(environmentKey({ kind: 'production' }, 'C1')).not.toBe(
      environmentKey({ kind: 'custom', baseUrl: 'http://x' }, 'C1'),
    );
  });
});
