import { describe, expect, it } from 'vitest';
import { canonicalAddress, isIpAddress, rateKey } from '../../../lib/broker/address';

describe('client addresses as rate-limit keys', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:201', '192.0.2.1'],
    ['2001:db8::1', '2001:0db8:0000:0000::/64'],
    ['2001:db8:0:0:ffff:ffff:ffff:ffff', '2001:0db8:0000:0000::/64'],
    ['2001:db8:0:1::1', '2001:0db8:0000:0001::/64'],
    ['[2001:db8::1]', '2001:0db8:0000:0000::/64'],
    ['fe80::1%eth0', 'fe80:0000:0000:0000::/64'],
    ['::1', '0000:0000:0000:0000::/64'],
    ['unknown', 'unknown'],
  ])('%s counts as %s', (address, key) => {
    expect(rateKey(address)).toBe(key);
  });

  it('writes IPv6 in one form, so one address is not two keys', () => {
    expect(canonicalAddress('2001:DB8::a:1')).toBe(canonicalAddress('2001:0db8:0:0:0:0:000a:0001'));
  });

  it.each([
    ['10.0.0.1', true],
    ['2001:db8::7', true],
    ['::ffff:10.0.0.1', true],
    ['1', false],
    ['yes', false],
    ['256.0.0.1', false],
    ['1:2:3:4:5:6:7:8:9', false],
    ['1::2::3', false],
  ])('%s is an IP address: %s', (address, expected) => {
    expect(isIpAddress(address)).toBe(expected);
  });
});
