/** The managed policy's problems (lib/policy/parse.ts) as sentences in the user's language. */

import type { PolicyDetail } from '../policy/fields';
import type { PolicyProblem } from '../policy/parse';
import { type MessageKey, t } from './i18n';

export const POLICY_DETAIL_KEYS: Record<PolicyDetail, MessageKey> = {
  notBoolean: 'policyNotBoolean',
  notString: 'policyNotString',
  empty: 'policyEmpty',
  notEnvironment: 'policyNotEnvironment',
  urlInvalid: 'policyUrlInvalid',
  brokerUrlInvalid: 'policyBrokerUrlInvalid',
  urlCredentials: 'policyUrlCredentials',
  urlInsecure: 'policyUrlInsecure',
  clientIdInvalid: 'policyClientIdInvalid',
  notList: 'policyNotList',
  siteInvalid: 'policySiteInvalid',
  siteInsecure: 'policySiteInsecure',
  customWithoutBaseUrl: 'policyCustomWithoutBaseUrl',
  onlyWithCustom: 'policyOnlyWithCustom',
  onlyWithKeepRegistered: 'policyOnlyWithKeepRegistered',
};

/** One problem as a sentence naming the policy field (never its value). */
export function policyProblemText(
  problem: Pick<PolicyProblem, 'field' | 'reason' | 'detail'>,
): string {
  if (problem.reason === 'notAnObject') return t('policyNotAnObject');
  if (problem.reason === 'unknownField') return t('policyUnknownField', problem.field);
  return t(problem.detail ? POLICY_DETAIL_KEYS[problem.detail] : 'policyIgnored', problem.field);
}
