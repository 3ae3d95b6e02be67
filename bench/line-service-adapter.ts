/**
 * The one place the bench builds the project's line service in Node (measure 2). It uses only
 * the `LineService` interface (createLineService, signIn, register, deregister, subscribe,
 * whenIdle, snapshot) plus the ports it is constructed with. When the service's construction
 * changes, this file is the only one to update.
 *
 * Its timers are plain `setTimeout`s that never keep the process alive (`unref`), and
 * `dispose()` clears them: a token-refresh deadline days ahead is exactly what kept the old
 * `scripts/bench.ts` running forever.
 */
import { DEFAULT_CALL_PREFERENCES } from '../lib/call-preferences';
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEV_REDIRECT_URL } from '../lib/dev-integration';
import type { Random, Scheduler, Store } from '../lib/ports';
import { createLineService, type LineService } from '../lib/service/line-service';
import type { Settings } from '../lib/settings';

export interface NodeLine {
  service: LineService;
  /** Resolves at the service's next `registered` event (subscribe before acting). */
  nextRegistered(timeoutMs?: number): Promise<void>;
  /** Sign out (deletes the WDM device), wait for background work, clear every timer. */
  dispose(): Promise<void>;
}

function memoryStore(): Store {
  const data = new Map<string, unknown>();
  return {
    get: async <T>(key: string) => structuredClone(data.get(key)) as T | undefined,
    set: async (key, value) => void data.set(key, structuredClone(value)),
    del: async (key) => void data.delete(key),
  };
}

function timeoutScheduler(onDue: (name: string) => Promise<void>) {
  const timers = new Map<string, { at: number; handle: ReturnType<typeof setTimeout> }>();
  const scheduler: Scheduler = {
    async set(name, at) {
      clearTimeout(timers.get(name)?.handle);
      const handle = setTimeout(
        () => {
          timers.delete(name);
          void onDue(name);
        },
        // setTimeout overflows past 2^31-1 ms and would fire at once.
        Math.min(Math.max(0, at - Date.now()), 2_147_483_647),
      );
      handle.unref();
      timers.set(name, { at, handle });
    },
    async clear(name) {
      clearTimeout(timers.get(name)?.handle);
      timers.delete(name);
    },
    async list() {
      return Object.fromEntries([...timers].map(([name, t]) => [name, t.at]));
    },
  };
  const clearAll = () => {
    for (const { handle } of timers.values()) clearTimeout(handle);
    timers.clear();
  };
  return { scheduler, clearAll };
}

const random: Random = {
  uuid: () => crypto.randomUUID(),
  int(min, max) {
    const [value = 0] = crypto.getRandomValues(new Uint32Array(1));
    return min + (value % (max - min + 1));
  },
  bytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
};

/**
 * A line service with empty caches, pointed at the emulator with the demo integration. The
 * emulator must have `autoConsentEmail` set: the identity flow follows its redirect the way the
 * browser's auth window would.
 */
export function createNodeLine(baseUrl: string, fetchImpl: typeof fetch = fetch): NodeLine {
  const settings: Settings = {
    environment: { kind: 'custom', baseUrl },
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    tokenBrokerUrl: '',
    keepRegistered: false,
    notifications: false,
    sites: [],
    calls: DEFAULT_CALL_PREFERENCES,
  };
  const timers = timeoutScheduler((name) => service.onTimer(name));
  const service: LineService = createLineService({
    store: memoryStore(),
    scheduler: timers.scheduler,
    clock: { now: () => Date.now() },
    fetch: fetchImpl,
    random,
    loadSettings: async () => structuredClone(settings),
    identity: {
      redirectUrl: () => DEV_REDIRECT_URL,
      launchWebAuthFlow: async (url) =>
        (await fetchImpl(url, { redirect: 'manual' })).headers.get('location') ?? '',
    },
  });

  return {
    service,
    nextRegistered(timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          stop();
          reject(new Error(`no registered event in ${timeoutMs} ms`));
        }, timeoutMs);
        const stop = service.subscribe((broadcast) => {
          if (broadcast.event === 'registered') {
            clearTimeout(timer);
            stop();
            resolve();
          } else if (broadcast.event === 'error') {
            clearTimeout(timer);
            stop();
            reject(new Error(`registration failed: ${broadcast.error?.msg}`));
          }
        });
      });
    },
    async dispose() {
      try {
        await service.signOut();
        await service.whenIdle();
      } finally {
        timers.clearAll();
      }
    },
  };
}
