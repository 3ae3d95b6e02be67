/**
 * A scripted reply held at a gate: `hold(answer)` waits until `release()`, then answers;
 * `arrived` resolves once a request has reached the gate.
 */
export function heldRequest() {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  return {
    arrived,
    release: () => release(),
    async hold<T>(answer: () => Promise<T> | T): Promise<T> {
      arrive();
      await opened;
      return answer();
    },
  };
}
