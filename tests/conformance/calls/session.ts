/**
 * One SDK page test's surroundings, for the incoming and the outgoing calls conformance files:
 * a fresh emulator per test (its log kept), the page opened and registered, and waits that say
 * on timeout what the page and the emulator saw meanwhile.
 */
import { afterEach, beforeEach, expect } from 'vitest';
import { type CallView, type Emulator, startEmulator } from '../../emulator/index';
import { ALICE } from '../../emulator/users';
import { pageConfigFor } from './page-config';
import type { PageEvent } from './page-protocol';
import { SdkPage } from './sdk-page';

export function useSdkSession(options: { pageEventTimeoutMs: number }) {
  let emulator: Emulator | undefined;
  let page: SdkPage | undefined;
  const emulatorLog: string[] = [];

  beforeEach(async () => {
    emulatorLog.length = 0;
    emulator = await startEmulator({
      ports: { base: 0, primary: 0, backup: 0 },
      log: (line) => emulatorLog.push(line),
    });
  });

  afterEach(async () => {
    await page?.close();
    page = undefined;
    await emulator?.close();
  });

  const session = {
    get emulator(): Emulator {
      if (!emulator) throw new Error('no emulator outside a test');
      return emulator;
    },
    get page(): SdkPage | undefined {
      return page;
    },
    /** What went on, for a failing expectation: the page's events and the emulator's log. */
    context: () =>
      [
        'page:',
        ...(page?.events ?? []).map(
          (e) => `  ${e.at}ms ${e.source} ${e.name} ${JSON.stringify(e.detail ?? '')}`,
        ),
        'emulator:',
        ...emulatorLog.map((l) => `  ${l}`),
      ].join('\n'),
    /** Waits at the emulator; a timeout says what the page and the emulator saw meanwhile. */
    async waitForCall(...args: Parameters<Emulator['waitForCall']>): Promise<CallView> {
      try {
        return await session.emulator.waitForCall(...args);
      } catch (error) {
        throw new Error(`${String(error)}\n${session.context()}`);
      }
    },
    async pageSaw(source: PageEvent['source'], name: string, count = 1): Promise<void> {
      await expect
        .poll(() => page?.named(source, name).length ?? 0, {
          timeout: options.pageEventTimeoutMs,
          message: session.context(),
        })
        .toBeGreaterThanOrEqual(count);
    },
    /** The page opened and its line registered as Alice. */
    async openRegistered(): Promise<SdkPage> {
      page = await SdkPage.open();
      const config = await pageConfigFor(session.emulator.urls, ALICE.email);
      const started = await page.call('start', config);
      expect(started.lineStatus, session.context()).toBe('active');
      return page;
    },
  };
  return session;
}
