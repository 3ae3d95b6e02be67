/**
 * The client's address behind reverse proxies. X-Forwarded-For is whatever the client wrote,
 * plus one hop per proxy that appended the address it saw. Only hops added by proxies we trust
 * are believed: starting from the socket's peer, walk the list from the right while the address
 * is a trusted proxy; the first untrusted address is the client. A peer that is not a trusted
 * proxy is the client itself, whatever header it sent.
 */
export function clientAddressOf(
  peer: string,
  forwardedFor: string | undefined,
  trustedProxies: readonly string[],
): string {
  const trusted = new Set(trustedProxies.map(normal));
  if (!trusted.has(normal(peer))) return peer;
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    client = hops[i] as string;
    if (!trusted.has(normal(client))) return client;
  }
  return client;
}

/** `::ffff:127.0.0.1` (how Node reports IPv4 on a dual-stack socket) is 127.0.0.1. */
const normal = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
