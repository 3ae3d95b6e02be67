/**
 * A tiny hand-written schema toolkit. Every network response is read through one of these so a
 * missing field or a wrong type becomes a clear message (with the path of the bad field), never
 * an exception deep inside the engine.
 */

export type Validator<T> = (input: unknown, path: string) => T;

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || 'response'}: expected ${expected}`);
    this.name = 'SchemaError';
  }
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** Run a validator; a schema failure becomes `{ ok: false, error }` naming the bad field. */
export function parseWith<T>(validator: Validator<T>, input: unknown, what: string): Parsed<T> {
  try {
    return { ok: true, value: validator(input, '') };
  } catch (error) {
    if (error instanceof SchemaError) return { ok: false, error: `${what}: ${error.message}` };
    throw error;
  }
}

const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

export const str: Validator<string> = (input, path) => {
  if (typeof input !== 'string') throw new SchemaError(path, 'a string');
  return input;
};

export const nonEmptyStr: Validator<string> = (input, path) => {
  if (typeof input !== 'string' || input === '') throw new SchemaError(path, 'a non-empty string');
  return input;
};

export const anything: Validator<unknown> = (input) => input;

/** A number, or a string of digits (some Webex fields are numbers in one service, strings in another). */
export const numberLike: Validator<number> = (input, path) => {
  if (typeof input === 'string' && /^\d+$/.test(input)) return Number(input);
  return num(input, path);
};

export const num: Validator<number> = (input, path) => {
  if (typeof input !== 'number' || !Number.isFinite(input)) throw new SchemaError(path, 'a number');
  return input;
};

/** A URL with an http(s) scheme. */
export const httpUrl: Validator<string> = (input, path) => {
  const value = nonEmptyStr(input, path);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SchemaError(path, 'an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SchemaError(path, 'an http(s) URL');
  }
  return value;
};

export function optional<T>(validator: Validator<T>): Validator<T | undefined> {
  return (input, path) =>
    input === undefined || input === null ? undefined : validator(input, path);
}

export function arrayOf<T>(validator: Validator<T>): Validator<T[]> {
  return (input, path) => {
    if (!Array.isArray(input)) throw new SchemaError(path, 'an array');
    return input.map((item, index) => validator(item, join(path, index)));
  };
}

type Shape = Record<string, Validator<unknown>>;
type Flatten<T> = { [K in keyof T]: T[K] };
/** Fields whose validator may return undefined become optional properties. */
type FromShape<S extends Shape> = Flatten<
  { [K in keyof S as undefined extends ReturnType<S[K]> ? never : K]: ReturnType<S[K]> } & {
    [K in keyof S as undefined extends ReturnType<S[K]> ? K : never]?: ReturnType<S[K]>;
  }
>;

/** An object with at least these fields (extra fields are allowed and dropped). */
export function object<S extends Shape>(shape: S): Validator<FromShape<S>> {
  return (input, path) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new SchemaError(path, 'an object');
    }
    const record = input as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [key, validator] of Object.entries(shape)) {
      const value = validator(record[key], join(path, key));
      if (value !== undefined) out[key] = value;
    }
    return out as FromShape<S>;
  };
}

/** A string-keyed map whose values all pass `validator`. */
export function recordOf<T>(validator: Validator<T>): Validator<Record<string, T>> {
  return (input, path) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new SchemaError(path, 'an object');
    }
    const out: Record<string, T> = {};
    for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
      out[key] = validator(value, join(path, key));
    }
    return out;
  };
}
