import type { DiagnosticEntry } from '../messaging/protocol';
import type { Clock, Store } from '../ports';
import { serialQueue } from '../serial-queue';
import { redactText } from './redact-text';

const DIAGNOSTICS_KEY = 'diagnostics';
/**
 * Keys whose values must never reach the diagnostics log, whatever logs them, at any depth.
 * `code` alone is an OAuth authorization code; `errorCode` (Mobius 101, 102...) is kept, and so
 * are timing names such as `tokenRetryMs` (a key ending in token(s) or starting `token_` is one).
 */
const SECRET_KEYS =
  /tokens?$|token_|secret|verifier|authorization|password|cookie|^code$|^auth_?code$/i;
const MAX_DEPTH = 6;

export interface Diagnostics {
  add(kind: string, message: string, data?: Record<string, unknown>): Promise<void>;
  list(): Promise<DiagnosticEntry[]>;
  clear(): Promise<void>;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return '[nested]';
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEYS.test(key) ? '[redacted]' : redactValue(item, depth + 1),
    ]),
  );
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
