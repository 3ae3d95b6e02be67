/**
 * What may be dialled, and how it is sent (reference/mobius-calls.md §5, the SDK's `makeCall`):
 * the address must fully match `[\d\s()*#+.-]+`; spaces and dashes are stripped (parentheses and
 * dots are kept) and it travels as `tel:<number>`. Anything else is refused here, before any
 * request, with a sentence the popup can show.
 */
const DIALLABLE = /^[\d\s()*#+.-]+$/;
/**
 * E.164 numbers have at most 15 digits; dial plans add prefixes, extensions and pauses. 64
 * characters is far beyond any real number and keeps a page from handing Mobius a novel.
 */
export const MAX_NUMBER_LENGTH = 64;
/** RFC 4733 events a keypad can send (`insertDTMF` accepts these; commas are pauses, not keys). */
const TONES = /^[0-9*#A-D]+$/;
export const MAX_TONES = 32;

export type Dialled = { ok: true; number: string } | { ok: false; reason: string };

/** The number as the SDK sends it (`tel:` is added by the request), or why it cannot be dialled. */
export function dialledNumber(input: string): Dialled {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, reason: 'Enter a number to call.' };
  if (!DIALLABLE.test(trimmed)) {
    return {
      ok: false,
      reason: 'A number may hold only digits, spaces and ( ) * # + . -',
    };
  }
  const number = trimmed.replace(/[\s-]/g, '');
  if (!/\d/.test(number)) return { ok: false, reason: 'A number needs at least one digit.' };
  if (number.length > MAX_NUMBER_LENGTH) {
    return { ok: false, reason: `A number may be at most ${MAX_NUMBER_LENGTH} characters.` };
  }
  return { ok: true, number };
}

/** Keypad tones to send in a call (upper-cased, as the SDK's `sendDigit`), or null if invalid. */
export function keypadTones(input: string): string | null {
  const tones = input.toUpperCase();
  return tones.length > 0 && tones.length <= MAX_TONES && TONES.test(tones) ? tones : null;
}
