/**
 * The service worker's uncaught errors, unhandled rejections and console errors, collected over a
 * second CDP client so they survive worker restarts (Playwright's own Worker object does not
 * report exceptions, and does not notice a restart). The browser must be launched with
 * `--remote-debugging-port=0`; Chrome then writes the port and the browser target's path to
 * `DevToolsActivePort` in the profile.
 *
 * A plain WebSocket client attaches to every service-worker target of our extension with
 * flattened sessions, as Playwright itself does. (The legacy, non-flattened sessions that
 * Playwright's CDPSession would force crashed this Chromium's browser process, SIGTRAP, in about
 * one run in three of a worker stopped every 3 s; flattened ones did not.) A worker that Chrome
 * stops and starts again keeps its target and session ("targetReloadedAfterCrash"), and
 * `Runtime` stays enabled; a new target (new browser) is attached when it appears.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';

export const REMOTE_DEBUGGING_ARG = '--remote-debugging-port=0';
/** How long a CDP command may wait for its answer (a dead browser never gives one). */
const ANSWER_DEADLINE_MS = 10_000;

export interface WorkerProblem {
  at: number;
  kind: 'exception' | 'console';
  text: string;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

interface ExceptionDetails {
  text?: string;
  exception?: { description?: string; value?: unknown };
}

interface RemoteObject {
  type: string;
  value?: unknown;
  description?: string;
}

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** The browser target's WebSocket URL, from the `DevToolsActivePort` file Chrome writes. */
async function browserEndpoint(profileDir: string, timeoutMs = 10_000): Promise<string> {
  const file = join(profileDir, 'DevToolsActivePort');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const [port, path] = readFileSync(file, 'utf8').split('\n');
      if (Number(port) > 0 && path?.startsWith('/devtools/browser/')) {
        return `ws://127.0.0.1:${port}${path}`;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no DevToolsActivePort in ${profileDir}: launch with ${REMOTE_DEBUGGING_ARG}`);
}

export class ServiceWorkerConsole {
  readonly problems: WorkerProblem[] = [];
  /** Our service worker's targets, each with its attachment (done or under way). */
  private readonly attached = new Map<string, Promise<void>>();
  private readonly pending = new Map<number, (message: CdpMessage) => void>();
  private nextId = 1;

  private constructor(
    private readonly socket: WebSocket,
    private readonly extensionId: string,
  ) {
    socket.on('message', (data) => this.onMessage(String(data)));
    // A browser that dies resets the socket: 'close' follows, and an unheard 'error' would
    // throw in the test runner instead.
    socket.on('error', () => {});
    // A closed browser fails whatever is still waiting for an answer.
    socket.on('close', () => {
      for (const resolve of this.pending.values()) resolve({ error: { message: 'closed' } });
      this.pending.clear();
    });
  }

  /** Connect to the browser running `profileDir` and watch `extensionId`'s service worker. */
  static async attach(profileDir: string, extensionId: string): Promise<ServiceWorkerConsole> {
    const socket = new WebSocket(await browserEndpoint(profileDir));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const watcher = new ServiceWorkerConsole(socket, extensionId);
    // Reports every existing target as created, then each new one.
    await watcher.send('Target.setDiscoverTargets', { discover: true });
    const { targetInfos } = (await watcher.send('Target.getTargets')) as {
      targetInfos: TargetInfo[];
    };
    await Promise.all(targetInfos.map((info) => watcher.consider(info)));
    return watcher;
  }

  /** How many service-worker targets of ours are being watched. */
  get watchedTargets(): number {
    return this.attached.size;
  }

  errors(): string[] {
    return this.problems.map((p) => `${p.kind}: ${p.text}`);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private send(
    method: string,
    params: Record<string, unknown> = {},
    sessionId?: string,
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const unanswered = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer in ${ANSWER_DEADLINE_MS} ms`));
      }, ANSWER_DEADLINE_MS);
      this.pending.set(id, (answer) => {
        clearTimeout(unanswered);
        if (answer.error) reject(new Error(`${method}: ${answer.error.message}`));
        else resolve(answer.result ?? {});
      });
      this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  private consider(info: TargetInfo): Promise<void> {
    if (info.type !== 'service_worker') return Promise.resolve();
    if (!info.url.startsWith(`chrome-extension://${this.extensionId}/`)) return Promise.resolve();
    let attaching = this.attached.get(info.targetId);
    if (!attaching) {
      attaching = this.attachTo(info.targetId);
      this.attached.set(info.targetId, attaching);
    }
    return attaching;
  }

  private async attachTo(targetId: string): Promise<void> {
    try {
      const { sessionId } = (await this.send('Target.attachToTarget', {
        targetId,
        flatten: true,
      })) as { sessionId: string };
      await this.send('Runtime.enable', {}, sessionId);
    } catch {
      // The target went away before we got to it (a worker stopped at that moment): the next
      // one is attached when it is created.
      this.attached.delete(targetId);
    }
  }

  private onMessage(raw: string): void {
    let message: CdpMessage;
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (message.id !== undefined) {
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    } else if (message.method === 'Target.targetCreated') {
      void this.consider(message.params?.targetInfo as TargetInfo);
    } else if (message.method === 'Runtime.exceptionThrown') {
      const details = message.params?.exceptionDetails as ExceptionDetails | undefined;
      const description =
        details?.exception?.description ?? String(details?.exception?.value ?? '');
      this.problems.push({
        at: Date.now(),
        kind: 'exception',
        text: `${details?.text ?? 'Uncaught'} ${description}`.trim(),
      });
    } else if (message.method === 'Runtime.consoleAPICalled') {
      const type = message.params?.type as string;
      if (type !== 'error' && type !== 'assert') return;
      const args = (message.params?.args as RemoteObject[] | undefined) ?? [];
      this.problems.push({
        at: Date.now(),
        kind: 'console',
        text: args.map((a) => (a.value !== undefined ? String(a.value) : a.description)).join(' '),
      });
    }
  }
}
