import type { PolicyView } from '../../lib/policy/view';
import { t } from '../../lib/ui/i18n';
import { policyProblemText } from '../../lib/ui/policy-problems';

/**
 * What the organisation's managed policy does here: a note that it manages settings, and the
 * values it sets that were ignored (the rest of the policy still applies). Field names only:
 * the page never shows a policy value it refused.
 */
export function PolicySection({ policy }: { policy: PolicyView }) {
  if (!policy.managed && policy.problems.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="policy-title">
      <h2 id="policy-title">{t('policyTitle')}</h2>
      {policy.managed && <p>{t('policyManagedNote')}</p>}
      {policy.problems.length > 0 && (
        <div class="policy-problems" role="alert">
          <p>{t('policyProblemsIntro')}</p>
          <ul>
            {policy.problems.map((problem) => (
              <li key={`${problem.field}-${problem.reason}`}>{policyProblemText(problem)}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
