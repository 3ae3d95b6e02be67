/** Node's `querystring.stringify`/`parse` for the Webex packages in a browser bundle. */
export function stringify(params: Record<string, unknown>): string {
  return new URLSearchParams(
    Object.entries(params).map(([key, value]) => [key, String(value)]),
  ).toString();
}

export function parse(text: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(text));
}

export default { stringify, parse };
