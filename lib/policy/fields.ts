/**
 * The managed policy an organisation sets through Chrome (`chrome.storage.managed`, schema in
 * public/managed_schema.json): one row per field, each validated on its own so one bad value
 * never takes the rest of the policy with it.
 */
import { brokerUrlProblem, isSafeTransport, normalizeBaseUrl, normalizeOrigin } from '../settings';

/** The JSON type Chrome's schema gives each field (tests hold the schema file to this table). */
export type PolicyFieldType = 'string' | 'boolean' | 'array';

/**
 * What is wrong with a value, as a code: diagnostics get the English text below, the options
 * page a translation (lib/ui/policy-problems.ts). Neither repeats the value.
 */
export const POLICY_DETAILS = {
  notBoolean: 'must be true or false',
  notString: 'must be a string',
  empty: 'is empty',
  notEnvironment: 'must be "webex" or "custom"',
  urlInvalid: 'must be a full http(s) URL without query or fragment',
  brokerUrlInvalid: 'is not a valid URL',
  urlCredentials: 'must not carry credentials or a fragment',
  urlInsecure: 'must use https:// (plain http:// only to localhost or 127.0.0.1)',
  clientIdInvalid: 'must be an integration client ID (8-200 letters and digits)',
  notList: 'must be a list of sites',
  siteInvalid: 'must be a site as https://host or http://host:port',
  siteInsecure: 'must use https:// (plain http:// sites only on localhost or 127.0.0.1)',
  customWithoutBaseUrl: 'is "custom" but has no valid customBaseUrl',
  onlyWithCustom: 'applies only when environment is "custom"',
  onlyWithKeepRegistered: 'applies only when keepRegistered is true',
} as const;
export type PolicyDetail = keyof typeof POLICY_DETAILS;

export type FieldCheck<T> = { ok: true; value: T } | { ok: false; detail: PolicyDetail };

export interface PolicyField<T> {
  type: PolicyFieldType;
  /** Allowed values, for string fields that are a choice. */
  enum?: readonly string[];
  check(value: unknown): FieldCheck<T>;
}

const ok = <T>(value: T): FieldCheck<T> => ({ ok: true, value });
const bad = <T>(detail: PolicyDetail): FieldCheck<T> => ({ ok: false, detail });

const boolean: PolicyField<boolean> = {
  type: 'boolean',
  check: (value) => (typeof value === 'boolean' ? ok(value) : bad('notBoolean')),
};

function nonEmptyString(value: unknown): FieldCheck<string> {
  if (typeof value !== 'string') return bad('notString');
  const trimmed = value.trim();
  return trimmed === '' ? bad('empty') : ok(trimmed);
}

const BROKER_DETAILS = {
  invalid: 'brokerUrlInvalid',
  credentials: 'urlCredentials',
  insecure: 'urlInsecure',
} as const satisfies Record<string, PolicyDetail>;

export const ENVIRONMENTS = ['webex', 'custom'] as const;
export type PolicyEnvironment = (typeof ENVIRONMENTS)[number];

export const POLICY_FIELDS = {
  environment: {
    type: 'string',
    enum: ENVIRONMENTS,
    check: (value) =>
      typeof value === 'string' && (ENVIRONMENTS as readonly string[]).includes(value)
        ? ok(value as PolicyEnvironment)
        : bad('notEnvironment'),
  } satisfies PolicyField<PolicyEnvironment>,
  customBaseUrl: {
    type: 'string',
    check: (value) => {
      const text = nonEmptyString(value);
      if (!text.ok) return text;
      const base = normalizeBaseUrl(text.value);
      if (!base) return bad('urlInvalid');
      // The same rule as the options page: tokens travel there.
      return isSafeTransport(base) ? ok(base) : bad('urlInsecure');
    },
  } satisfies PolicyField<string>,
  clientId: {
    type: 'string',
    check: (value) => {
      const text = nonEmptyString(value);
      if (!text.ok) return text;
      return /^[A-Za-z0-9_-]{8,200}$/.test(text.value) ? text : bad('clientIdInvalid');
    },
  } satisfies PolicyField<string>,
  tokenBrokerUrl: {
    type: 'string',
    check: (value) => {
      const text = nonEmptyString(value);
      if (!text.ok) return text;
      const problem = brokerUrlProblem(text.value);
      return problem ? bad(BROKER_DETAILS[problem]) : text;
    },
  } satisfies PolicyField<string>,
  keepRegistered: boolean,
  userMayTurnOffKeepRegistered: boolean,
  clickToRegisterSites: {
    type: 'array',
    // Entries are checked one by one in parse.ts; this only checks the list itself.
    check: (value) => (Array.isArray(value) ? ok(value as unknown[]) : bad('notList')),
  } satisfies PolicyField<unknown[]>,
  notifications: boolean,
  lockSettings: boolean,
} as const;

export type PolicyFieldName = keyof typeof POLICY_FIELDS;
export const POLICY_FIELD_NAMES = Object.keys(POLICY_FIELDS) as PolicyFieldName[];

/** One click-to-register site: an origin the options page would accept (https, or local http). */
export function checkSite(value: unknown): FieldCheck<string> {
  if (typeof value !== 'string') return bad('notString');
  const origin = normalizeOrigin(value);
  if (!origin) return bad('siteInvalid');
  return isSafeTransport(origin) ? ok(origin) : bad('siteInsecure');
}
