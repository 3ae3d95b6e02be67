/**
 * The few browser pieces @webex/calling touches, stood up in Node before the SDK is loaded:
 * a `window` (its media dependencies read `window.navigator.userAgent` at load time), a
 * `localStorage` (failover state), a `Worker` that runs the keepalive Blob-URL script on
 * worker_threads, and a `fetch` that maps the SDK's https hosts onto the emulator.
 */
import { resolveObjectURL } from 'node:buffer';
import { MessageChannel, Worker as ThreadWorker } from 'node:worker_threads';
import { type HostMap, mappedFetch } from './url-map';

/** Not "windows": the SDK runs an ICE warm-up (RTCPeerConnection) for Windows Chromium. */
const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

const WORKER_HOST = new URL('./keepalive-worker-host.mjs', import.meta.url);

class MemoryStorage {
  readonly #items = new Map<string, string>();
  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(key);
  }
  clear(): void {
    this.#items.clear();
  }
}

type MessageHandler = ((event: { data: unknown }) => unknown) | null;

/** One HTTP exchange made by a keepalive worker, as the worker saw it. */
export interface WorkerFetch {
  url: string;
  method: string;
  status?: number;
  error?: string;
}

interface WorkerHooks {
  onError: (error: Error) => void;
  onFetch: (exchange: WorkerFetch) => void;
}

/**
 * A dedicated-worker stand-in. The SDK revokes the Blob URL right after `new Worker(url)`, so
 * the blob is resolved in the constructor; reading its text is async, so messages posted
 * before the thread exists are queued and sent in order once it starts.
 */
function createWorkerClass(hostMap: HostMap, hooks: WorkerHooks) {
  return class NodeBlobWorker {
    onmessage: MessageHandler = null;
    onerror: ((error: Error) => unknown) | null = null;
    #thread: ThreadWorker | undefined;
    #pending: unknown[] = [];
    #terminated = false;

    constructor(scriptUrl: string | URL) {
      const blob = resolveObjectURL(String(scriptUrl));
      if (!blob) throw new Error(`Worker: cannot resolve script URL ${String(scriptUrl)}`);
      void blob.text().then((source) => this.#start(source));
    }

    #start(source: string): void {
      if (this.#terminated) return;
      const { port1: observer, port2: observerInWorker } = new MessageChannel();
      observer.on('message', (exchange: WorkerFetch) => hooks.onFetch(exchange));
      observer.unref();
      const thread = new ThreadWorker(WORKER_HOST, {
        workerData: { source, hostMap, observer: observerInWorker },
        transferList: [observerInWorker],
        // The harness runs under tsx; the worker host is plain JS and needs no loader.
        execArgv: [],
      });
      thread.on('message', (data: unknown) => {
        void this.onmessage?.({ data });
      });
      thread.on('error', (error: Error) => {
        hooks.onError(error);
        this.onerror?.(error);
      });
      thread.unref();
      this.#thread = thread;
      for (const message of this.#pending.splice(0)) thread.postMessage(message);
    }

    postMessage(message: unknown): void {
      if (this.#terminated) return;
      if (this.#thread) this.#thread.postMessage(message);
      else this.#pending.push(message);
    }

    terminate(): void {
      this.#terminated = true;
      this.#pending = [];
      void this.#thread?.terminate();
    }
  };
}

export interface BrowserShimOptions {
  hostMap: HostMap;
  /** Errors thrown inside a keepalive worker (a harness failure, never an SDK event). */
  onWorkerError: WorkerHooks['onError'];
  /** Every HTTP exchange a keepalive worker makes. */
  onWorkerFetch: WorkerHooks['onFetch'];
}

export function installBrowserShims(options: BrowserShimOptions): void {
  const { hostMap } = options;
  const g = globalThis as Record<string, unknown>;
  // An EventTarget, so the SDK's `online`/`offline` listeners attach (nothing fires them).
  g.window = Object.assign(new EventTarget(), {
    navigator: { userAgent: USER_AGENT, onLine: true },
  });
  g.localStorage = new MemoryStorage();
  g.Worker = createWorkerClass(hostMap, {
    onError: options.onWorkerError,
    onFetch: options.onWorkerFetch,
  });
  g.fetch = mappedFetch(hostMap, globalThis.fetch.bind(globalThis));
}
