import { beforeEach, describe, expect, it } from 'vitest';
import { dialledNumber } from '../../../lib/call/dial-number';
import { MISSED_CALL_SHOWN_MS, outgoingEndedText } from '../../../lib/ui/calls';
import { checkedNumber, dialBlock } from '../../../lib/ui/dialer';
import { callingView, callView, installI18n, installLocale } from './helpers';

beforeEach(installI18n);

describe('checkedNumber: the SDK rules in the user language', () => {
  const refused = ['', 'bob', '*#', '9'.repeat(65)];

  it('every reason dial-number.ts gives has a translation (a changed sentence fails here)', () => {
    installLocale('de');
    for (const input of refused) {
      const rule = dialledNumber(input);
      const checked = checkedNumber(input);
      expect(rule.ok, input).toBe(false);
      expect(checked.ok, input).toBe(false);
      if (!rule.ok && !checked.ok) expect(checked.text, input).not.toBe(rule.reason);
    }
  });

  it('a good number is sent as the SDK sends it', () => {
    expect(checkedNumber(' +1 (408) 555-0142 ')).toEqual({ ok: true, number: '+1(408)5550142' });
    expect(checkedNumber('5001#')).toEqual({ ok: true, number: '5001#' });
  });
});

describe('dialBlock', () => {
  const connected = callView({ state: 'connected', connectedAt: 1 });

  it.each([
    ['registered and ready', 'registered', callingView(), null],
    ['not registered', 'inactive', callingView(), 'off'],
    ['ring off', 'registered', callingView({ ring: 'off' }), 'off'],
    ['reconnecting', 'reconnecting', callingView(), 'connecting'],
    ['Mercury connecting', 'registered', callingView({ ring: 'connecting' }), 'connecting'],
    ['unsupported', 'registered', callingView({ ring: 'unsupported' }), 'unsupported'],
    ['mic denied', 'registered', callingView({ mic: 'denied' }), 'mic'],
    ['mic not asked yet', 'registered', callingView({ mic: 'prompt' }), null],
    ['ringing', 'registered', callingView({ calls: [callView()] }), 'busy'],
    ['talking', 'registered', callingView({ calls: [connected] }), 'onCall'],
    [
      'hold pending',
      'registered',
      callingView({ calls: [{ ...connected, holdPending: 'hold' as const }] }),
      'onCall',
    ],
    ['on hold', 'registered', callingView({ calls: [{ ...connected, held: true }] }), null],
  ] as const)('%s: %s', (_, display, calling, block) => {
    expect(dialBlock(display, calling)).toBe(block);
  });
});

describe('outgoingEndedText', () => {
  const ended = (at: number) =>
    ({
      key: 'out',
      reason: 'busy',
      callerNumber: '5001',
      at,
      missed: false,
      direction: 'outbound',
    }) as Parameters<typeof outgoingEndedText>[0];

  it('said for ten minutes, then no more', () => {
    const at = 1_000_000;
    expect(outgoingEndedText(ended(at), at + MISSED_CALL_SHOWN_MS)).toBe('5001 is busy.');
    expect(outgoingEndedText(ended(at), at + MISSED_CALL_SHOWN_MS + 1)).toBeNull();
    expect(outgoingEndedText(ended(at), at - 1)).toBeNull();
  });

  it('never for an incoming call, nor a view without a direction (before calls were placed)', () => {
    const inbound = { key: 'in', reason: 'failed', at: 1, missed: false };
    expect(outgoingEndedText({ ...inbound, direction: 'inbound' } as never, 2)).toBeNull();
    expect(outgoingEndedText(inbound, 2)).toBeNull();
    expect(outgoingEndedText(null, 2)).toBeNull();
  });
});
