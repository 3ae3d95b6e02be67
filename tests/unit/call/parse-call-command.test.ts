import { describe, expect, it } from 'vitest';
import { parseCallCommand } from '../../../lib/messaging/calls';

const fresh = () => 'worker-key';

describe('parseCallCommand', () => {
  it('gives a dial the key the worker chose, whatever the message says', () => {
    expect(
      parseCallCommand({ kind: 'dial', key: 'page-key', number: '+1 555-0100' }, fresh),
    ).toEqual({
      kind: 'dial',
      key: 'worker-key',
      number: '+15550100',
    });
  });

  it('refuses a number the SDK would refuse, with its reason', () => {
    expect(parseCallCommand({ kind: 'dial', number: 'sip:bob@example.com' }, fresh)).toMatch(
      /digits/,
    );
    expect(parseCallCommand({ kind: 'transfer', key: 'k1', to: 'x' }, fresh)).toMatch(/digits/);
  });

  it('checks hold, digits and transfer fields', () => {
    expect(parseCallCommand({ kind: 'hold', key: 'k1', held: true }, fresh)).toEqual({
      kind: 'hold',
      key: 'k1',
      held: true,
    });
    expect(parseCallCommand({ kind: 'hold', key: 'k1' }, fresh)).toMatch(/held/);
    expect(parseCallCommand({ kind: 'digits', key: 'k1', digits: '1a#' }, fresh)).toEqual({
      kind: 'digits',
      key: 'k1',
      digits: '1A#',
    });
    expect(parseCallCommand({ kind: 'digits', key: 'k1', digits: '1,2' }, fresh)).toMatch(/digits/);
    expect(parseCallCommand({ kind: 'transfer', key: 'k1', to: '555 0199' }, fresh)).toEqual({
      kind: 'transfer',
      key: 'k1',
      to: '5550199',
    });
  });

  it('refuses unknown kinds and keys that are not call keys', () => {
    expect(parseCallCommand({ kind: 'conference', key: 'k1' }, fresh)).toMatch(/kind/);
    expect(parseCallCommand({ kind: 'hangup', key: '../x' }, fresh)).toMatch(/key/);
    expect(parseCallCommand(null, fresh)).toMatch(/object/);
  });
});
