/**
 * One build for the weight measure, in its own process (a bundler's workers and caches end with
 * it): `tsx bench/weight/build.ts extension <outDir>` is the production extension with hidden
 * source maps (the JavaScript is byte for byte what `wxt build` ships); `tsx bench/weight/build.ts
 * calling-sdk <outDir>` is an app bundle of @webex/calling made with Vite, never shipped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXTERNALIZED_FILE } from './outputs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SDK_APP_ENTRY = fileURLToPath(new URL('./webex-calling-app.ts', import.meta.url));

async function buildExtension(outDir: string): Promise<void> {
  const { build } = await import('wxt');
  await build({
    root: ROOT,
    mode: 'production',
    outDir,
    vite: () => ({ build: { sourcemap: 'hidden' } }),
  });
}

/**
 * Vite's defaults for a browser app, minified like the extension (esbuild, chrome120). Node
 * built-ins the SDK's dependencies import (util, url, crypto, stream...) are left to Vite's own
 * handling: an empty `__vite-browser-external` stub, no polyfill. Which ones is recorded.
 */
async function buildCallingSdk(outDir: string): Promise<void> {
  const { build, createLogger } = await import('vite');
  const stubbed = new Set<string>();
  const logger = createLogger('warn');
  const warn = logger.warn.bind(logger);
  logger.warn = (message, options) => {
    const match = /Module "([^"]+)" has been externalized for browser compatibility/.exec(message);
    if (match?.[1]) stubbed.add(match[1]);
    else if (!/larger than 500 kB|Use of eval/.test(message)) warn(message, options);
  };
  await build({
    configFile: false,
    root: ROOT,
    publicDir: false,
    customLogger: logger,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'chrome120',
      minify: 'esbuild',
      sourcemap: 'hidden',
      reportCompressedSize: false,
      chunkSizeWarningLimit: 100_000,
      rollupOptions: {
        input: SDK_APP_ENTRY,
        output: { format: 'es', entryFileNames: 'app.js', inlineDynamicImports: true },
        preserveEntrySignatures: 'exports-only',
      },
    },
  });
  writeFileSync(join(outDir, EXTERNALIZED_FILE), JSON.stringify([...stubbed].sort()));
}

const [kind, outDir] = process.argv.slice(2);
if (!outDir) throw new Error('usage: build.ts <extension|calling-sdk> <outDir>');
if (kind === 'extension') await buildExtension(outDir);
else if (kind === 'calling-sdk') await buildCallingSdk(outDir);
else throw new Error(`unknown build ${kind}`);
// The bundlers may leave worker pools behind; this process has done its one job.
process.exit(0);
