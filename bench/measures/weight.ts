/**
 * Measure 7, weight: minified and gzipped bytes of each entry of the production build (service
 * worker, popup, options, content script) and of an app bundle of @webex/calling made with Vite,
 * and what the service worker and content script are made of (from hidden source maps).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLICK_TO_REGISTER_SCRIPT } from '../../lib/platform/click-to-register-script';
import type { GoalSpec, Recorder, WeightEntry, WeightFile, WeightReport } from '../core/results';
import { judge } from '../core/results';
import { bytesPerSource, contributors, moduleGroup, UNMAPPED } from '../core/sourcemap';
import { mustSucceed, REPO_ROOT, runTsx } from '../support/child';
import { EXTERNALIZED_FILE } from '../weight/outputs';

const BUILD_ENTRY = join(REPO_ROOT, 'bench/weight/build.ts');
const KIB = 1024;

/** The issue's goals, on minified JavaScript. */
const GOALS: Record<string, GoalSpec> = {
  'service worker': { atMost: 64 },
  'content script': { atMost: 12 },
};

/**
 * What to do about a large third-party contributor, where there is something concrete to say.
 * Keyed by entry (or '*'), then by module group (npm package).
 */
const ADVICE: Record<string, Record<string, string>> = {
  '*': {
    'webextension-polyfill':
      'Call chrome.* directly: Chrome 120+ (the manifest minimum) already returns promises from the MV3 APIs, and the polyfill is copied whole into every entry',
  },
  'content script': {
    wxt: "A WXT content script (defineContentScript) brings WXT's ContentScriptContext and, through it, webextension-polyfill; the click-to-register script is an unlisted script (defineUnlistedScript, wrapped in nothing) whose page messaging client takes chrome.runtime and tells an orphaned script by chrome.runtime.id",
  },
};

const isProjectFile = (name: string) => !name.startsWith('node_modules/') && name !== UNMAPPED;

function gzip(bytes: Buffer): number {
  return gzipSync(bytes, { level: 9 }).length;
}

function fileWeight(root: string, file: string): WeightFile {
  const content = readFileSync(join(root, file));
  return { file, bytes: content.length, gzip: gzip(content) };
}

/** Files an HTML page loads (script src, modulepreload and stylesheet hrefs), root-relative. */
function pageFiles(root: string, page: string): string[] {
  const html = readFileSync(join(root, page), 'utf8');
  const refs = [...html.matchAll(/\b(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map(
    (m) => m[1] as string,
  );
  return [page, ...refs];
}

/** A JS file and every local module it imports statically, transitively. */
function withImports(root: string, files: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.endsWith('.js')) return;
    const code = readFileSync(join(root, file), 'utf8');
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*"(\.{1,2}\/[^"]+\.js)"/g)) {
      visit(relative(root, resolve(dirname(join(root, file)), match[1] as string)));
    }
  };
  files.forEach(visit);
  return [...seen];
}

/** Bytes per source file across the entry's JS, sources named relative to the repository. */
function composition(root: string, jsFiles: readonly string[]) {
  const perSource: Record<string, number> = {};
  for (const file of jsFiles) {
    const path = join(root, file);
    if (!existsSync(`${path}.map`)) continue;
    const map = JSON.parse(readFileSync(`${path}.map`, 'utf8'));
    for (const [source, bytes] of Object.entries(bytesPerSource(readFileSync(path, 'utf8'), map))) {
      const name =
        source === UNMAPPED ? UNMAPPED : relative(REPO_ROOT, resolve(dirname(path), source));
      perSource[name] = (perSource[name] ?? 0) + bytes;
    }
  }
  return {
    groups: contributors(perSource, moduleGroup),
    files: contributors(perSource).slice(0, 15),
  };
}

function entry(
  name: string,
  root: string,
  files: readonly string[],
  withComposition: boolean,
): WeightEntry {
  const weights = files.map((file) => fileWeight(root, file));
  const js = weights.filter((w) => w.file.endsWith('.js'));
  const sum = (list: WeightFile[], key: 'bytes' | 'gzip') => list.reduce((a, w) => a + w[key], 0);
  const result: WeightEntry = {
    name,
    files: weights,
    jsBytes: sum(js, 'bytes'),
    jsGzip: sum(js, 'gzip'),
    bytes: sum(weights, 'bytes'),
    gzip: sum(weights, 'gzip'),
  };
  const goal = GOALS[name];
  if (goal)
    result.goal = {
      ...judge(goal, result.jsBytes / KIB, 'KiB'),
      text: `JS minified <= ${goal.atMost} KiB`,
    };
  if (withComposition)
    result.composition = composition(
      root,
      js.map((w) => w.file),
    );
  return result;
}

