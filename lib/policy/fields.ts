/**
 * The managed policy an organisation sets through Chrome (`chrome.storage.managed`, schema in
 * public/managed_schema.json): one row per field, each validated on its own so one bad value
 * never takes the rest of the policy with it.
 */
import { normalizeBaseUrl, normalizeOrigin } from '../settings';
import { checkBrokerUrl } from '../webex/broker-client';

/** The JSON type Chrome's schema gives each field (tests hold the schema file to this table). */
export type PolicyFieldType = 'string' | 'boolean' | 'array';

export type FieldCheck<T> = { ok: true; value: T } | { ok: false; message: string };

export interface PolicyField<T> {
  type: PolicyFieldType;
  /** Allowed values, for string fields that are a choice. */
  enum?: readonly string[];
  check(value: unknown): FieldCheck<T>;
}

const ok = <T>(value: T): FieldCheck<T> => ({ ok: true, value });
const bad = <T>(message: string): FieldCheck<T> => ({ ok: false, message });

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const boolean: PolicyField<boolean> = {
  type: 'boolean',
  check: (value) => (typeof value === 'boolean' ? ok(value) : bad('must be true or false')),
};

function nonEmptyString(value: unknown): FieldCheck<string> {
  if (typeof value !== 'string') return bad('must be a string');
  const trimmed = value.trim();
  return trimmed === '' ? bad('is empty') : ok(trimmed);
}

export const ENVIRONMENTS = ['webex', 'custom'] as const;
export type PolicyEnvironment = (typeof ENVIRONMENTS)[number];

export const POLICY_FIELDS = {
  environment: {
    type: 'string',
    enum: ENVIRONMENTS,
    check: (value) =>
      typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value)
        ? ok(value as PolicyEnvironment)
        : bad('must be "webex" or "custom"'),
  } satisfies PolicyField<PolicyEnvironment>,
  customBaseUrl: {
    type: 'string',
    check: (value) => {
      const text = nonEmptyString(value);
      if (!text.ok) return text;
      const base = normalizeBaseUrl(text.value);
      if (!base) return bad('must be a full http(s) URL without query or fragment');
      const url = new URL(base);
      // The same rule as the options page: tokens travel there.
      if (url.protocol !== 'https:' && !LOOPBACK_HOSTS.has(url.hostname)) {
        return bad('must use https:// (plain http:// only to localhost or 127.0.0.1)');
      }
      return ok(base);
    },
  } satisfies PolicyField<string>,
  clientId: {
    type: 'string',
    check: (value) => {
      const text = nonEmptyString(value);
      if (!text.ok) return text;
      return /^[A-Za-z0-9_-]{8,200}$/.test(text.value)
        ? text
        : bad('must be an integration client ID (8-200 letters and digits)');
    },
  } satisfies PolicyField<string>,
  tokenBrokerUrl: {
    type: 'string',
    check: (value) => {
      const text = nonEmptyString(value);
      if (!text.ok) return text;
      const problem = checkBrokerUrl(text.value);
      return problem ? bad(problem) : text;
    },
  } satisfies PolicyField<string>,
  keepRegistered: boolean,
  userMayTurnOffKeepRegistered: boolean,
  clickToRegisterSites: {
    type: 'array',
    // Entries are checked one by one in parse.ts; this only checks the list itself.
    check: (value) =>
      Array.isArray(value) ? ok(value as unknown[]) : bad('must be a list of sites'),
  } satisfies PolicyField<unknown[]>,
  notifications: boolean,
  lockSettings: boolean,
} as const;

export type PolicyFieldName = keyof typeof POLICY_FIELDS;
export const POLICY_FIELD_NAMES = Object.keys(POLICY_FIELDS) as PolicyFieldName[];

/** One click-to-register site: an origin like the options page accepts. */
export function checkSite(value: unknown): FieldCheck<string> {
  if (typeof value !== 'string') return bad('must be a string');
  const origin = normalizeOrigin(value);
  return origin ? ok(origin) : bad('must be a site as https://host or http://host:port');
}
