/**
 * Client addresses as rate-limit keys. One IPv6 host is usually given a whole /64 and may pick a
 * new address in it for every request, so a /64 counts as one address; an IPv4-mapped IPv6
 * address (`::ffff:192.0.2.1`, how a dual-stack socket reports IPv4) is the IPv4 address.
 */

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail included), or null. */
function ipv6Groups(text: string): number[] | null {
  let address = text.toLowerCase().replace(/%.*$/, '');
  const lastColon = address.lastIndexOf(':');
  const last = address.slice(lastColon + 1);
  if (lastColon >= 0 && last.includes('.')) {
    if (!IPV4.test(last)) return null;
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    const hex = (n: number) => n.toString(16);
    address = `${address.slice(0, lastColon + 1)}${hex((a << 8) | b)}:${hex((c << 8) | d)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const parts = (half: string | undefined) => (half ? half.split(':') : []);
  const front = parts(halves[0]);
  const back = parts(halves[1]);
  if (![...front, ...back].every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  const missing = 8 - front.length - back.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...front, ...new Array<string>(missing).fill('0'), ...back].map((g) =>
    Number.parseInt(g, 16),
  );
}

/** The address in one canonical form: IPv4 dotted, IPv6 as eight full groups; else as given. */
export function canonicalAddress(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, '$1');
  if (IPV4.test(trimmed)) return trimmed;
  const groups = ipv6Groups(trimmed);
  if (!groups) return trimmed;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
}

export const isIpAddress = (address: string): boolean => {
  const trimmed = address.trim();
  return IPV4.test(trimmed) || ipv6Groups(trimmed) !== null;
};

/** The rate-limit key: the IPv4 address, or the IPv6 address's /64. */
export function rateKey(address: string): string {
  const canonical = canonicalAddress(address);
  if (!canonical.includes(':')) return canonical;
  return `${canonical.split(':').slice(0, 4).join(':')}::/64`;
}
