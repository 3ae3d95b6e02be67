import { describe, expect, it } from 'vitest';
import { route } from '../../../lib/call/router';
import { newOutgoing } from '../../../lib/call/steps';
import type { Calls } from '../../../lib/call/types';

const ctx = { now: 1, micUsable: true, newId: () => 'u1' };
const record = { ...newOutgoing(ctx, 'k1', 'dev-1', '5008'), callId: 'c1', callIdKnown: true };
const calls: Calls = { calls: { k1: record } };
const ours = (id: string) => id === 'dev-1';

describe('router: Mercury events of placed calls and mid-call services', () => {
  it('callprogress with inbandMedia, by correlationId', () => {
    expect(
      route(
        calls,
        'mobius.callprogress',
        { correlationId: 'k1', callProgressData: { alerting: true, inbandMedia: true } },
        ours,
      ),
    ).toEqual({ event: { kind: 'progress', key: 'k1', inbandMedia: true } });
    expect(route(calls, 'mobius.callprogress', { correlationId: 'x' }, ours).event).toBeNull();
  });

  it('callconnected, and an ANSWER on mobius.media', () => {
    expect(route(calls, 'mobius.callconnected', { correlationId: 'k1' }, ours).event).toEqual({
      kind: 'remoteConnect',
      key: 'k1',
    });
    expect(
      route(
        calls,
        'mobius.media',
        { correlationId: 'k1', message: { messageType: 'ANSWER', seq: 1, sdp: 'v=0' } },
        ours,
      ).event,
    ).toMatchObject({ kind: 'remoteAnswer', key: 'k1', roap: { seq: 1 } });
  });

  it('midCallService callState and callInfo (the SDK shape), never a new call', () => {
    const routed = route(
      calls,
      'mobius.call',
      {
        callId: 'c1',
        correlationId: 'k1',
        deviceId: 'dev-1',
        midCallService: [
          { eventType: 'callInfo', eventData: { callerId: { from: '"Al" <sip:5009@h>' } } },
          { eventType: 'callState', eventData: { callState: 'HELD' } },
        ],
      },
      ours,
    );
    expect(routed.event).toEqual({
      kind: 'midCall',
      key: 'k1',
      callState: 'HELD',
      callerId: { name: 'Al', number: '5009' },
    });
    expect(
      route(calls, 'mobius.call', { correlationId: 'x', midCallService: [] }, ours).event,
    ).toBeNull();
    expect(
      route(calls, 'mobius.call', { correlationId: 'k1', midCallService: 'HELD' }, ours).event,
    ).toBeNull();
  });

  it('a disconnect saying busy is marked busy', () => {
    expect(
      route(calls, 'mobius.calldisconnected', { correlationId: 'k1', causecode: 115 }, ours).event,
    ).toMatchObject({ kind: 'remoteDisconnect', busy: true });
    expect(
      route(calls, 'mobius.calldisconnected', { correlationId: 'k1', cause: 'Normal' }, ours).event,
    ).toMatchObject({ busy: false });
  });
});
