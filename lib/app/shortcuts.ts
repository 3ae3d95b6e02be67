/**
 * The keyboard shortcuts for calls (manifest `commands`): which call commands a shortcut means,
 * given the calls as they are. Pure: the background sends what this returns, in order.
 */
import type { CallCommand, CallingView, CallView } from '../messaging/calls';

export const CALL_SHORTCUTS = ['answer-call', 'hang-up-call'] as const;
export type CallShortcut = (typeof CALL_SHORTCUTS)[number];

export const isCallShortcut = (name: string): name is CallShortcut =>
  (CALL_SHORTCUTS as readonly string[]).includes(name);

/** A connected call that is not on hold (the one the user is talking in), other than `except`. */
export const talkingCall = (calls: readonly CallView[], except?: string): CallView | undefined =>
  calls.find((call) => call.key !== except && call.state === 'connected' && !call.held);

/**
 * Answer `key`: a call the user is talking in goes on hold first (call waiting), so the two
 * never share the microphone.
 */
export function answerCommands(calls: readonly CallView[], key: string): CallCommand[] {
  const talking = talkingCall(calls, key);
  return [
    ...(talking ? [{ kind: 'hold' as const, key: talking.key, held: true }] : []),
    { kind: 'answer', key },
  ];
}

/** The call a hang-up ends: the one talking, then one being set up, then one on hold. */
function callToEnd(calls: readonly CallView[]): CallView | undefined {
  return (
    talkingCall(calls) ??
    calls.find((call) => ['answering', 'dialing', 'ringback'].includes(call.state)) ??
    calls.find((call) => call.state === 'connected')
  );
}

/**
 * What a shortcut asks for: "answer-call" answers the ringing call (not one the microphone
 * cannot take); "hang-up-call" ends the call in progress, or declines the ringing one when there
 * is none. Nothing to do: an empty list.
 */
export function shortcutCommands(
  name: CallShortcut,
  view: Pick<CallingView, 'calls'>,
): CallCommand[] {
  const ringing = view.calls.find((call) => call.state === 'ringing');
  if (name === 'answer-call') {
    return ringing && !ringing.micBlocked ? answerCommands(view.calls, ringing.key) : [];
  }
  const current = callToEnd(view.calls);
  if (current) return [{ kind: 'hangup', key: current.key }];
  return ringing ? [{ kind: 'decline', key: ringing.key }] : [];
}
