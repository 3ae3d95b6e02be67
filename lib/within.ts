/**
 * `work`, or a rejection once `ms` have passed: the deadline every await on storage or the
 * network needs, so one call that never answers cannot hold the work queued behind it.
 */
export function withinMs<T>(work: Promise<T>, ms: number, what = 'Storage'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
