/**
 * The SDK writes `https://` URLs: it prefixes catalog hosts with `https://` and calls a fixed
 * region URL. The emulator listens on plain http, so the harness rewrites requests whose host
 * it knows onto the matching emulator origin. Anything else passes through untouched (and will
 * fail loudly, which is what a conformance run wants).
 */
export type HostMap = Readonly<Record<string, string>>;

export function mapUrl(hostMap: HostMap, input: string): string {
  const url = new URL(input);
  const target = hostMap[url.host];
  if (url.protocol !== 'https:' || target === undefined) return url.toString();
  const origin = new URL(target);
  url.protocol = origin.protocol;
  url.host = origin.host;
  return url.toString();
}

/** Wraps a fetch so string and URL inputs go through the host map first. */
export function mappedFetch(hostMap: HostMap, base: typeof fetch): typeof fetch {
  return (input, init) => {
    if (typeof input === 'string' || input instanceof URL) {
      return base(mapUrl(hostMap, input.toString()), init);
    }
    return base(input, init);
  };
}
