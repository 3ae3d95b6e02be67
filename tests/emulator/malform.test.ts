import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALICE, type Emulator } from './index';
import { HUGE_BODY_BYTES, wrongTypes } from './malform';
import { admin, bearer, createWdmDevice, register, startTest } from './test-support';

let emu: Emulator;
beforeEach(async () => {
  ({ emu } = await startTest());
});
afterEach(() => emu.close());

async function people(token: string) {
  const res = await fetch(`${emu.urls.base}/v1/people/me`, { headers: bearer(token) });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('malformed answers built from the real one', () => {
  it('truncated: the first half of the real JSON, status and headers kept', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    const real = await people(token);
    emu.injectFault({ endpoint: 'people', malform: 'truncated' });
    const spoiled = await people(token);
    expect(spoiled.status).toBe(real.status);
    expect(spoiled.type).toContain('application/json');
    expect(real.text.startsWith(spoiled.text)).toBe(true);
    expect(spoiled.text.length).toBe(Math.floor(real.text.length / 2));
    expect(() => JSON.parse(spoiled.text)).toThrow();
  });

  it('wrongTypes: same keys, every value of another type, nested too', () => {
    expect(
      wrongTypes({ id: 'x', n: 3, ok: true, list: [1], nested: { a: 'b' }, none: null }),
    ).toEqual({
      id: 12345,
      n: { value: 3 },
      ok: 'true',
      list: 'not-a-list',
      nested: { a: 12345 },
      none: false,
    });
  });

  it('wrongTypes, missingFields, empty on a registration: 200 with a body no client can use; the device exists', async () => {
    emu.setConfig({ deviceLimit: 10 });
    const token = emu.issueTokens(ALICE.email).access_token;
    const answers: Record<string, string> = {};
    for (const malform of ['wrongTypes', 'missingFields', 'empty'] as const) {
      emu.injectFault({ endpoint: 'register', malform });
      const deviceUrl = await createWdmDevice(emu, token);
      const res = await register(emu.urls.mobiusPrimaryApi, token, ALICE.id, deviceUrl);
      expect(res.status).toBe(200);
      answers[malform] = await res.text();
    }
    const typed = JSON.parse(answers.wrongTypes ?? '');
    expect(typed.device.deviceId).toBe(12345);
    expect(typed.keepaliveInterval).toEqual({ value: 30 });
    expect(JSON.parse(answers.missingFields ?? '')).toEqual({});
    expect(answers.empty).toBe('');
    // The server did register: a client that cannot read the answer must clean up.
    expect(emu.devices(ALICE.email)).toHaveLength(3);
  });

  it('huge: several MB of junk that is not JSON', async () => {
    const token = emu.issueTokens(ALICE.email).access_token;
    emu.injectFault({ endpoint: 'people', malform: 'huge' });
    const spoiled = await people(token);
    expect(spoiled.status).toBe(200);
    expect(spoiled.text.length).toBeGreaterThan(HUGE_BODY_BYTES);
    expect(() => JSON.parse(spoiled.text)).toThrow();
    expect(emu.requestLog().at(-1)?.fault).toContain('malformed body (huge)');
  });

  it.each([
    [{ endpoint: 'people', malform: 'garbled' }, 'malform must be one of'],
    [{ endpoint: 'people', malform: 'empty', status: 200 }, 'no status or reset'],
  ])('refuses a bad malform fault %j', async (spec, words) => {
    const res = await admin(emu, 'POST', '/faults', spec);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain(words);
  });
});
