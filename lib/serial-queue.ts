/** Work handed to a serial queue: it runs after all the work handed to it before. */
export type SerialQueue = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * A queue that runs its work one piece at a time, in the order given. Each caller gets its own
 * work's result or failure; a failure does not stop the work queued after it.
 */
export function serialQueue(): SerialQueue {
  let chain: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };
}
