/** What the options page learns of the policy: which fields are locked, its sites, its problems. */
import type { AppliedPolicy, LockableField } from './apply';
import type { ParsedPolicy, PolicyProblem } from './parse';

export interface PolicyView {
  /** Whether an organisation's policy sets anything at all. */
  managed: boolean;
  /** Fields shown read-only, "Set by your organisation". */
  locked: Record<LockableField, boolean>;
  /** Sites the policy requires: listed, never removable. */
  policySites: string[];
  /** Values that were ignored, as codes the page translates (never the values themselves). */
  problems: Array<Pick<PolicyProblem, 'field' | 'reason' | 'detail'>>;
}

export const NO_POLICY: ParsedPolicy = { policy: {}, problems: [] };

export function policyView(applied: AppliedPolicy, parsed: ParsedPolicy): PolicyView {
  return {
    managed: Object.keys(parsed.policy).length > 0,
    locked: applied.locked,
    policySites: applied.policySites,
    problems: parsed.problems.map(({ field, reason, detail }) => ({
      field,
      reason,
      ...(detail ? { detail } : {}),
    })),
  };
}
