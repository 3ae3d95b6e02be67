import { describe, expect, it } from 'vitest';
import { dialledNumber, keypadTones, MAX_NUMBER_LENGTH } from '../../../lib/call/dial-number';

describe('dialledNumber (SDK makeCall rules)', () => {
  it('strips spaces and dashes, keeps parentheses, dots, +, * and #', () => {
    expect(dialledNumber(' +1 (555) 123-4567 ')).toEqual({ ok: true, number: '+1(555)1234567' });
    expect(dialledNumber('555.123*9#')).toEqual({ ok: true, number: '555.123*9#' });
  });

  it('refuses letters, URIs and empty input with a sentence', () => {
    for (const input of [
      '',
      '   ',
      '1-800-FLOWERS',
      'tel:5551234',
      'sip:bob@example.com',
      '12;ext=4',
    ]) {
      const result = dialledNumber(input);
      expect(result.ok, input).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/\w+ .*/);
    }
  });

  it('needs a digit and caps the length', () => {
    expect(dialledNumber('()*#').ok).toBe(false);
    expect(dialledNumber('1'.repeat(MAX_NUMBER_LENGTH)).ok).toBe(true);
    expect(dialledNumber('1'.repeat(MAX_NUMBER_LENGTH + 1)).ok).toBe(false);
  });
});

describe('keypadTones', () => {
  it('upper-cases RFC 4733 events and refuses anything else', () => {
    expect(keypadTones('12*#abcd')).toBe('12*#ABCD');
    expect(keypadTones('')).toBeNull();
    expect(keypadTones('1,2')).toBeNull();
    expect(keypadTones('e')).toBeNull();
    expect(keypadTones('1'.repeat(33))).toBeNull();
  });
});
