/**
 * Measure 1: popup click to "Registered" shown, against the bare baseline (bench/page) making
 * the same requests with plain fetch from an extension page in the same browser. Cold = full
 * discovery (after a sign-out and sign-in, which drop every cache), warm = cached discovery.
 * Extension and baseline alternate run by run; each window's requests come from the emulator's
 * log and the two sequences must be identical.
 */
import type { Page } from '@playwright/test';
import { send, waitForStatus } from '../../tests/e2e/fixtures';
import type { Emulator } from '../../tests/emulator/index';
import { ALICE } from '../../tests/emulator/users';
import { type BrowserSession, clickUntilShown, type ProbeWindow } from '../browser/session';
import { milestoneTimes, REGISTRATION_MILESTONES, segments } from '../core/milestones';
import {
  between,
  firstDifference,
  type LoggedRequest,
  protocolRequests,
  signature,
  splitWindow,
} from '../core/request-log';
import type { Recorder } from '../core/results';

type Who = 'extension' | 'baseline';
type Phase = 'cold' | 'warm';

interface Sample {
  ms: number;
  requests: LoggedRequest[];
  split: ReturnType<typeof splitWindow>;
  /** Extension, warm: the engine's own steps around its one request (from its diagnostics). */
  engine?: [string, number][] | null;
}

