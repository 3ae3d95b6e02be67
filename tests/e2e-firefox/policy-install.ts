/**
 * Enterprise policy for the Firefox suite without touching the machine's Firefox. Firefox reads
 * policy once, at start, from one file: on Linux `/etc/<app>/policies/policies.json`
 * (`/etc/firefox-esr/...` for Debian's firefox-esr) if it exists, else `distribution/policies.json`
 * in its installation folder (EnterprisePoliciesParent.sys.mjs, `_getLocalConfigurationFile`).
 * Both are global: every Firefox started while one holds a test policy would get it, and writing
 * either needs root. So a test builds a private installation instead: a copy of the Firefox
 * executable (it finds its libraries and omni.ja next to itself) beside links to everything else
 * of the real one, and a `distribution` folder of its own holding the test's policies.json. The
 * same Firefox, the same policy engine, nothing global written; removing the folder removes the
 * policy.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { findFirefox } from '../../scripts/firefox';

const PREFIX = 'webex-line-firefox-policy-';
/** A private installation left by a run that was killed is removed by a later run after this long. */
const STALE_MS = 60 * 60 * 1000;

/** The system-wide policies.json the installed Firefox reads before its own (if it exists). */
export function systemPolicyFile(): string {
  return `/etc/${basename(realpathSync(findFirefox()))}/policies/policies.json`;
}

export interface PolicyInstall {
  dir: string;
  executablePath: string;
  remove(): void;
}

/** A private installation of the machine's Firefox whose policies.json is `policies`. */
export function firefoxWithPolicies(policies: Record<string, unknown>): PolicyInstall {
  const binary = realpathSync(findFirefox());
  const source = dirname(binary);
  const dir = mkdtempSync(join(tmpdir(), PREFIX));
  try {
    for (const name of readdirSync(source)) {
      if (name === 'distribution' || name === basename(binary) || name === 'firefox-bin') continue;
      symlinkSync(join(source, name), join(dir, name));
    }
    const executablePath = join(dir, basename(binary));
    copyFileSync(binary, executablePath);
    const distribution = join(dir, 'distribution');
    mkdirSync(distribution);
    if (existsSync(join(source, 'distribution'))) {
      for (const name of readdirSync(join(source, 'distribution'))) {
        if (name !== 'policies.json')
          symlinkSync(join(source, 'distribution', name), join(distribution, name));
      }
    }
    writeFileSync(join(distribution, 'policies.json'), JSON.stringify({ policies }));
    return { dir, executablePath, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Private installations (and profiles) of earlier runs that were killed; returns what it removed. */
export function removeStaleInstalls(): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const path = join(tmpdir(), name);
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) {
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}

/** A profile folder for the policy test, removed by the test (or later, as stale). */
export function policyProfile(): string {
  return mkdtempSync(join(tmpdir(), `${PREFIX}profile-`));
}
