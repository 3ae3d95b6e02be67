/**
 * Measure 2: the official @webex/calling 3.12.0 (unmodified, in Node through the conformance
 * harness, one fresh process per cold run) against the project's line service (in Node through
 * bench/line-service-adapter.ts), registering against the same emulator in the same run,
 * interleaved run by run. Time from register() to `registered` (cold: from signed-in, so the
 * SDK's discovery in createClient is included), warm, and deregister; requests of each window
 * from the emulator's log.
 */
import { join } from 'node:path';
import type { Emulator } from '../../tests/emulator/index';
import { ALICE } from '../../tests/emulator/users';
import { between, countByEndpoint, protocolRequests, signature } from '../core/request-log';
import type { Recorder } from '../core/results';
import { createNodeLine } from '../line-service-adapter';
import {
  SDK_INPUT_ENV,
  SDK_RESULT_MARKER,
  type SdkRunInput,
  type SdkRunResult,
  type Span,
  spanGap,
} from '../sdk/protocol';
import { REPO_ROOT, runTsx } from '../support/child';

const SDK_ENTRY = join(REPO_ROOT, 'bench/sdk/sdk-run.ts');

interface Side {
  cold: Span[];
  warm: Span[];
  deregister: Span[];
}

const emptySide = (): Side => ({ cold: [], warm: [], deregister: [] });

async function runSdkOnce(emulator: Emulator, warmRuns: number): Promise<SdkRunResult> {
  const input: SdkRunInput = { urls: emulator.urls, email: ALICE.email, warmRuns };
  const child = await runTsx(SDK_ENTRY, [], {
    timeoutMs: 90_000,
    env: { [SDK_INPUT_ENV]: JSON.stringify(input) },
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith(SDK_RESULT_MARKER));
  if (!line)
    throw new Error(
      `SDK run printed no result (exit ${child.code}):\n${child.stderr.slice(-2000)}`,
    );
  const result = JSON.parse(line.slice(SDK_RESULT_MARKER.length)) as SdkRunResult;
  if (!result.ok) throw new Error(`SDK run failed: ${result.failure}`);
  return result;
}

const now = () => ({ perf: performance.now(), epoch: Date.now() });

async function timedSpan(action: () => Promise<unknown>): Promise<Span> {
  await spanGap();
  const start = now();
  await action();
  const end = now();
  await spanGap();
  return { ms: end.perf - start.perf, from: start.epoch, to: end.epoch };
}

async function runServiceOnce(emulator: Emulator, warmRuns: number, into: Side): Promise<void> {
  const line = createNodeLine(emulator.urls.base);
  try {
    const signedIn = await line.service.signIn();
    if (signedIn.auth !== 'signedIn')
      throw new Error(`line service sign-in ended ${signedIn.auth}`);
    const registerOnce = () =>
      timedSpan(async () => {
        const registered = line.nextRegistered();
        await line.service.register();
        await registered;
      });
    into.cold.push(await registerOnce());
    into.deregister.push(await timedSpan(() => line.service.deregister()));
    for (let i = 0; i < warmRuns; i += 1) {
      into.warm.push(await registerOnce());
      into.deregister.push(await timedSpan(() => line.service.deregister()));
    }
    await line.service.whenIdle();
  } finally {
    await line.dispose();
  }
}

export async function measureSdkVsService(
  rec: Recorder,
  emulator: Emulator,
  { runs, warmPerRun }: { runs: number; warmPerRun: number },
): Promise<void> {
  const sdk = emptySide();
  const ours = emptySide();
  const trouble: string[] = [];
  for (let i = 0; i < runs; i += 1) {
    // The harness signs in through the consent page; the service's identity flow needs the
    // emulator to consent on its own. Alternate who goes first so drift hits both alike.
    const runSdk = async () => {
      emulator.setConfig({ autoConsentEmail: null });
      const result = await runSdkOnce(emulator, warmPerRun);
      if (result.cold) sdk.cold.push(result.cold);
      sdk.warm.push(...result.warm);
      sdk.deregister.push(...result.deregister);
      trouble.push(...result.trouble);
    };
    const runOurs = async () => {
      emulator.setConfig({ autoConsentEmail: ALICE.email });
      await runServiceOnce(emulator, warmPerRun, ours);
    };
    if (i % 2 === 0) {
      await runSdk();
      await runOurs();
    } else {
      await runOurs();
      await runSdk();
    }
  }
  emulator.setConfig({ autoConsentEmail: ALICE.email });

  const log = emulator.requestLog();
  const requests = (s: Span) => protocolRequests(between(log, s.from, s.to));
  const phases = [
    ['cold', 'cold register (signed in -> registered)'],
    ['warm', 'warm register'],
    ['deregister', 'deregister'],
  ] as const;
  for (const [phase, label] of phases) {
    rec.figure(
      2,
      `sdk.${phase}.ms`,
      `@webex/calling: ${label}`,
      'ms',
      sdk[phase].map((s) => s.ms),
    );
    rec.figure(
      2,
      `service.${phase}.ms`,
      `line service: ${label}`,
      'ms',
      ours[phase].map((s) => s.ms),
    );
    rec.ratio(
      2,
      `sdk-vs-service.${phase}`,
      `@webex/calling / line service, ${phase}`,
      `sdk.${phase}.ms`,
      `service.${phase}.ms`,
    );
  }
  for (const [phase, label] of phases) {
    rec.figure(
      2,
      `sdk.${phase}.requests`,
      `@webex/calling: ${label}`,
      'requests',
      sdk[phase].map((s) => requests(s).length),
    );
    rec.figure(
      2,
      `service.${phase}.requests`,
      `line service: ${label}`,
      'requests',
      ours[phase].map((s) => requests(s).length),
    );
  }
  for (const [name, side] of [
    ['@webex/calling', sdk],
    ['line service', ours],
  ] as const) {
    const cold = side.cold[0];
    if (cold) rec.note(2, `${name} cold requests: ${signature(requests(cold)).join(', ')}`);
    const counts = countByEndpoint(side.deregister.flatMap(requests));
    rec.note(
      2,
      `${name} deregister requests over ${side.deregister.length} runs: ${JSON.stringify(counts)}`,
    );
  }
  rec.check(
    2,
    'the SDK runs had no unhandled rejection or worker error',
    trouble.length === 0,
    trouble.slice(0, 3).join(' | '),
  );
  const leftovers = emulator.devices(ALICE.email);
  rec.check(
    2,
    'no Mobius device left registered after measure 2',
    leftovers.length === 0,
    `${leftovers.length} left`,
  );
}
