/**
 * Fire-and-forget work in the service worker (event listeners that cannot await, the start-up
 * sequence). A failure is reported to diagnostics, never left as an unhandled rejection, and
 * never stops work that does not depend on it.
 */

export type FailureReport = (label: string, error: unknown) => Promise<void> | void;

export interface TaskRunner {
  /** Start `work` without waiting for it. */
  run(label: string, work: () => unknown): void;
  /** Run the steps in order; a failed step is reported and the next one still runs. */
  sequence(steps: ReadonlyArray<readonly [label: string, work: () => unknown]>): Promise<void>;
}

export function createTaskRunner(report: FailureReport): TaskRunner {
  const reportSafely = async (label: string, error: unknown) => {
    try {
      await report(label, error);
    } catch {
      // Reporting failed too (the store is gone): nothing left to tell.
    }
  };
  const attempt = async (label: string, work: () => unknown) => {
    try {
      await work();
    } catch (error) {
      await reportSafely(label, error);
    }
  };
  return {
    run(label, work) {
      void attempt(label, work);
    },
    async sequence(steps) {
      for (const [label, work] of steps) await attempt(label, work);
    },
  };
}
