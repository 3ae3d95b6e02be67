import { describe, expect, it } from 'vitest';
import { CALL_TIMING, callTimingFrom } from '../../../lib/call/timing';

describe('call timing overrides (development builds)', () => {
  it('takes the known call keys as positive numbers and ignores everything else', () => {
    const timing = callTimingFrom({
      callRingMs: 3_000,
      callKeepaliveMs: 1_500,
      callConnectMs: -1,
      callKeepaliveRetryMs: Number.NaN,
      keepaliveIntervalSec: 1, // the line's, not the call's
      ringMs: 5, // only the prefixed names
    });
    expect(timing).toEqual({ ...CALL_TIMING, ringMs: 3_000, keepaliveMs: 1_500 });
  });

  it('no overrides: the SDK timers', () => {
    expect(callTimingFrom(undefined)).toEqual(CALL_TIMING);
    expect(callTimingFrom({ callRingMs: '100' })).toEqual(CALL_TIMING);
  });
});
