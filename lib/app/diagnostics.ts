import type { DiagnosticEntry } from '../messaging/protocol';
import type { Clock, Store } from '../ports';
import { serialQueue } from '../serial-queue';
import { redactValue } from './redact';

const DIAGNOSTICS_KEY = 'diagnostics';
export interface Diagnostics {
  add(kind: string, message: string, data?: Record<string, unknown>): Promise<void>;
  list(): Promise<DiagnosticEntry[]>;
  clear(): Promise<void>;
}

function redact(data: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return data ? (redactValue(data, 0) as Record<string, unknown>) : undefined;
}

/** The last `limit` engine events, persisted so support can export them after a restart. */
export function createDiagnostics(store: Store, clock: Clock, limit = 300): Diagnostics {
  const serialise = serialQueue();
  const read = async () => (await store.get<DiagnosticEntry[]>(DIAGNOSTICS_KEY)) ?? [];

  return {
    add: (kind, message, data) => {
      // Stamped when it happened, not when its turn to be written comes (writes queue up
      // behind each other, and the timeline is what support reads).
      const entry: DiagnosticEntry = {
        at: clock.now(),
        kind,
        message: redactValue(message, 0) as string,
      };
      const safe = redact(data);
      if (safe) entry.data = safe;
      return serialise(async () => {
        await store.set(DIAGNOSTICS_KEY, [...(await read()), entry].slice(-limit));
      });
    },
    list: () => serialise(read),
    clear: () => serialise(() => store.del(DIAGNOSTICS_KEY)),
  };
}