const kib = (bytes: number) => `${(bytes / KIB).toFixed(1)} KiB`;

function adviceFor(entryName: string, group: string): string | undefined {
  return ADVICE[entryName]?.[group] ?? ADVICE['*']?.[group];
}

/**
 * For each entry with a goal: the advised package removals, largest first, then (if still over)
 * the project's own largest files, which is where the rest has to come from.
 */
export function suggestions(entries: readonly WeightEntry[]): string[] {
  const ranked: { bytes: number; text: string }[] = [];
  for (const e of entries) {
    const goal = e.goal?.atMost;
    // Nothing to advise where there is no goal, or the goal is met.
    if (goal === undefined || !e.composition || e.jsBytes <= goal * KIB) continue;
    let remaining = e.jsBytes;
    for (const group of e.composition.groups) {
      const advice = adviceFor(e.name, group.name);
      if (!advice) continue;
      remaining -= group.bytes;
      ranked.push({
        bytes: group.bytes,
        text: `${e.name}: ${group.name} is ${kib(group.bytes)} of ${kib(e.jsBytes)} (${Math.round(group.share * 100)}%). ${advice}.`,
      });
    }
    const over = remaining - goal * KIB;
    const verdict =
      over <= 0 ? `meets the ${goal} KiB goal` : `is still ${kib(over)} over the ${goal} KiB goal`;
    const ownFiles = e.composition.files.filter((f) => isProjectFile(f.name)).slice(0, 5);
    ranked.push({
      bytes: Math.max(over, 0),
      text: `${e.name}: with those removed it is about ${kib(remaining)} and ${verdict}${
        over > 0
          ? `; the rest must come from the project's own code, largest: ${ownFiles.map((f) => `${f.name} ${kib(f.bytes)}`).join(', ')}`
          : ''
      }.`,
    });
  }
  return ranked.sort((a, b) => b.bytes - a.bytes).map((r) => r.text);
}

export async function measureWeight(rec: Recorder, tmp: string): Promise<WeightReport> {
  const extensionOut = join(tmp, 'weight-extension');
  const sdkOut = join(tmp, 'weight-calling-sdk');
  // The two builds do not share files: run them side by side (nothing is timed meanwhile).
  await Promise.all([
    mustSucceed(
      'production build',
      runTsx(BUILD_ENTRY, ['extension', extensionOut], { timeoutMs: 180_000 }),
    ),
    mustSucceed(
      '@webex/calling app bundle',
      runTsx(BUILD_ENTRY, ['calling-sdk', sdkOut], { timeoutMs: 300_000 }),
    ),
  ]);
  const root = join(extensionOut, 'chrome-mv3');
  const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
  // The script the background registers, and any WXT content script (none today).
  const wxtContentScripts = existsSync(join(root, 'content-scripts'))
    ? readdirSync(join(root, 'content-scripts'))
        .filter((f) => f.endsWith('.js'))
        .map((f) => `content-scripts/${f}`)
    : [];
  const contentScripts = [CLICK_TO_REGISTER_SCRIPT.file, ...wxtContentScripts];
  const entries = [
    entry('service worker', root, withImports(root, [manifest.background.service_worker]), true),
    entry('popup', root, withImports(root, pageFiles(root, manifest.action.default_popup)), true),
    entry('options', root, withImports(root, pageFiles(root, manifest.options_ui.page)), true),
    entry('content script', root, withImports(root, contentScripts), true),
    entry('offscreen document', root, withImports(root, pageFiles(root, 'offscreen.html')), true),
    entry('@webex/calling app (Vite)', sdkOut, ['app.js'], true),
  ];
  const stubbed = JSON.parse(readFileSync(join(sdkOut, EXTERNALIZED_FILE), 'utf8')) as string[];
  rec.note(
    7,
    `gzip level 9 per file; KiB = 1024 bytes. The @webex/calling app is createClient + LINE_EVENTS (bench/weight/webex-calling-app.ts) bundled by Vite 7 for chrome120, without the webex-core SDK object an app also needs, so a lower bound. Node built-ins ${stubbed.join(', ')} were left to Vite's empty browser stub (no polyfills added); buffer, events and process resolve to their npm packages.`,
  );
  const calling = entries.at(-1) as WeightEntry;
  const worker = entries[0] as WeightEntry;
  rec.note(
    7,
    `@webex/calling app / service worker: ${(calling.jsBytes / worker.jsBytes).toFixed(1)}x minified, ${(calling.jsGzip / worker.jsGzip).toFixed(1)}x gzipped.`,
  );
  return { entries, suggestions: suggestions(entries) };
}
