import type { DiagnosticEntry } from '../messaging/protocol';
import type { Clock, Store } from '../ports';

const DIAGNOSTICS_KEY = 'diagnostics';
/** Keys whose values must never reach the diagnostics log, whatever logs them. */
const SECRET_KEYS = /token|secret|verifier|authorization|code$/i;

export interface Diagnostics {
  add(kind: string, message: string, data?: Record<string, unknown>): Promise<void>;
  list(): Promise<DiagnosticEntry[]>;
  clear(): Promise<void>;
}

function redact(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!data) return undefined;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, SECRET_KEYS.test(key) ? '[redacted]' : value]),
  );
}

/** The last `limit` engine events, persisted so support can export them after a restart. */
export function createDiagnostics(store: Store, clock: Clock, limit = 300): Diagnostics {
  let chain: Promise<unknown> = Promise.resolve();
  const serialise = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work);
    chain = next.catch(() => undefined);
    return next;
  };
  const read = async () => (await store.get<DiagnosticEntry[]>(DIAGNOSTICS_KEY)) ?? [];

  return {
    add: (kind, message, data) =>
      serialise(async () => {
        const entry: DiagnosticEntry = { at: clock.now(), kind, message };
        const safe = redact(data);
        if (safe) entry.data = safe;
        await store.set(DIAGNOSTICS_KEY, [...(await read()), entry].slice(-limit));
      }),
    list: () => serialise(read),
    clear: () => serialise(() => store.del(DIAGNOSTICS_KEY)),
  };
}
