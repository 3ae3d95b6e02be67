import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { desktopLaunch, findChromium, isLanguageTag } from '../../../scripts/chromium';
import { preferencesPath, prepareProfile, startPreferences } from '../../../scripts/profile';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'webex-line-start-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function builtExtension(): string {
  const extensionDir = join(dir, 'ext');
  mkdirSync(extensionDir, { recursive: true });
  writeFileSync(join(extensionDir, 'manifest.json'), '{}');
  return extensionDir;
}

describe('npm start: Chromium flags', () => {
  it('a desktop user (not root) gets a sandboxed browser: no --no-sandbox, Playwright told to keep it', () => {
    const extensionDir = builtExtension();
    const launch = desktopLaunch({ extensionDir, uid: 1000 });
    expect(launch.chromiumSandbox).toBe(true);
    expect(launch.args).not.toContain('--no-sandbox');
    expect(launch.args).toEqual([
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-first-run',
      '--no-default-browser-check',
    ]);
  });

  it('root gets --no-sandbox (Chromium will not start sandboxed as root)', () => {
    const launch = desktopLaunch({ extensionDir: builtExtension(), uid: 0 });
    expect(launch.chromiumSandbox).toBe(false);
    expect(launch.args).toContain('--no-sandbox');
  });

  it('Windows (no uid) counts as not root', () => {
    expect(desktopLaunch({ extensionDir: builtExtension(), uid: undefined }).chromiumSandbox).toBe(
      true,
    );
  });

  it('passes a chosen UI language as --lang, and checks it looks like one', () => {
    expect(desktopLaunch({ extensionDir: builtExtension(), uid: 1000, lang: 'de' }).args).toContain(
      '--lang=de',
    );
    expect(isLanguageTag('pt-BR')).toBe(true);
    expect(isLanguageTag('ja')).toBe(true);
    expect(isLanguageTag('--no-sandbox')).toBe(false);
    expect(isLanguageTag('de --no-sandbox')).toBe(false);
  });

  it('refuses to launch without a built extension, saying how to build it', () => {
    expect(() => desktopLaunch({ extensionDir: join(dir, 'missing'), uid: 1000 })).toThrow(
      /npm run build:dev/,
    );
  });

  it('finds Chromium from CHROMIUM_PATH, else the first known path, else says how to install one', () => {
    const present = new Set(['/usr/bin/chromium', '/opt/chrome']);
    const exists = (path: string) => present.has(path);
    expect(findChromium({ CHROMIUM_PATH: '/opt/chrome' }, exists)).toBe('/opt/chrome');
    expect(() => findChromium({ CHROMIUM_PATH: '/nope' }, exists)).toThrow(/does not exist/);
    expect(findChromium({}, exists)).toBe('/usr/bin/chromium');
    expect(() => findChromium({}, () => false)).toThrow(/apt-get install -y chromium/);
  });
});

describe('npm start: the profile pins the extension', () => {
  const ID = 'lclgmdimnbpfealagmcigipoidjcdeol';
  const CLEAN = { exit_type: 'Normal' };

  it('adds the id to extensions.pinned_extensions, marks the last exit clean, keeps the rest', () => {
    const before = {
      browser: { has_seen_welcome_page: true },
      extensions: { pinned_extensions: ['other'], ui: { developer_mode: true } },
      profile: { exit_type: 'Crashed', name: 'Person 1' },
    };
    expect(startPreferences(before, ID)).toEqual({
      browser: { has_seen_welcome_page: true },
      extensions: { pinned_extensions: ['other', ID], ui: { developer_mode: true } },
      profile: { exit_type: 'Normal', name: 'Person 1' },
    });
    expect(startPreferences(startPreferences(before, ID), ID)).toEqual(
      startPreferences(before, ID),
    );
  });

  it('starts from nothing when the preferences are missing or not an object', () => {
    for (const junk of [undefined, null, 'text', [1], { extensions: { pinned_extensions: 'x' } }]) {
      expect(startPreferences(junk, ID)).toMatchObject({
        extensions: { pinned_extensions: [ID] },
      });
    }
  });

  it('writes Default/Preferences of a new profile and updates an existing one', () => {
    const profile = join(dir, 'profile');
    prepareProfile(profile, ID);
    expect(JSON.parse(readFileSync(preferencesPath(profile), 'utf8'))).toEqual({
      extensions: { pinned_extensions: [ID] },
      profile: CLEAN,
    });
    writeFileSync(preferencesPath(profile), JSON.stringify({ intl: { accept_languages: 'de' } }));
    prepareProfile(profile, ID);
    expect(JSON.parse(readFileSync(preferencesPath(profile), 'utf8'))).toEqual({
      intl: { accept_languages: 'de' },
      extensions: { pinned_extensions: [ID] },
      profile: CLEAN,
    });
    writeFileSync(preferencesPath(profile), '{"half written');
    prepareProfile(profile, ID);
    expect(JSON.parse(readFileSync(preferencesPath(profile), 'utf8'))).toEqual({
      extensions: { pinned_extensions: [ID] },
      profile: CLEAN,
    });
  });
});
