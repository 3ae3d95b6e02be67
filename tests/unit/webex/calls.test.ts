import { describe, expect, it } from 'vitest';
import { buildCallRequest, sendCall, ZERO_STATS } from '../../../lib/webex/calls';
import { localRoap, roapMessage } from '../../../lib/webex/roap';
import { parseWith } from '../../../lib/webex/validate';
import { bodyJson, json, ScriptedFetch } from '../fakes/fetch';
import { must } from '../fakes/must';

const SERVER = 'https://mobius-dfw.prod.infra.webex.com/api/v1/calling/web/';
const device = { deviceId: 'dev-1', correlationId: 'corr-1' };
const auth = {
  authorization: 'Bearer t',
  clientDeviceUri: 'https://wdm/devices/1',
  trackingId: 'tr',
};

describe('buildCallRequest', () => {
  it('PATCHes alerting and connected with inbandMedia false', () => {
    expect(buildCallRequest(SERVER, { tag: 'alerting', device, callId: 'c1' })).toEqual({
      method: 'PATCH',
      url: `${SERVER}devices/dev-1/calls/c1`,
      body: { device, callId: 'c1', callState: 'sig_alerting', inbandMedia: false },
    });
    expect(buildCallRequest(SERVER, { tag: 'connected', device, callId: 'c1' }).body).toMatchObject(
      { callState: 'sig_connected' },
    );
  });

  it('posts ROAP on …/media with its mediaId', () => {
    const roap = localRoap('ANSWER', 1, 'v=0');
    expect(
      buildCallRequest(SERVER, { tag: 'media', device, callId: 'c1', roap, mediaId: 'm' }),
    ).toEqual({
      method: 'POST',
      url: `${SERVER}devices/dev-1/calls/c1/media`,
      body: {
        device,
        callId: 'c1',
        localMedia: { roap: { messageType: 'ANSWER', seq: 1, sdp: 'v=0' }, mediaId: 'm' },
      },
    });
  });

  it('posts the setup with the offer and a tel: callee', () => {
    const offer = localRoap('OFFER', 1, 'v=0');
    const request = buildCallRequest(SERVER, {
      tag: 'setup',
      device,
      offer,
      mediaId: 'm',
      address: '+15551234',
    });
    expect(request.url).toBe(`${SERVER}devices/dev-1/call`);
    expect(request.body).toEqual({
      device,
      localMedia: {
        roap: { messageType: 'OFFER', seq: 1, sdp: 'v=0', tieBreaker: 4294967294 },
        mediaId: 'm',
      },
      callee: { type: 'uri', address: 'tel:+15551234' },
    });
  });

  it('DELETEs with a body carrying the cause code', () => {
    for (const [cause, code] of [
      ['normal', 0],
      ['busy', 115],
      ['mediaInactivity', 131],
    ] as const) {
      const request = buildCallRequest(SERVER, { tag: 'delete', device, callId: 'c1', cause });
      expect(request.method).toBe('DELETE');
      expect(request.body).toMatchObject({
        device,
        callId: 'c1',
        causecode: code,
        metrics: ZERO_STATS(),
      });
    }
    expect(
      buildCallRequest(SERVER, { tag: 'delete', device, callId: 'c', cause: 'busy' }).body.cause,
    ).toBe('User Busy.');
  });

  it('posts the call keepalive on …/status', () => {
    expect(buildCallRequest(SERVER, { tag: 'status', device, callId: 'c1' })).toEqual({
      method: 'POST',
      url: `${SERVER}devices/dev-1/calls/c1/status`,
      body: { device, callId: 'c1' },
    });
  });
});

describe('supplementary services (§2, §6)', () => {
  it('posts hold and resume to services/callhold with device and callId', () => {
    for (const tag of ['hold', 'resume'] as const) {
      expect(buildCallRequest(SERVER, { tag, device, callId: 'c1' })).toEqual({
        method: 'POST',
        url: `${SERVER}services/callhold/${tag}`,
        body: { device, callId: 'c1' },
      });
    }
  });

  it('commits a blind transfer with its context', () => {
    expect(
      buildCallRequest(SERVER, { tag: 'transfer', device, callId: 'c1', destination: '5008' }),
    ).toEqual({
      method: 'POST',
      url: `${SERVER}services/calltransfer/commit`,
      body: {
        device,
        callId: 'c1',
        transferType: 'BLIND',
        blindTransferContext: { transferorCallId: 'c1', destination: '5008' },
      },
    });
  });
});

describe('sendCall', () => {
  it('sends the headers and JSON body, and reads the setup callId strictly', async () => {
    const fetch = new ScriptedFetch();
    fetch.on('POST', `${SERVER}devices/dev-1/call`, () =>
      json(200, { callId: 'new-call', device }),
    );
    const offer = localRoap('OFFER', 1, 'v=0');
    const outcome = await sendCall(fetch.fetch, SERVER, auth, {
      tag: 'setup',
      device,
      offer,
      mediaId: 'm',
      address: '1',
    });
    expect(outcome).toMatchObject({ ok: true, value: { callId: 'new-call' } });
    const sent = fetch.calls[0];
    expect(sent?.headers).toMatchObject({
      authorization: 'Bearer t',
      'spark-user-agent': 'webex-calling/beta',
    });
    expect(bodyJson(must(sent))).toMatchObject({ device });
  });

  it('turns a setup answer without callId into a malformed outcome', async () => {
    const fetch = new ScriptedFetch();
    fetch.on('POST', `${SERVER}devices/dev-1/call`, () => json(200, { device }));
    const offer = localRoap('OFFER', 1, 'v=0');
    const outcome = await sendCall(fetch.fetch, SERVER, auth, {
      tag: 'setup',
      device,
      offer,
      mediaId: 'm',
      address: '1',
    });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });

  it('reports an HTTP error of a DELETE as data', async () => {
    const fetch = new ScriptedFetch();
    fetch.on('DELETE', `${SERVER}devices/dev-1/calls/c1`, () => json(404, { errorCode: 113 }));
    const outcome = await sendCall(fetch.fetch, SERVER, auth, {
      tag: 'delete',
      device,
      callId: 'c1',
      cause: 'busy',
    });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'http', status: 404 } });
    expect(fetch.calls[0]?.method).toBe('DELETE');
  });
});

describe('roapMessage', () => {
  it('accepts Mobius offers and refuses an offer without SDP or an unknown type', () => {
    expect(
      parseWith(roapMessage, { messageType: 'OFFER', seq: 1, version: '2', sdp: 'v=0' }, 'roap').ok,
    ).toBe(true);
    expect(parseWith(roapMessage, { messageType: 'OK', seq: 1 }, 'roap').ok).toBe(true);
    expect(parseWith(roapMessage, { messageType: 'OFFER', seq: 1 }, 'roap')).toMatchObject({
      ok: false,
    });
    expect(parseWith(roapMessage, { messageType: 'HELLO', seq: 1 }, 'roap')).toMatchObject({
      ok: false,
    });
  });
});
