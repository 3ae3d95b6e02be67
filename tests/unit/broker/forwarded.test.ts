import { describe, expect, it } from 'vitest';
import { clientAddressOf } from '../../../lib/broker/forwarded';

describe('the client address behind trusted proxies', () => {
  it.each([
    ['no proxy trusted: the peer, whatever it claims', '203.0.113.9', '1.2.3.4', [], '203.0.113.9'],
    [
      'an untrusted peer cannot pick its key',
      '203.0.113.9',
      '1.2.3.4',
      ['10.0.0.5'],
      '203.0.113.9',
    ],
    [
      'the hop the trusted proxy added',
      '10.0.0.5',
      '1.2.3.4, 198.51.100.7',
      ['10.0.0.5'],
      '198.51.100.7',
    ],
    [
      'two trusted proxies in a row',
      '10.0.0.5',
      '1.2.3.4, 198.51.100.7, 10.0.0.6',
      ['10.0.0.5', '10.0.0.6'],
      '198.51.100.7',
    ],
    ['a dual-stack peer', '::ffff:127.0.0.1', '198.51.100.7', ['127.0.0.1'], '198.51.100.7'],
    ['a trusted proxy with no header', '10.0.0.5', undefined, ['10.0.0.5'], '10.0.0.5'],
  ])('%s', (_name, peer, header, trusted, expected) => {
    expect(clientAddressOf(peer, header, trusted)).toBe(expected);
  });
});