export async function measureRegisterLatency(
  rec: Recorder,
  emulator: Emulator,
  session: BrowserSession,
  { runs }: { runs: number },
): Promise<void> {
  const { driver } = session;
  const popup = await session.context.newPage();
  await popup.goto(session.url('popup.html'));
  const token = emulator.issueTokens(ALICE.email).access_token;
  const samples: Record<`${Who}.${Phase}`, Sample[]> = {
    'extension.cold': [],
    'extension.warm': [],
    'baseline.cold': [],
    'baseline.warm': [],
  };
  const registerButton = () => popup.getByRole('button', { name: 'Register', exact: true });

  const sampleOf = (span: { ms: number; from: number; to: number }): Sample => {
    const requests = protocolRequests(between(emulator.requestLog(), span.from, span.to));
    return { ms: span.ms, requests, split: splitWindow(span, requests) };
  };

  const steps: Record<`${Who}.${Phase}`, () => Promise<Sample>> = {
    async 'extension.cold'() {
      // Sign-out drops the caches and the WDM device; the emulator consents on its own.
      await send(driver, 'auth/signOut');
      const signedIn = await send(driver, 'auth/signIn');
      if (signedIn.auth !== 'signedIn') throw new Error(`sign-in ended ${signedIn.auth}`);
      await registerButton().waitFor();
      const span = await clickUntilShown(popup, 'Register', 'Registered');
      return sampleOf(span);
    },
    async 'extension.warm'() {
      await send(driver, 'line/deregister');
      await registerButton().waitFor();
      const span = await clickUntilShown(popup, 'Register', 'Registered');
      const sample = sampleOf(span);
      const { entries } = await send(driver, 'diagnostics/get');
      const times = milestoneTimes(entries, span, REGISTRATION_MILESTONES);
      const answer = sample.requests[0];
      if (times && answer && sample.requests.length === 1) {
        const [connecting, posting, saved] = times as [number, number, number];
        sample.engine = segments([
          ['click', span.from],
          ['connecting event', connecting],
          ['register POST sent', posting],
          ['answered', answer.at],
          ['device saved', saved],
          ['shown', span.to],
        ]);
      } else sample.engine = null;
      return sample;
    },
    async 'baseline.cold'() {
      await configureBaseline(driver, emulator.urls.base, token, 'cold');
      const span = await clickUntilShown(driver, 'Register', 'Registered');
      return sampleOf(span);
    },
    async 'baseline.warm'() {
      await driver.evaluate(() => (globalThis as unknown as ProbeWindow).baseline.deregister());
      await configureBaseline(driver, emulator.urls.base, token, 'warm');
      const span = await clickUntilShown(driver, 'Register', 'Registered');
      return sampleOf(span);
    },
  };

  for (let i = 0; i < runs; i += 1) {
    const order: Who[] = i % 2 === 0 ? ['extension', 'baseline'] : ['baseline', 'extension'];
    for (const phase of ['cold', 'warm'] as const) {
      for (const who of order) samples[`${who}.${phase}`].push(await steps[`${who}.${phase}`]());
    }
    await send(driver, 'line/deregister');
    await driver.evaluate(async () => {
      const { baseline } = globalThis as unknown as ProbeWindow;
      await baseline.deregister();
      await baseline.forgetWdm();
    });
  }
  await popup.close();

  for (const phase of ['cold', 'warm'] as const) {
    const ext = samples[`extension.${phase}`];
    const bare = samples[`baseline.${phase}`];
    rec.figure(
      1,
      `register.${phase}.extension.ms`,
      `extension, ${phase}: click to "Registered"`,
      'ms',
      ext.map((s) => s.ms),
    );
    rec.figure(
      1,
      `register.${phase}.baseline.ms`,
      `bare fetch baseline, ${phase}`,
      'ms',
      bare.map((s) => s.ms),
    );
    rec.ratio(
      1,
      `register.${phase}.ratio`,
      `extension / baseline, ${phase}`,
      `register.${phase}.extension.ms`,
      `register.${phase}.baseline.ms`,
      { atMost: 1.2 },
    );
    rec.figure(
      1,
      `register.${phase}.extension.requests`,
      `extension, ${phase}`,
      'requests',
      ext.map((s) => s.requests.length),
      phase === 'warm' ? { exactly: 1 } : undefined,
    );
    rec.figure(
      1,
      `register.${phase}.baseline.requests`,
      `bare fetch baseline, ${phase}`,
      'requests',
      bare.map((s) => s.requests.length),
    );
    // Where the time went, seen from the emulator: the extension's own work before its first
    // request, between requests (caches written, engine commits) and after the last answer.
    const parts = [
      ['beforeFirst', 'click to first answer'],
      ['between', 'first to last answer'],
      ['afterLast', 'last answer to "Registered"'],
    ] as const;
    for (const [key, label] of parts) {
      if (phase === 'warm' && key === 'between') continue;
      const of = (list: Sample[]) =>
        list.map((s) => s.split?.[key]).filter((v): v is number => v !== undefined);
      if (of(ext).length === 0 || of(bare).length === 0) continue;
      rec.figure(
        1,
        `register.${phase}.extension.${key}`,
        `  extension, ${phase}: ${label}`,
        'ms',
        of(ext),
      );
      rec.figure(
        1,
        `register.${phase}.baseline.${key}`,
        `  baseline, ${phase}: ${label}`,
        'ms',
        of(bare),
      );
    }
    const withEngine = ext.filter((sample) => sample.engine);
    const engineRuns = withEngine.map((sample) => sample.engine as [string, number][]);
    (engineRuns[0] ?? []).forEach(([label], i) => {
      const values = engineRuns.map((run) => run[i]?.[1] as number);
      rec.figure(
        1,
        `register.${phase}.engine.${i}`,
        `    extension, ${phase}: ${label}`,
        'ms',
        values,
      );
    });
    if (phase === 'warm' && withEngine.length < ext.length) {
      rec.note(
        1,
        `${ext.length - withEngine.length} warm runs had no engine split: the diagnostics lacked a milestone of bench/core/milestones.ts (renamed by the engine?)`,
      );
    }
    const mismatches = ext
      .map((s, run) => {
        const a = signature(s.requests);
        const b = signature(bare[run]?.requests ?? []);
        const at = firstDifference(a, b);
        return at === null
          ? null
          : `run ${run + 1} at #${at + 1}: extension ${a[at] ?? '-'} vs baseline ${b[at] ?? '-'}`;
      })
      .filter((m) => m !== null);
    rec.check(
      1,
      `${phase}: the baseline made the extension's requests, in order, in every run`,
      mismatches.length === 0,
      mismatches.slice(0, 3).join('; '),
    );
    const failed = [...ext, ...bare]
      .flatMap((s) => s.requests)
      .filter((r) => r.status < 200 || r.status >= 300);
    rec.check(
      1,
      `${phase}: every request in the windows succeeded`,
      failed.length === 0,
      failed.map((r) => `${r.method} ${r.path} ${r.status}`).join('; '),
    );
    const first = ext[0];
    if (first) rec.note(1, `${phase} requests (both): ${signature(first.requests).join(', ')}`);
  }
  await waitForStatus(driver, (s) => s.state === 'idle');
}

async function configureBaseline(driver: Page, baseUrl: string, token: string, mode: Phase) {
  await driver.evaluate(
    ([b, t, m]) =>
      (globalThis as unknown as ProbeWindow).baseline.configure({ baseUrl: b, token: t, mode: m }),
    [baseUrl, token, mode] as const,
  );
}
