import { describe, expect, it } from 'vitest';
import {
  answerCommands,
  CALL_SHORTCUTS,
  isCallShortcut,
  shortcutCommands,
} from '../../../lib/app/shortcuts';
import type { CallView } from '../../../lib/messaging/calls';
import { callView } from '../ui/helpers';

const view = (...calls: CallView[]) => ({ calls });
const ringing = callView({ key: 'ring' });
const connected = callView({ key: 'talk', state: 'connected', connectedAt: 1 });

describe('call shortcuts', () => {
  it('are answer-call and hang-up-call; other commands are not', () => {
    expect(CALL_SHORTCUTS).toEqual(['answer-call', 'hang-up-call']);
    expect(isCallShortcut('answer-call')).toBe(true);
    expect(isCallShortcut('toggle-registration')).toBe(false);
  });

  it('no calls: nothing to do', () => {
    expect(shortcutCommands('answer-call', view())).toEqual([]);
    expect(shortcutCommands('hang-up-call', view())).toEqual([]);
  });

  it('a ringing call: answer answers it, hang up declines it', () => {
    expect(shortcutCommands('answer-call', view(ringing))).toEqual([
      { kind: 'answer', key: 'ring' },
    ]);
    expect(shortcutCommands('hang-up-call', view(ringing))).toEqual([
      { kind: 'decline', key: 'ring' },
    ]);
  });

  it('a ringing call the microphone cannot take is not answered (it may be declined)', () => {
    const blocked = callView({ key: 'ring', micBlocked: true });
    expect(shortcutCommands('answer-call', view(blocked))).toEqual([]);
    expect(shortcutCommands('hang-up-call', view(blocked))).toEqual([
      { kind: 'decline', key: 'ring' },
    ]);
  });

  it.each(['answering', 'dialing', 'ringback', 'connected'] as const)(
    '%s: hang up ends it; answer does nothing',
    (state) => {
      const call = callView({ key: 'c', state });
      expect(shortcutCommands('hang-up-call', view(call))).toEqual([{ kind: 'hangup', key: 'c' }]);
      expect(shortcutCommands('answer-call', view(call))).toEqual([]);
    },
  );

  it('call waiting: answer holds the call in progress first; hang up ends the one in progress', () => {
    expect(shortcutCommands('answer-call', view(connected, ringing))).toEqual([
      { kind: 'hold', key: 'talk', held: true },
      { kind: 'answer', key: 'ring' },
    ]);
    expect(shortcutCommands('hang-up-call', view(connected, ringing))).toEqual([
      { kind: 'hangup', key: 'talk' },
    ]);
  });

  it('a call on hold is not held again; hang up prefers the call the user talks in', () => {
    const held = callView({ key: 'held', state: 'connected', held: true });
    expect(shortcutCommands('answer-call', view(held, ringing))).toEqual([
      { kind: 'answer', key: 'ring' },
    ]);
    expect(shortcutCommands('hang-up-call', view(held, connected))).toEqual([
      { kind: 'hangup', key: 'talk' },
    ]);
    expect(
      shortcutCommands('hang-up-call', view(held, callView({ key: 'out', state: 'dialing' }))),
    ).toEqual([{ kind: 'hangup', key: 'out' }]);
    expect(shortcutCommands('hang-up-call', view(held, ringing))).toEqual([
      { kind: 'hangup', key: 'held' },
    ]);
  });

  it('answerCommands never holds the call being answered', () => {
    expect(answerCommands([connected], 'talk')).toEqual([{ kind: 'answer', key: 'talk' }]);
  });
});
