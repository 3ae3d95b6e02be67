import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  checkedSocketUrl,
  closeAction,
  isTrustedSocketUrl,
  parseFrame,
} from '../../../lib/webex/mercury';

const production = { kind: 'production' } as const;
const dev = { kind: 'custom', baseUrl: 'http://127.0.0.1:8787' } as const;

describe('isTrustedSocketUrl', () => {
  it.each([
    ['wss://mercury-connection-a.wbx2.com/v1/apps/wx2/registrations/W/messages', production, true],
    ['ws://mercury-connection-a.wbx2.com/x', production, false],
    ['wss://evil.example.com/x', production, false],
    ['https://mercury-connection-a.wbx2.com/x', production, false],
    ['ws://127.0.0.1:9000/mercury/x', dev, true],
    ['ws://10.0.0.5/mercury', { kind: 'custom', baseUrl: 'http://10.0.0.5' } as const, false],
    ['wss://user:pw@mercury.wbx2.com/x', production, false],
    ['not a url', production, false],
  ])('%s -> %s', (url, environment, expected) => {
    expect(isTrustedSocketUrl(url, environment)).toBe(expected);
  });
});

describe('checkedSocketUrl', () => {
  it('passes a trusted address, refuses an untrusted one by host, and says when there is none', () => {
    const good = 'wss://mercury-connection-a.wbx2.com/v1/apps/wx2/registrations/W/messages';
    expect(checkedSocketUrl(good, production)).toEqual({ ok: true, value: good, status: 200 });
    const evil = checkedSocketUrl('wss://evil.example.com/x', production);
    expect(evil).toMatchObject({ ok: false, error: { kind: 'untrusted' } });
    expect(!evil.ok && evil.error.message).toContain('evil.example.com');
    expect(checkedSocketUrl(undefined, production)).toMatchObject({
      ok: false,
      error: { kind: 'malformed' },
    });
  });
});

describe('closeAction', () => {
  it.each([
    [4400, '', false, 'stop'],
    [4403, '', false, 'stop'],
    [4401, '', false, 'reauthorize'],
    [1005, '', false, 'refreshDevice'],
    [1006, '', false, 'reconnect'],
    [1001, '', true, 'reconnect'],
    [1006, '', true, 'reconnect'],
    [1011, '', true, 'reconnect'],
    [1005, '', true, 'reconnect'],
    [1005, 'replaced', true, 'stop'],
    [1000, 'Pong not received', true, 'reconnect'],
    [1000, 'Idle', true, 'reconnect'],
    [1000, 'Done', true, 'stop'],
    [3050, 'done (forced)', true, 'reconnect'],
    [4000, '', true, 'stop'],
    [4001, '', true, 'stop'],
    [1003, '', true, 'stop'],
  ])('%i %s (opened %s) -> %s', (code, reason, opened, expected) => {
    expect(closeAction(code, reason, opened)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it('is 0 then 1, 2, 4, 8, 16, 32, 32 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(backoffDelay)).toEqual([
      0, 1000, 2000, 4000, 8000, 16000, 32000, 32000,
    ]);
  });
});

describe('parseFrame', () => {
  it('classifies pongs, shutdown, readiness, events and junk', () => {
    expect(parseFrame('{"type":"pong","id":"p"}')).toEqual({ kind: 'pong', id: 'p' });
    expect(parseFrame('{"type":"shutdown"}')).toEqual({ kind: 'shutdown' });
    expect(parseFrame('{"id":"1","data":{"eventType":"mercury.registration_status"}}')).toEqual({
      kind: 'ready',
      id: '1',
    });
    expect(parseFrame('nope')).toMatchObject({ kind: 'ignored' });
    expect(parseFrame('{"id":"2","data":{}}')).toMatchObject({ kind: 'ignored', id: '2' });
  });

  it('copies header key paths into data, never onto prototypes', () => {
    const frame = parseFrame(
      JSON.stringify({
        id: 'e',
        data: { eventType: 'mobius.call' },
        headers: { 'data.callerId.from': 'x', 'data.__proto__.polluted': 1, other: 2 },
      }),
    );
    expect(frame).toEqual({
      kind: 'event',
      id: 'e',
      eventType: 'mobius.call',
      data: { eventType: 'mobius.call', callerId: { from: 'x' } },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
