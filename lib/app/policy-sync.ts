/**
 * A managed policy that changed (seen at start-up or through `storage.onChanged`) takes effect
 * without a restart: the new policy is made the one in effect, then everything that follows a
 * settings change runs, with the settings in effect before and after. The session signs out
 * when they name another environment or integration; its sign-out may still use the old tokens
 * against the old environment, and nothing reaches the new one first (the session's
 * `authorize` refuses a token for settings that no longer name it).
 */

import { serialQueue } from '../serial-queue';
import type { Settings } from '../settings';
import type { PolicyState } from './policy-state';

export interface PolicySyncDeps {
  policy: PolicyState;
  /** The settings in effect (the policy applied). */
  settings(): Promise<Settings>;
  /** The settings in effect changed because the policy did. */
  applied(previous: Settings, next: Settings): Promise<void>;
  log(kind: string, message: string, data?: Record<string, unknown>): Promise<void> | void;
}

export interface PolicySync {
  /** Read the browser's policy; apply it if it changed. Resolves whether it changed. */
  sync(): Promise<boolean>;
}

export function createPolicySync(deps: PolicySyncDeps): PolicySync {
  const inOrder = serialQueue();

  async function syncNow(): Promise<boolean> {
    const before = await deps.settings();
    let refreshed: Awaited<ReturnType<PolicyState['refresh']>>;
    try {
      refreshed = await deps.policy.refresh();
    } catch (error) {
      await deps.log('policy', 'The managed policy could not be read; the last one stays', {
        error: String(error),
      });
      return false;
    }
    if (!refreshed.changed) return false;
    const { policy, problems } = refreshed.next;
    // Field names only: the values stay out of diagnostics.
    await deps.log('policy', 'Managed policy applied', {
      fields: Object.keys(policy),
      problems: problems.length,
    });
    for (const problem of problems) {
      await deps.log('policy', problem.message, { field: problem.field, reason: problem.reason });
    }
    await deps.applied(before, await deps.settings());
    return true;
  }

  return {
    sync: () => inOrder(syncNow),
  };
}
