import { describe, expect, it } from 'vitest';
import { CALL_SHORTCUTS, isCallShortcut, shortcutCommand } from '../../../lib/app/shortcuts';
import type { CallView } from '../../../lib/messaging/calls';
import { callView } from '../ui/helpers';

const view = (...calls: CallView[]) => ({ calls });
const ringing = callView({ key: 'ring' });
const connected = callView({ key: 'talk', state: 'connected', connectedAt: 1 });
const held = callView({ key: 'held', state: 'connected', connectedAt: 1, held: true });

describe('call shortcuts', () => {
  it('are answer-call and hang-up-call; other commands are not', () => {
    expect(CALL_SHORTCUTS).toEqual(['answer-call', 'hang-up-call']);
    expect(isCallShortcut('answer-call')).toBe(true);
    expect(isCallShortcut('hang-up-call')).toBe(true);
    expect(isCallShortcut('toggle-registration')).toBe(false);
  });

  it('no calls: nothing to do', () => {
    expect(shortcutCommand('answer-call', view())).toBeNull();
    expect(shortcutCommand('hang-up-call', view())).toBeNull();
  });

  it('a ringing call: answer answers it, hang up declines it', () => {
    expect(shortcutCommand('answer-call', view(ringing))).toEqual({ kind: 'answer', key: 'ring' });
    expect(shortcutCommand('hang-up-call', view(ringing))).toEqual({
      kind: 'decline',
      key: 'ring',
    });
  });

  it('a ringing call the microphone cannot take is not answered (it may be declined)', () => {
    const blocked = callView({ key: 'ring', micBlocked: true });
    expect(shortcutCommand('answer-call', view(blocked))).toBeNull();
    expect(shortcutCommand('hang-up-call', view(blocked))).toEqual({
      kind: 'decline',
      key: 'ring',
    });
  });

  it.each(['answering', 'dialing', 'ringback', 'connected'] as const)(
    '%s: hang up ends it; answer does nothing',
    (state) => {
      const call = callView({ key: 'c', state });
      expect(shortcutCommand('hang-up-call', view(call))).toEqual({ kind: 'hangup', key: 'c' });
      expect(shortcutCommand('answer-call', view(call))).toBeNull();
    },
  );

  it('call waiting: answer answers the waiting call (the machine holds the other first); hang up ends the call in progress', () => {
    expect(shortcutCommand('answer-call', view(connected, ringing))).toEqual({
      kind: 'answer',
      key: 'ring',
    });
    expect(shortcutCommand('hang-up-call', view(connected, ringing))).toEqual({
      kind: 'hangup',
      key: 'talk',
    });
  });

  it('hang up prefers the call the user talks in, then one being set up, then one on hold', () => {
    expect(shortcutCommand('hang-up-call', view(held, connected))).toEqual({
      kind: 'hangup',
      key: 'talk',
    });
    const dialing = callView({ key: 'out', state: 'dialing', direction: 'outbound' });
    expect(shortcutCommand('hang-up-call', view(held, dialing))).toEqual({
      kind: 'hangup',
      key: 'out',
    });
    expect(shortcutCommand('hang-up-call', view(held, ringing))).toEqual({
      kind: 'hangup',
      key: 'held',
    });
  });
});
