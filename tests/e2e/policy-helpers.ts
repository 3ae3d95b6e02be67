/**
 * Managed policy in real Chromium. Chromium on Linux reads JSON policy files from a folder that
 * is global to the machine, and other engineers run Chromium with the same development
 * extension at the same time. So a test never writes policy for the development id: it loads a
 * copy of the built extension under a fresh key (a new id each run, so two runs of the same
 * test do not meet either) and writes policy for that id only, in a file of its own that is
 * always removed.
 *
 * Measured here (Chromium 156): the first chrome.storage.managed.get() after a browser start
 * takes about 3 s (with or without a policy); later ones, and those after a worker restart, are
 * immediate. A changed file reaches a running extension through storage.onChanged (area
 * "managed") about 5 s after it is written (Chromium waits for the file to settle).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Worker } from '@playwright/test';
import { EXTENSION_DIR, extensionArgs, findChromium } from './chromium';

/** Debian's Chromium (and Chromium built from source on Linux). Google Chrome: /etc/opt/chrome. */
export const POLICY_DIR = process.env.CHROMIUM_POLICY_DIR ?? '/etc/chromium/policies/managed';
const FILE_PREFIX = 'webex-line-e2e-';
/** A file left by a run that was killed is removed by a later run after this long. */
const STALE_MS = 60 * 60 * 1000;

/** The id Chrome derives from a key: SHA-256 of the public key, first 16 bytes, hex digits as a-p. */
export function extensionIdFromKey(spkiDerBase64: string): string {
  const digest = createHash('sha256').update(Buffer.from(spkiDerBase64, 'base64')).digest();
  return [...digest.subarray(0, 16).toString('hex')]
    .map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16)))
    .join('');
}

export interface IsolatedExtension {
  id: string;
  dir: string;
  origin: string;
  redirectUrl: string;
  remove(): void;
}

/** A copy of the built development extension under a freshly generated key (its own id). */
export function isolatedExtension(sourceDir = EXTENSION_DIR): IsolatedExtension {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const id = extensionIdFromKey(key);
  const dir = mkdtempSync(join(tmpdir(), 'webex-line-ext-'));
  cpSync(sourceDir, dir, { recursive: true });
  const manifestPath = join(dir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  if (!manifest.storage) {
    throw new Error(`${sourceDir} has no storage.managed_schema: rebuild (npm run build:dev).`);
  }
  writeFileSync(manifestPath, JSON.stringify({ ...manifest, key }));
  return {
    id,
    dir,
    origin: `chrome-extension://${id}`,
    redirectUrl: `https://${id}.chromiumapp.org/`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface PolicyFile {
  path: string;
  /** Replace the policy (Chromium notices within seconds). */
  write(policy: Record<string, unknown>): void;
  remove(): void;
}

function cannotWrite(dir: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  return new Error(
    `Cannot write Chromium's managed policy folder ${dir} (${code}). Policy tests need ` +
      'root, or write access to that folder (CHROMIUM_POLICY_DIR names another one); they ' +
      'cannot test managed policy without it.',
  );
}

function removeStaleFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(FILE_PREFIX)) continue;
    const path = join(dir, name);
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
  }
}

/** A policy file for this extension id only (`3rdparty.extensions.<id>`). */
export function managedPolicyFile(extensionId: string, dir = POLICY_DIR): PolicyFile {
  const path = join(dir, `${FILE_PREFIX}${extensionId}.json`);
  const write = (policy: Record<string, unknown>) => {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path,
        JSON.stringify({ '3rdparty': { extensions: { [extensionId]: policy } } }),
      );
    } catch (error) {
      throw cannotWrite(dir, error);
    }
  };
  return { path, write, remove: () => rmSync(path, { force: true }) };
}

/** Run `fn` with `policy` in force for `extensionId`; the file is removed whatever happens. */
export async function withManagedPolicy<T>(
  extensionId: string,
  policy: Record<string, unknown>,
  fn: (file: PolicyFile) => Promise<T>,
): Promise<T> {
  const file = managedPolicyFile(extensionId);
  try {
    file.write(policy);
    removeStaleFiles(POLICY_DIR);
    return await fn(file);
  } finally {
    file.remove();
  }
}

/** Launch Chromium with an extension other than the default development build. */
export function launchExtension(
  extensionDir: string,
  userDataDir: string,
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: findChromium(),
    headless: process.env.HEADED !== '1',
    args: extensionArgs(extensionDir),
  });
}

export function readManagedStorage(worker: Worker): Promise<Record<string, unknown>> {
  return worker.evaluate(() => chrome.storage.managed.get());
}

/** Poll chrome.storage.managed until `predicate` holds; the last value is in the error. */
export async function waitForManagedStorage(
  worker: Worker,
  predicate: (managed: Record<string, unknown>) => boolean,
  timeoutMs = 30_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, unknown> = {};
  while (Date.now() < deadline) {
    last = await readManagedStorage(worker);
    if (predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`chrome.storage.managed never matched; last: ${JSON.stringify(last)}`);
}
