/**
 * `npm run bench`: speed and weight, measured side by side in one run on one emulator, printed
 * as a table and written to bench/results.json. Never asserted in tests (shared machines are
 * noisy); the exit code is non-zero only when the harness itself failed (a measure threw or a
 * check of the harness's own assumptions did not hold), never for a missed goal.
 *
 *   npm run bench                      everything (a few minutes on 2 cores)
 *   npm run bench -- --only=1,7        some measures (8 to 11: calls)
 *   npm run bench -- --runs=3          fewer repetitions, for trying the harness out
 *   npm run bench -- --only=11 --merge  replace only those measures' entries in results.json
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '../tests/e2e/chromium';
import { send, useEmulator } from '../tests/e2e/fixtures';
import { type Emulator, startEmulator } from '../tests/emulator/index';
import { ALICE } from '../tests/emulator/users';
import { type BrowserSession, openBrowser, prepareExtensionCopy } from './browser/session';
import { mergeResults } from './core/merge';
import { type BenchResults, type MeasureRun, Recorder, type WeightReport } from './core/results';
import { formatReport } from './core/table';
import { measureCallPlaced, measureCallPlacedSdk } from './measures/call-placed';
import { measureCallRing } from './measures/call-ring';
import { measureCallRingSdk } from './measures/call-ring-sdk';
import { measureFanOut } from './measures/fan-out';
import { measureIdleCost, openDemoTabs } from './measures/idle-cost';
import { measureKeepalive } from './measures/keepalive';
import { measureOffscreenCost } from './measures/offscreen-cost';
import { measurePopupOpen } from './measures/popup-open';
import { measureRegisterLatency } from './measures/register-latency';
import { measureSdkVsService } from './measures/sdk-vs-service';
import { measureWeight } from './measures/weight';
import { mustSucceed, REPO_ROOT, runChild } from './support/child';

const TITLES: Record<number, string> = {
  1: 'Register latency: popup click to "Registered", extension vs bare fetch baseline (same browser)',
  2: 'Against the official SDK: @webex/calling 3.12.0 vs the line service, both in Node',
  3: 'Popup open to status rendered',
  4: 'Keepalive regularity (emulator receive time vs schedule)',
  5: 'Idle cost while registered',
  6: 'Fan-out: a status change reaching tabs with the content script',
  7: 'Weight: production build vs an app bundle of @webex/calling',
  8: 'The line rings: Mercury event to notification, answer to first audio each way',
  9: 'Offscreen document: memory, Mercury pings and worker starts while ready to ring',
  10: 'The line rings in a page with @webex/calling 3.12.0: measure 8 for the SDK',
  11: 'A call placed: Call clicked to ringback, callee answered to first audio each way, extension and @webex/calling 3.12.0 in a page',
};
const BROWSER_MEASURES = [1, 3, 4, 5, 6, 8, 9, 11];
const RESULTS_FILE = join(REPO_ROOT, 'bench/results.json');

interface Options {
  only: Set<number>;
  runs: number;
  merge: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const only = new Set<number>(Object.keys(TITLES).map(Number));
  let runs = 10;
  let merge = false;
  for (const arg of argv) {
    const [key, value = ''] = arg.replace(/^--/, '').split('=');
    if (key === 'only') {
      only.clear();
      for (const id of value.split(',').map(Number)) {
        if (!TITLES[id]) throw new Error(`--only: no measure ${id} (1-11)`);
        only.add(id);
      }
    } else if (key === 'runs') {
      runs = Number(value);
      if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
    } else if (key === 'merge' && value === '') {
      merge = true;
    } else {
      throw new Error(`unknown option ${arg} (use --only=1,2, --runs=N or --merge)`);
    }
  }
  return { only, runs, merge };
}

function machine(): Record<string, string | number> {
  const info: Record<string, string | number> = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    node: process.version,
  };
  try {
    info.chromium = execFileSync(findChromium(), ['--version'], { encoding: 'utf8' }).trim();
    info.commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
  } catch {
    // Informational only.
  }
  return info;
}

async function main(options: Options): Promise<number> {
  const startedAt = new Date();
  const rec = new Recorder();
  const measures: MeasureRun[] = [];
  const info = machine();
  let weight: WeightReport | null = null;
  const tmp = mkdtempSync(join(tmpdir(), 'webex-line-bench-'));
  const log = (text: string) => process.stderr.write(`[bench] ${text}\n`);

  const step = async (id: number, work: () => Promise<unknown>) => {
    if (!options.only.has(id)) return;
    log(`${id}. ${TITLES[id]}`);
    const started = performance.now();
    let error: string | undefined;
    try {
      await work();
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      log(`   failed: ${error}`);
      rec.check(id, 'the measure ran to the end', false, error.split('\n')[0]);
    }
    const durationMs = performance.now() - started;
    // A measure in two parts (11: the extension's browser, then the SDK's page) is one entry.
    const earlier = measures.find((m) => m.id === id);
    if (earlier) {
      earlier.durationMs += durationMs;
      if (error) earlier.error = earlier.error ? `${earlier.error}; ${error}` : error;
      return;
    }
    measures.push({ id, title: TITLES[id] as string, durationMs, ...(error ? { error } : {}) });
  };

  const emulator: Emulator = await startEmulator({
    ports: { base: 0, primary: 0, backup: 0 },
    config: { autoConsentEmail: ALICE.email },
  });
  try {
    // Builds first, with nothing timed meanwhile.
    await step(7, async () => {
      weight = await measureWeight(rec, tmp);
    });
    await step(2, () => measureSdkVsService(rec, emulator, { runs: options.runs, warmPerRun: 2 }));
    if (BROWSER_MEASURES.some((id) => options.only.has(id))) {
      await browserMeasures(rec, emulator, options, tmp, step, log);
    }
    // Its own Chromium, after the extension's browser has signed out and closed.
    await step(10, () => measureCallRingSdk(rec, emulator, { runs: options.runs }));
    await step(11, () => measureCallPlacedSdk(rec, emulator, { runs: options.runs }));
    const deviations = emulator.deviations();
    rec.check(
      0,
      'the emulator recorded no protocol deviation in the whole run',
      deviations.length === 0,
      deviations
        .slice(0, 3)
        .map((d) => `${d.method} ${d.path}: ${d.reason}`)
        .join('; '),
    );
  } finally {
    await emulator.close();
    rmSync(tmp, { recursive: true, force: true });
  }

  info.loadAverageAtEnd = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const results: BenchResults = {
    version: 1,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    machine: info,
    measures: measures.sort((a, b) => a.id - b.id),
    figures: rec.figures,
    ratios: rec.ratios,
    checks: rec.checks,
    notes: rec.notes,
    weight,
  };
  const written =
    options.merge && existsSync(RESULTS_FILE)
      ? mergeResults(JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as BenchResults, results)
      : results;
  writeFileSync(RESULTS_FILE, `${JSON.stringify(written, null, 2)}\n`);
  console.log(
    `Webex Line bench, ${results.startedAt} (${(results.durationMs / 1000).toFixed(0)} s; ${info.cpus} cores, load ${info.loadAverageAtStart} at start; ${info.chromium ?? 'Chromium'}; ${options.runs} runs per cheap measure)`,
  );
  console.log(formatReport(results));
  console.log(`\nWritten to ${RESULTS_FILE}`);
  const failed = results.checks.filter((c) => !c.ok).length;
  return failed === 0 ? 0 : 1;
}

type Step = (id: number, work: () => Promise<unknown>) => Promise<void>;

async function browserMeasures(
  rec: Recorder,
  emulator: Emulator,
  options: Options,
  tmp: string,
  step: Step,
  log: (text: string) => void,
) {
  let session: BrowserSession | undefined;
  try {
    log('building the development extension');
    await mustSucceed(
      'development build',
      runChild('npx', ['wxt', 'build', '--mode', 'development'], { timeoutMs: 180_000 }),
    );
    const profile = join(tmp, 'profile');
    mkdirSync(profile);
    session = await openBrowser(prepareExtensionCopy(join(tmp, 'extension')), profile);
    await useEmulator(session.driver, emulator, { keepRegistered: false });
    const signedIn = await send(session.driver, 'auth/signIn');
    if (signedIn.auth !== 'signedIn')
      throw new Error(`the extension's sign-in ended ${signedIn.auth}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    for (const id of BROWSER_MEASURES.filter((m) => options.only.has(m))) {
      await step(id, () => Promise.reject(new Error(`browser setup failed: ${message}`)));
    }
    await session?.close();
    return;
  }
  const s = session;
  const runs = options.runs;
  try {
    await step(1, () => measureRegisterLatency(rec, emulator, s, { runs }));
    await step(3, () => measurePopupOpen(rec, s, { runs }));
    await step(4, () => measureKeepalive(rec, emulator, s, { keepalives: 30, stopEvery: 5 }));
    let tabs: Awaited<ReturnType<typeof openDemoTabs>> = [];
    await step(5, async () => {
      tabs = await measureIdleCost(rec, emulator, s, { windowMs: 10_000, tabs: 20 });
    });
    await step(6, async () => {
      if (tabs.length === 0)
        tabs = await openDemoTabs(s, emulator, 20, (await send(s.driver, 'status/get')).display);
      emulator.setConfig({ keepaliveIntervalSec: 30 });
      await measureFanOut(rec, s, tabs, { runs });
    });
    await step(8, () => measureCallRing(rec, emulator, s, { runs }));
    await step(9, () => measureOffscreenCost(rec, emulator, s, { windowMs: 90_000, samples: 6 }));
    await step(11, () => measureCallPlaced(rec, emulator, s, { runs }));
    await send(s.driver, 'line/deregister');
    await send(s.driver, 'auth/signOut');
  } finally {
    await s.close();
  }
}

let exitCode = 1;
main(parseOptions(process.argv.slice(2)))
  .then((code) => {
    exitCode = code;
  })
  .catch((error: unknown) => {
    console.error('bench crashed:', error);
  })
  .finally(() => {
    process.exitCode = exitCode;
    // Everything is closed by now, so the process ends on its own. If something still holds
    // it open, say what and end anyway: a benchmark that never exits is what this replaced.
    setTimeout(() => {
      console.error(
        '[bench] still running 5 s after the end; open handles:',
        process.getActiveResourcesInfo(),
      );
      process.exit(exitCode);
    }, 5_000).unref();
  });
