/**
 * The service worker's uncaught errors, unhandled rejections and console errors, collected over a
 * second CDP client so they survive worker restarts (Playwright's own Worker object does not
 * report exceptions, and does not notice a restart). The browser must be launched with
 * `--remote-debugging-port=0`; Chrome then writes the port to `DevToolsActivePort` in the profile.
 *
 * The browser-level CDP session attaches to every service-worker target of our extension (the
 * non-flattened protocol: Playwright's CDPSession cannot address child sessions). A worker that
 * Chrome stops and starts again keeps its target and session ("targetReloadedAfterCrash"), and
 * `Runtime` stays enabled; a new target (new browser) is attached when it appears.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type CDPSession, chromium } from '@playwright/test';

export const REMOTE_DEBUGGING_ARG = '--remote-debugging-port=0';

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

async function devToolsPort(profileDir: string, timeoutMs = 10_000): Promise<number> {
  const file = join(profileDir, 'DevToolsActivePort');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (existsSync(file)) {
      const port = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (Number.isInteger(port) && port > 0) return port;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no DevToolsActivePort in ${profileDir}: launch with ${REMOTE_DEBUGGING_ARG}`);
}

export class ServiceWorkerConsole {
  readonly problems: WorkerProblem[] = [];
  /** Target ids of our service worker already attached. */
  private readonly attached = new Set<string>();
  private nextId = 1;

  private constructor(
    private readonly browser: Browser,
    private readonly session: CDPSession,
    private readonly extensionId: string,
  ) {}

  /** Connect to the browser running `profileDir` and watch `extensionId`'s service worker. */
  static async attach(profileDir: string, extensionId: string): Promise<ServiceWorkerConsole> {
    const port = await devToolsPort(profileDir);
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    const session = await browser.newBrowserCDPSession();
    const watcher = new ServiceWorkerConsole(browser, session, extensionId);
    session.on('Target.targetCreated', (event: { targetInfo: TargetInfo }) => {
      void watcher.consider(event.targetInfo);
    });
    session.on(
      'Target.receivedMessageFromTarget',
      (event: { sessionId: string; message: string }) => watcher.onMessage(event.message),
    );
    // Reports every existing target as created, then each new one.
    await session.send('Target.setDiscoverTargets', { discover: true });
    const { targetInfos } = (await session.send('Target.getTargets')) as {
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
    await this.browser.close().catch(() => {});
  }

  private async consider(info: TargetInfo): Promise<void> {
    if (info.type !== 'service_worker') return;
    if (!info.url.startsWith(`chrome-extension://${this.extensionId}/`)) return;
    if (this.attached.has(info.targetId)) return;
    this.attached.add(info.targetId);
    try {
      const { sessionId } = (await this.session.send('Target.attachToTarget', {
        targetId: info.targetId,
        flatten: false,
      })) as { sessionId: string };
      await this.session.send('Target.sendMessageToTarget', {
        sessionId,
        message: JSON.stringify({ id: this.nextId++, method: 'Runtime.enable' }),
      });
    } catch {
      // The target went away before we got to it (a worker stopped at that moment): the next
      // one is attached when it is created.
      this.attached.delete(info.targetId);
    }
  }

  private onMessage(raw: string): void {
    let message: { method?: string; params?: Record<string, unknown> };
    try {
      message = JSON.parse(raw);
    } catch {
      return;
    }
    if (message.method === 'Runtime.exceptionThrown') {
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
