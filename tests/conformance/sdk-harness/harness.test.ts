/**
 * The harness's own moving parts, checked in-process with fakes: if these were wrong, the
 * conformance scenarios would prove nothing about the emulator.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { consentPage } from '../../emulator/consent-page';
import { DEMO_INTEGRATION } from '../../emulator/integrations';
import { ALICE, TEST_USERS } from '../../emulator/users';
import { consentSubmission } from './cloud-bootstrap';
import { lineEvent, Timeline } from './timeline';
import { mapUrl } from './url-map';
import { createWebexAdapter, WebexHttpError } from './webex-adapter';

describe('mapUrl', () => {
  const hostMap = {
    'ds.ciscospark.com': 'http://127.0.0.1:9000',
    '127.0.0.1:9001': 'http://127.0.0.1:9001',
  };

  it('moves https URLs of known hosts onto the http listener, keeping path and query', () => {
    expect(mapUrl(hostMap, 'https://ds.ciscospark.com/v1/region?x=1')).toBe(
      'http://127.0.0.1:9000/v1/region?x=1',
    );
    expect(mapUrl(hostMap, 'https://127.0.0.1:9001/api/v1/calling/web/')).toBe(
      'http://127.0.0.1:9001/api/v1/calling/web/',
    );
  });

  it('leaves unknown hosts and plain http alone', () => {
    expect(mapUrl(hostMap, 'https://www.google.com/generate_204')).toBe(
      'https://www.google.com/generate_204',
    );
    expect(mapUrl(hostMap, 'http://127.0.0.1:9001/x')).toBe('http://127.0.0.1:9001/x');
  });
});

describe('Timeline', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves a wait with the first matching entry recorded after the mark', async () => {
    const timeline = new Timeline();
    timeline.record('line', 'registered');
    const mark = timeline.mark();
    const waiting = timeline.waitFor('registered', lineEvent('registered'), { after: mark });
    timeline.record('line', 'unregistered');
    const second = timeline.record('line', 'registered');
    await expect(waiting).resolves.toBe(second);
  });

  it('counts matches and rejects once the deadline passes', async () => {
    vi.useFakeTimers();
    const timeline = new Timeline();
    timeline.record('line', 'reconnecting');
    const counted = timeline.waitForCount('reconnecting', lineEvent('reconnecting'), 2, {
      timeoutMs: 1000,
    });
    timeline.record('line', 'reconnecting');
    await expect(counted).resolves.toMatchObject({ name: 'reconnecting' });

    const never = timeline.waitFor('error', lineEvent('error'), { timeoutMs: 1000 });
    const assertion = expect(never).rejects.toThrow('timed out after 1000 ms waiting for error');
    await vi.advanceTimersByTimeAsync(1000);
    await assertion;
  });
});

describe('consentSubmission', () => {
  const html = consentPage('req-123', DEMO_INTEGRATION, ['spark:webrtc_calling'], TEST_USERS);

  it('submits the hidden request id and the chosen account, like clicking its button', () => {
    const { action, fields } = consentSubmission(
      html,
      'http://127.0.0.1:9000/v1/authorize',
      ALICE.email,
    );
    expect(action).toBe('http://127.0.0.1:9000/v1/authorize/decision');
    expect([...fields]).toEqual([
      ['request', 'req-123'],
      ['user', ALICE.email],
    ]);
  });

  it('refuses an account the page does not offer', () => {
    expect(() => consentSubmission(html, 'http://127.0.0.1:9000/', 'nobody@example.com')).toThrow(
      'offers no account',
    );
  });
});

describe('webex adapter request()', () => {
  const services = {
    _hostCatalog: {},
    _serviceUrls: {},
    _activeServices: {},
    get: () => undefined,
    getMobiusClusters: () => [],
  };

  function adapterWith(respond: (url: string, init: RequestInit) => Response) {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), init: init ?? {} });
      return respond(String(input), init ?? {});
    }) as typeof fetch;
    const webex = createWebexAdapter({
      accessToken: 'tok_PF84_org',
      device: { url: 'http://wdm/devices/1', userId: 'u1', orgId: 'o1' },
      services,
      fetch: fakeFetch,
      log: () => {},
    });
    return { webex, calls };
  }

  it('adds Bearer auth, a sequenced trackingid and JSON, and honours header overrides', async () => {
    const { webex, calls } = adapterWith(() => Response.json({ ok: true }));
    const first = await webex.request({
      uri: 'http://m/device',
      method: 'POST',
      headers: { 'spark-user-agent': 'webex-calling/beta' },
      body: { userId: 'u1' },
    });
    await webex.request({
      uri: 'http://ds/region',
      addAuthHeader: false,
      headers: { 'spark-user-agent': null },
    });

    expect(first).toMatchObject({ statusCode: 200, body: { ok: true } });
    const [post, region] = calls.map((c) => c.init.headers as Record<string, string>);
    expect(post).toMatchObject({
      authorization: 'Bearer tok_PF84_org',
      'spark-user-agent': 'webex-calling/beta',
      'content-type': 'application/json',
    });
    expect(post?.trackingid).toMatch(/^webex-js-sdk_[0-9a-f-]{36}_1$/);
    expect(region?.trackingid).toMatch(/_2$/);
    expect(region).not.toHaveProperty('authorization');
    expect(region).not.toHaveProperty('spark-user-agent');
    expect(calls[0]?.init.body).toBe('{"userId":"u1"}');
  });

  it('rejects 4xx with statusCode, parsed body and lower-case headers', async () => {
    const { webex } = adapterWith(() =>
      Response.json({ errorCode: 101 }, { status: 403, headers: { 'Retry-After': '5' } }),
    );
    const failure = await webex.request({ uri: 'http://m/device' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WebexHttpError);
    expect(failure).toMatchObject({
      statusCode: 403,
      body: { errorCode: 101 },
      headers: expect.objectContaining({ 'retry-after': '5' }),
    });
  });

  it('gives the SDK a token whose string form is the Authorization value', async () => {
    const { webex } = adapterWith(() => new Response(null, { status: 204 }));
    expect(String(await webex.credentials.getUserToken())).toBe('Bearer tok_PF84_org');
  });
});
