/**
 * Node's legacy `url.parse`/`url.format`, as far as the Webex packages use them in a browser
 * (Mercury adds query parameters to its socket URL this way).
 */
export interface LegacyUrl {
  protocol: string;
  slashes: boolean;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search?: string;
  query: Record<string, unknown> | string;
  hash: string;
  href: string;
}

export function parse(input: string, parseQuery = false): LegacyUrl {
  const url = new URL(input);
  return {
    protocol: url.protocol,
    slashes: true,
    host: url.host,
    hostname: url.hostname,
    port: url.port,
    pathname: url.pathname,
    search: url.search,
    query: parseQuery ? Object.fromEntries(url.searchParams) : url.search.slice(1),
    hash: url.hash,
    href: url.href,
  };
}

export function format(parts: Partial<LegacyUrl>): string {
  const url = new URL(`${parts.protocol}//${parts.host}${parts.pathname ?? '/'}`);
  if (parts.search !== undefined && parts.search !== null) url.search = parts.search;
  else if (typeof parts.query === 'string') url.search = parts.query;
  else {
    for (const [key, value] of Object.entries(parts.query ?? {})) {
      url.searchParams.set(key, String(value));
    }
  }
  url.hash = parts.hash ?? '';
  return url.toString();
}

export function resolve(from: string, to: string): string {
  return new URL(to, from).toString();
}

export default { parse, format, resolve };
