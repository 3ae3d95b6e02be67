import { beforeEach, describe, expect, it } from 'vitest';
import {
  callerSubtitle,
  callerTitle,
  callSignature,
  effectiveRing,
  failedCallText,
  formatDuration,
  MISSED_CALL_SHOWN_MS,
  micNotice,
  missedCallText,
  readinessText,
} from '../../../lib/ui/calls';
import { callingView, callView, installI18n, installLocale } from './helpers';

beforeEach(installI18n);

describe('calls: pure helpers', () => {
  it('the line must be registered for the document to say "ready"', () => {
    expect(effectiveRing('registered', 'ready')).toBe('ready');
    expect(effectiveRing('registered', 'connecting')).toBe('connecting');
    expect(effectiveRing('registered', 'unsupported')).toBe('unsupported');
    expect(effectiveRing('reconnecting', 'ready')).toBe('connecting');
    expect(effectiveRing('reconnecting', 'unsupported')).toBe('unsupported');
    for (const display of ['inactive', 'connecting', 'error'] as const)
      expect(effectiveRing(display, 'ready')).toBe('off');
    expect(effectiveRing('registered', 'off')).toBe('off');
  });

  it('readiness texts', () => {
    expect(readinessText('ready')).toBe('Ready for calls');
    expect(readinessText('connecting')).toBe("Can't receive calls: reconnecting to Webex");
    expect(readinessText('unsupported')).toBe(
      "This browser can't take calls; the line stays registered",
    );
    expect(readinessText('off')).toBeNull();
  });

  it('the microphone notice', () => {
    expect(micNotice(callingView({ mic: 'denied' }), 'ready')).toBe('blocked');
    expect(micNotice(callingView({ mic: 'denied' }), 'connecting')).toBe('blocked');
    expect(micNotice(callingView({ mic: 'prompt' }), 'ready')).toBe('ask');
    expect(micNotice(callingView({ mic: 'unknown' }), 'ready')).toBe('ask');
    expect(micNotice(callingView({ mic: 'granted' }), 'ready')).toBeNull();
    expect(micNotice(callingView({ mic: 'denied' }), 'off')).toBeNull();
    expect(micNotice(callingView({ mic: 'denied' }), 'unsupported')).toBeNull();
    const blockedCall = callingView({ mic: 'denied', calls: [callView({ micBlocked: true })] });
    expect(micNotice(blockedCall, 'ready')).toBeNull();
  });

  it('the caller: name, else number, else unknown; the number under a name', () => {
    expect(callerTitle({ callerName: 'Bob', callerNumber: '42' })).toBe('Bob');
    expect(callerSubtitle({ callerName: 'Bob', callerNumber: '42' })).toBe('42');
    expect(callerTitle({ callerNumber: '42' })).toBe('42');
    expect(callerSubtitle({ callerNumber: '42' })).toBeNull();
    expect(callerTitle({})).toBe('Unknown caller');
    expect(callerSubtitle({ callerName: 'Bob' })).toBeNull();
  });

  it('durations: mm:ss, h:mm:ss past an hour, never negative', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(59_999)).toBe('00:59');
    expect(formatDuration(65_000)).toBe('01:05');
    expect(formatDuration(59 * 60_000 + 59_000)).toBe('59:59');
    expect(formatDuration(3_600_000)).toBe('1:00:00');
    expect(formatDuration(-5_000)).toBe('00:00');
  });

  it('a missed call is mentioned for ten minutes', () => {
    const at = new Date(2026, 10, 27, 13, 23, 40).getTime();
    const ended = { key: 'c', reason: 'missed', callerName: 'Bob', at, missed: true };
    expect(missedCallText(ended, at)).toMatch(/^Missed call from Bob at 1:23\sPM$/);
    expect(missedCallText(ended, at + MISSED_CALL_SHOWN_MS)).not.toBeNull();
    expect(missedCallText(ended, at + MISSED_CALL_SHOWN_MS + 1)).toBeNull();
    expect(missedCallText({ ...ended, missed: false }, at)).toBeNull();
    expect(missedCallText(null, at)).toBeNull();
    installLocale('de');
    expect(missedCallText(ended, at)).toBe('Verpasster Anruf von Bob um 13:23');
  });

  it('a call that ended on a failure here says why, for ten minutes; an ordinary end says nothing', () => {
    const at = 1_000_000;
    const ended = (reason: string) => ({ key: 'c', reason, at, missed: false });
    expect(failedCallText(ended('micFailed'), at)).toBe(
      'Call ended: the microphone could not be opened',
    );
    expect(failedCallText(ended('lost'), at)).toMatch(/^Call cut off/);
    expect(failedCallText(ended('failed'), at)).toMatch(/could not connect/);
    expect(failedCallText(ended('micFailed'), at + MISSED_CALL_SHOWN_MS + 1)).toBeNull();
    for (const reason of [
      'localHangup',
      'remoteHangup',
      'declined',
      'answeredElsewhere',
      'toString',
    ])
      expect(failedCallText(ended(reason), at)).toBeNull();
    installLocale('de');
    expect(failedCallText(ended('micFailed'), at)).toBe(
      'Anruf beendet: Das Mikrofon ließ sich nicht öffnen',
    );
  });

  it('the one-click guard keys on the call, its state and its mute', () => {
    const call = callView();
    expect(callSignature(call)).not.toBe(callSignature({ ...call, state: 'answering' }));
    expect(callSignature(call)).not.toBe(callSignature({ ...call, muted: true }));
    expect(callSignature(call)).toBe(callSignature({ ...call, since: 5 }));
  });
});
