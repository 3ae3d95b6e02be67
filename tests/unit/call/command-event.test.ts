import { describe, expect, it } from 'vitest';
import { commandEvent, READS_MIC_FIRST } from '../../../lib/call/command-event';

describe('a call command as the machine event', () => {
  it('places a dial on the line device and carries every other field over', () => {
    expect(commandEvent({ kind: 'dial', key: 'k', number: '+1555' }, 'dev-1')).toEqual({
      kind: 'dial',
      key: 'k',
      deviceId: 'dev-1',
      number: '+1555',
    });
    expect(commandEvent({ kind: 'hold', key: 'k', held: true }, '')).toEqual({
      kind: 'hold',
      key: 'k',
      held: true,
    });
    expect(commandEvent({ kind: 'digits', key: 'k', digits: '12#' }, '')).toEqual({
      kind: 'digits',
      key: 'k',
      digits: '12#',
    });
    expect(commandEvent({ kind: 'transfer', key: 'k', to: '+1666' }, '')).toEqual({
      kind: 'transfer',
      key: 'k',
      to: '+1666',
    });
    for (const kind of ['answer', 'decline', 'hangup'] as const) {
      expect(commandEvent({ kind, key: 'k' }, '')).toEqual({ kind, key: 'k' });
    }
  });

  it('reads the microphone permission again before a dial and an Answer only', () => {
    expect([...READS_MIC_FIRST].sort()).toEqual(['answer', 'dial']);
  });
});
