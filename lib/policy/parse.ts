/**
 * `parsePolicy`: whatever `chrome.storage.managed.get()` returned -> the valid part of the
 * policy plus one problem per value that was ignored. Chrome already drops values that do not
 * match managed_schema.json (wrong type, unknown key: shown in chrome://policy, never reaching
 * the extension); this checks what a schema cannot (URLs, ids, sites, combinations) and guards
 * against a browser that does not filter.
 */
import type { Environment } from '../settings';
import {
  checkSite,
  POLICY_DETAILS,
  POLICY_FIELDS,
  type PolicyDetail,
  type PolicyFieldName,
} from './fields';

export interface ManagedPolicy {
  environment?: Environment;
  clientId?: string;
  tokenBrokerUrl?: string;
  keepRegistered?: boolean;
  /** With keepRegistered true: the user may still turn it off. */
  userMayTurnOffKeepRegistered?: boolean;
  clickToRegisterSites?: string[];
  notifications?: boolean;
  /** Also lock every setting the policy does not set. */
  lockSettings?: boolean;
}

export type PolicyProblemReason =
  | 'notAnObject'
  | 'unknownField'
  | 'invalidValue'
  | 'invalidEntry'
  | 'ignoredCombination';

export interface PolicyProblem {
  /** The policy field, `clickToRegisterSites[2]` for one entry, or `policy` for the whole. */
  field: string;
  reason: PolicyProblemReason;
  /** What is wrong, as a code the options page translates (absent for the whole policy). */
  detail?: PolicyDetail;
  /** The English sentence for diagnostics. It never repeats the value. */
  message: string;
}

export interface ParsedPolicy {
  policy: ManagedPolicy;
  problems: PolicyProblem[];
}

const KNOWN = new Set<string>(Object.keys(POLICY_FIELDS));

function problem(field: string, reason: PolicyProblemReason, detail: PolicyDetail): PolicyProblem {
  return {
    field,
    reason,
    detail,
    message: `The policy value ${field} ${POLICY_DETAILS[detail]}; it is ignored.`,
  };
}

export function parsePolicy(raw: unknown): ParsedPolicy {
  if (raw === undefined || raw === null) return { policy: {}, problems: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      policy: {},
      problems: [
        {
          field: 'policy',
          reason: 'notAnObject',
          message: 'The managed policy is not a set of named values; all of it is ignored.',
        },
      ],
    };
  }
  const record = raw as Record<string, unknown>;
  const problems: PolicyProblem[] = [];
  const valid: Partial<Record<PolicyFieldName, unknown>> = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (!KNOWN.has(name)) {
      problems.push({
        field: name.slice(0, 60),
        reason: 'unknownField',
        message: `The policy has no setting named ${JSON.stringify(name.slice(0, 60))}; it is ignored.`,
      });
      continue;
    }
    const checked = POLICY_FIELDS[name as PolicyFieldName].check(value);
    if (checked.ok) valid[name as PolicyFieldName] = checked.value;
    else problems.push(problem(name, 'invalidValue', checked.detail));
  }

  const policy: ManagedPolicy = {};
  const environment = environmentOf(valid, problems);
  if (environment) policy.environment = environment;
  for (const name of ['clientId', 'tokenBrokerUrl'] as const) {
    if (valid[name] !== undefined) policy[name] = valid[name] as string;
  }
  for (const name of ['keepRegistered', 'notifications', 'lockSettings'] as const) {
    if (valid[name] !== undefined) policy[name] = valid[name] as boolean;
  }
  if (valid.userMayTurnOffKeepRegistered !== undefined) {
    if (policy.keepRegistered === true) {
      policy.userMayTurnOffKeepRegistered = valid.userMayTurnOffKeepRegistered as boolean;
    } else {
      problems.push(
        problem('userMayTurnOffKeepRegistered', 'ignoredCombination', 'onlyWithKeepRegistered'),
      );
    }
  }
  if (valid.clickToRegisterSites !== undefined) {
    policy.clickToRegisterSites = sitesOf(valid.clickToRegisterSites as unknown[], problems);
  }
  return { policy, problems };
}

/** `environment` and `customBaseUrl` together make one setting. */
function environmentOf(
  valid: Partial<Record<PolicyFieldName, unknown>>,
  problems: PolicyProblem[],
): Environment | undefined {
  const kind = valid.environment;
  const baseUrl = valid.customBaseUrl as string | undefined;
  if (kind === 'webex') {
    if (baseUrl !== undefined) {
      problems.push(problem('customBaseUrl', 'ignoredCombination', 'onlyWithCustom'));
    }
    return { kind: 'production' };
  }
  if (kind === 'custom') {
    if (baseUrl !== undefined) return { kind: 'custom', baseUrl };
    problems.push(problem('environment', 'ignoredCombination', 'customWithoutBaseUrl'));
    return undefined;
  }
  if (baseUrl !== undefined) {
    problems.push(problem('customBaseUrl', 'ignoredCombination', 'onlyWithCustom'));
  }
  return undefined;
}

/** Each entry on its own: a bad one is reported, the good ones apply. */
function sitesOf(entries: unknown[], problems: PolicyProblem[]): string[] {
  const sites: string[] = [];
  entries.forEach((entry, index) => {
    const checked = checkSite(entry);
    if (!checked.ok) {
      problems.push(problem(`clickToRegisterSites[${index}]`, 'invalidEntry', checked.detail));
    } else if (!sites.includes(checked.value)) {
      sites.push(checked.value);
    }
  });
  return sites;
}
