import { describe, expect, it } from 'vitest';
import {
  between,
  countByEndpoint,
  endpointOf,
  firstDifference,
  gaps,
  type LoggedRequest,
  protocolRequests,
  signature,
  splitWindow,
} from '../../../bench/core/request-log';

const entry = (at: number, method: string, path: string, server = 'base'): LoggedRequest => ({
  at,
  method,
  path,
  status: 200,
  server,
});

// A cold registration as the emulator logs it, between a sign-in and a keepalive.
const LOG: LoggedRequest[] = [
  entry(1000, 'POST', '/v1/access_token'),
  entry(1001, 'GET', '/v1/people/me'),
  entry(2000, 'GET', '/u2c/api/v1/catalog?format=hostmap'),
  entry(2003, 'POST', '/wdm/api/v1/devices'),
  entry(2005, 'GET', '/v1/region'),
  entry(2007, 'GET', '/api/v1/calling/web/?regionCode=US-EAST&countryCode=US', 'primary'),
  entry(2010, 'POST', '/api/v1/calling/web/device', 'primary'),
  entry(2500, 'GET', '/demo'),
  entry(3000, 'POST', '/api/v1/calling/web/devices/abc-123/status', 'primary'),
  entry(4000, 'DELETE', '/api/v1/calling/web/devices/abc-123', 'primary'),
  entry(4001, 'DELETE', '/wdm/api/v1/devices/9f'),
];

describe('request log extraction', () => {
  it('names every protocol endpoint the registration uses', () => {
    expect(LOG.map(endpointOf)).toEqual([
      'token',
      'people',
      'catalog',
      'wdm-register',
      'region',
      'discovery',
      'register',
      'page',
      'keepalive',
      'deregister',
      'wdm-device',
    ]);
    expect(endpointOf({ method: 'GET', path: '/api/v1/calling/web/devices?userid=u' })).toBe(
      'devices',
    );
    expect(endpointOf({ method: 'GET', path: '/api/v1/ping' })).toBe('ping');
    expect(endpointOf({ method: 'PATCH', path: '/api/v1/calling/web/device' })).toBe('other');
    expect(endpointOf({ method: 'GET', path: '/v1/authorize?client_id=x' })).toBe('authorize');
  });

  it('keeps the entries of a window, widening fractional bounds to whole milliseconds', () => {
    const cold = between(LOG, 1999.6, 2009.2);
    expect(cold.map(endpointOf)).toEqual([
      'catalog',
      'wdm-register',
      'region',
      'discovery',
      'register',
    ]);
    expect(between(LOG, 2010.4, 2010.6).map(endpointOf)).toEqual(['register']);
    expect(between(LOG, 5000, 6000)).toEqual([]);
  });

  it('leaves page loads out of the protocol requests and counts the rest by endpoint', () => {
    const window = protocolRequests(between(LOG, 2000, 3000));
    expect(window).toHaveLength(6);
    expect(countByEndpoint(window)).toEqual({
      catalog: 1,
      'wdm-register': 1,
      region: 1,
      discovery: 1,
      register: 1,
      keepalive: 1,
    });
  });

  it('gives a signature without ids or queries, so two clients compare equal', () => {
    const extension = between(LOG, 2000, 2010);
    const baseline = extension.map((e) => ({ ...e, path: e.path.replace('US-EAST', 'EU') }));
    expect(signature(extension)).toEqual(signature(baseline));
    expect(signature(extension)[3]).toBe('GET discovery @primary');
    expect(firstDifference(signature(extension), signature(baseline))).toBeNull();
    expect(firstDifference(['a', 'b'], ['a', 'c'])).toBe(1);
    expect(firstDifference(['a'], ['a', 'b'])).toBe(1);
  });

  it('turns keepalive receive times into gaps', () => {
    expect(gaps([1000, 2003, 2999, 4100])).toEqual([1003, 996, 1101]);
    expect(gaps([5])).toEqual([]);
  });
});

describe('window split', () => {
  it('splits a timed window at its first and last answered request', () => {
    const requests = between(LOG, 1995, 2020);
    expect(splitWindow({ from: 1995.5, to: 2020 }, requests)).toEqual({
      beforeFirst: 4.5,
      between: 10,
      afterLast: 10,
    });
    expect(splitWindow({ from: 0, to: 1 }, [])).toBeNull();
  });
});
