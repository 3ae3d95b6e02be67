/** The emulator without sockets: the same routes, faults and log, through a fetch. */
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessEmulator, type InProcessEmulator } from './in-process';

const URLS = {
  base: 'https://webex.test',
  primary: 'https://mobius-p1.webex.test',
  backup: 'https://mobius-b1.webex.test',
};
const REGION = `${URLS.base}/v1/region`;

describe('the in-process emulator', () => {
  let emulator: InProcessEmulator;
  afterEach(() => emulator.close());
  const start = () => {
    emulator = createInProcessEmulator({ urls: URLS });
    return emulator;
  };

  it('answers through fetch with the headers the listeners send, and logs the request', async () => {
    const emu = start();
    const answer = await emu.fetch(REGION);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('trackingid')).toBeTruthy();
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect((await answer.json()).countryCode).toBe('US');
    expect(emu.requestLog().map((e) => `${e.server} ${e.path} ${e.status}`)).toEqual([
      'base /v1/region 200',
    ]);
    await expect(emu.fetch('https://elsewhere.test/v1/region')).rejects.toThrow(TypeError);
  });

  it('a reset fault or a server down fails like the network; a stall sends headers and never the end', async () => {
    const emu = start();
    emu.injectFault({ endpoint: 'region', reset: true });
    await expect(emu.fetch(REGION)).rejects.toThrow(TypeError);
    emu.injectFault({ endpoint: 'region', stall: true, stallAfterBytes: 3 });
    const stalled = await emu.fetch(REGION);
    expect(stalled.status).toBe(200);
    const reader = stalled.body?.getReader();
    expect((await reader?.read())?.value).toHaveLength(3);
    const rest = reader?.read();
    await emu.serverDown('base');
    await expect(rest).rejects.toThrow(TypeError);
    await expect(emu.fetch(REGION)).rejects.toThrow(TypeError);
    await emu.serverUp('base');
    expect((await emu.fetch(REGION)).status).toBe(200);
  });

  it('a delayed answer is abandoned when the caller aborts', async () => {
    const emu = start();
    emu.injectFault({ endpoint: 'region', delayMs: 60_000 });
    const abort = new AbortController();
    const answer = emu.fetch(REGION, { signal: abort.signal });
    abort.abort();
    await expect(answer).rejects.toThrow(/abort/i);
  });

  it('auto-consent answers the authorize URL with a code redirect', async () => {
    const emu = start();
    emu.setConfig({ autoConsentEmail: 'alice@example.com' });
    const authorize = new URL(`${URLS.base}/v1/authorize`);
    const redirect = emu.demoIntegration.redirectUris[0] ?? '';
    for (const [key, value] of Object.entries({
      client_id: emu.demoIntegration.clientId,
      response_type: 'code',
      redirect_uri: redirect,
      scope: 'spark:webrtc_calling',
      state: 'xyz',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }))
      authorize.searchParams.set(key, value);
    const answer = await emu.fetch(authorize);
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toMatch(/^https:\/\/.*\?code=.+&state=xyz$/);
  });
});

describe('registrationAnswer', () => {
  it('is validated like the rest of the config', () => {
    const emu = createInProcessEmulator({ urls: URLS });
    expect(() => emu.setConfig({ registrationAnswer: { keepaliveInterval: 0.001 } })).not.toThrow();
    expect(emu.config.registrationAnswer).toEqual({ keepaliveInterval: 0.001 });
    expect(() => emu.setConfig({ registrationAnswer: { voicePortalNumber: 1 } as never })).toThrow(
      /may only set/,
    );
    expect(() =>
      emu.setConfig({ registrationAnswer: { rehomingIntervalMin: Number.NaN } }),
    ).toThrow(/must be a number/);
    return emu.close();
  });
});
