/**
 * The keyboard shortcuts for calls (manifest `commands`): which call command a shortcut means,
 * given the calls as they are. Pure: the background sends what this returns.
 */
import type { CallCommand, CallingView, CallView } from '../messaging/calls';

export const CALL_SHORTCUTS = ['answer-call', 'hang-up-call'] as const;
export type CallShortcut = (typeof CALL_SHORTCUTS)[number];

export const isCallShortcut = (name: string): name is CallShortcut =>
  (CALL_SHORTCUTS as readonly string[]).includes(name);

/** A connected call that is not on hold: the one the user is talking in. */
const talking = (call: CallView) => call.state === 'connected' && !call.held;

/** The call a hang-up ends: the one talking, then one being set up, then one on hold. */
function callToEnd(calls: readonly CallView[]): CallView | undefined {
  return (
    calls.find(talking) ??
    calls.find((call) => ['answering', 'dialing', 'ringback'].includes(call.state)) ??
    calls.find((call) => call.state === 'connected')
  );
}

/**
 * What a shortcut asks for: "answer-call" answers the ringing call (not one the microphone
 * cannot take; a waiting call's answer holds the call in progress first, in the call machine);
 * "hang-up-call" ends the call in progress, or declines the ringing one when there is none.
 * Null: nothing to do.
 */
export function shortcutCommand(
  name: CallShortcut,
  view: Pick<CallingView, 'calls'>,
): CallCommand | null {
  const ringing = view.calls.find((call) => call.state === 'ringing');
  if (name === 'answer-call') {
    return ringing && !ringing.micBlocked ? { kind: 'answer', key: ringing.key } : null;
  }
  const current = callToEnd(view.calls);
  if (current) return { kind: 'hangup', key: current.key };
  return ringing ? { kind: 'decline', key: ringing.key } : null;
}
