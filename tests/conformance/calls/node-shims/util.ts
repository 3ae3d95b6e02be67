/**
 * The few `util` functions the Webex packages call in a browser bundle (a bundler's polyfill
 * would supply them): `inherits`, `format`, `inspect`.
 */
export function inherits(ctor: { prototype: object }, superCtor?: { prototype?: object }): void {
  // `require('stream')` of the empty stand-in is no constructor: nothing to inherit then.
  if (typeof superCtor?.prototype !== 'object') return;
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  Object.setPrototypeOf(ctor, superCtor);
  (ctor as { super_?: unknown }).super_ = superCtor;
}

export function inspect(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function format(template: unknown, ...args: unknown[]): string {
  const rest = [...args];
  const head =
    typeof template === 'string'
      ? template.replace(/%[sdifjoO%]/g, (token) =>
          token === '%%' ? '%' : rest.length > 0 ? inspect(rest.shift()) : token,
        )
      : inspect(template);
  return [head, ...rest.map(inspect)].join(' ');
}

export function deprecate<T>(fn: T): T {
  return fn;
}

export default { inherits, inspect, format, deprecate };
