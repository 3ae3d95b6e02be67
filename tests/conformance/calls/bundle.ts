/**
 * Bundles the page side (page-entry.ts: the unmodified @webex/calling and
 * @webex/internal-plugin-mercury plus the small host object) for a browser with the project's
 * esbuild. Node builtins the Webex packages import are answered by ./node-shims, as a web
 * bundler's polyfills would.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

const SHIMS: Readonly<Record<string, string>> = {
  util: here('./node-shims/util.ts'),
  url: here('./node-shims/url.ts'),
  querystring: here('./node-shims/querystring.ts'),
};
const EMPTY = here('./node-shims/empty.ts');
const EMPTY_MODULES = /^(node:)?(crypto|fs|os|stream|path|child_process|worker_threads|esbuild)$/;

const nodeBuiltins: Plugin = {
  name: 'node-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(util|url|querystring)$/ }, (args) => ({
      path: SHIMS[args.path.replace(/^node:/, '')] ?? EMPTY,
    }));
    b.onResolve({ filter: EMPTY_MODULES }, () => ({ path: EMPTY }));
  },
};

let bundled: Promise<string> | undefined;

/** The bundled script's text, built once per process. */
export function bundlePage(): Promise<string> {
  bundled ??= buildPage();
  return bundled;
}

async function buildPage(): Promise<string> {
  const outdir = await mkdtemp(join(tmpdir(), 'calls-sdk-'));
  const outfile = join(outdir, 'page.js');
  await build({
    entryPoints: [here('./page-entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    outfile,
    logLevel: 'error',
    plugins: [nodeBuiltins],
    define: {
      'process.env.NODE_ENV': '"production"',
      'process.env': '{}',
      global: 'globalThis',
    },
  });
  try {
    return await readFile(outfile, 'utf8');
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
