/** Pure helpers for the popup's dialer and in-call keypad: what may be dialled, and when. */

import { dialledNumber, MAX_NUMBER_LENGTH } from '../call/dial-number';
import type { CallingView } from '../messaging/calls';
import type { DisplayStatus } from '../messaging/protocol';
import { effectiveRing } from './calls';
import { type MessageKey, t } from './i18n';

/** The twelve keys of a phone's keypad, in reading order. */
export const KEYPAD_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** Why the popup cannot place a call now, or null when it can. */
export type DialBlock = 'off' | 'connecting' | 'mic' | 'busy' | 'onCall';

/**
 * Whether the line can place a call: registered, Mercury connected (`ring` ready), the
 * microphone not blocked, no call ringing or being set up already, and any call in progress on
 * hold (the call machine sets up one call at a time, and never two the user talks in).
 * 'unsupported': this browser holds no calls, so there is no dialer at all.
 */
export function dialBlock(
  display: DisplayStatus,
  calling: Pick<CallingView, 'ring' | 'mic' | 'calls'>,
): DialBlock | 'unsupported' | null {
  const ring = effectiveRing(display, calling.ring);
  if (ring === 'unsupported') return 'unsupported';
  if (ring === 'off') return 'off';
  if (ring === 'connecting') return 'connecting';
  if (calling.mic === 'denied') return 'mic';
  if (calling.calls.some((call) => call.state !== 'connected')) return 'busy';
  if (calling.calls.some((call) => !call.held || call.holdPending !== undefined)) return 'onCall';
  return null;
}

const BLOCK_KEYS: Record<DialBlock, MessageKey> = {
  off: 'dialBlockedOff',
  connecting: 'dialBlockedConnecting',
  mic: 'dialBlockedMic',
  busy: 'dialBlockedBusy',
  onCall: 'dialBlockedOnCall',
};

/** The one line the dialer shows instead of its Call button. */
export const dialBlockText = (block: DialBlock): string => t(BLOCK_KEYS[block]);

/** The SDK's number rules (lib/call/dial-number.ts), in the user's language. */
const REASON_KEYS: ReadonlyArray<[string, MessageKey]> = [
  ['Enter a number to call.', 'dialErrorEmpty'],
  ['A number may hold only digits, spaces and ( ) * # + . -', 'dialErrorCharacters'],
  ['A number needs at least one digit.', 'dialErrorNoDigit'],
  [`A number may be at most ${MAX_NUMBER_LENGTH} characters.`, 'dialErrorTooLong'],
];

/** The number to send, or why it cannot be dialled (translated; the rule's own words otherwise). */
export function checkedNumber(
  input: string,
): { ok: true; number: string } | { ok: false; text: string } {
  const dialled = dialledNumber(input);
  if (dialled.ok) return dialled;
  const key = REASON_KEYS.find(([reason]) => reason === dialled.reason)?.[1];
  return { ok: false, text: key ? t(key, MAX_NUMBER_LENGTH) : dialled.reason };
}
