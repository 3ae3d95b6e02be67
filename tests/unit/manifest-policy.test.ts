import { describe, expect, it } from 'vitest';
import {
  checkBuiltCode,
  checkManifest,
  failOn,
  HOST_PERMISSIONS,
  type ManifestLike,
  PERMISSIONS,
} from '../../scripts/manifest-policy';

/** The manifest the production build generates today (wxt.config.ts), trimmed to what is checked. */
const SHIPPED: ManifestLike = {
  manifest_version: 3,
  permissions: ['identity', 'alarms', 'scripting', 'notifications', 'activeTab'],
  host_permissions: [
    'https://webexapis.com/*',
    'https://*.wbx2.com/*',
    'https://ds.ciscospark.com/*',
    'https://*.webex.com/*',
  ],
  optional_host_permissions: ['https://*/*', 'http://*/*'],
  background: { service_worker: 'background.js' },
};

const production = { production: true };

describe('manifest policy', () => {
  it('passes the manifest the build ships', () => {
    expect(checkManifest(SHIPPED, production)).toEqual([]);
  });

  it('every allowed permission has a reason', () => {
    for (const entry of [...Object.values(PERMISSIONS), ...Object.values(HOST_PERMISSIONS)]) {
      expect(entry.reason.length).toBeGreaterThan(10);
    }
  });

  it('refuses a permission, an optional permission or a host outside the allowlist', () => {
    expect(
      checkManifest(
        {
          ...SHIPPED,
          permissions: [...(SHIPPED.permissions ?? []), 'tabs'],
          optional_permissions: ['cookies'],
          host_permissions: ['<all_urls>'],
        },
        production,
      ),
    ).toEqual([
      'permission "tabs" is not in the allowlist (scripts/manifest-policy.ts)',
      'optional permission "cookies" is not in the allowlist (scripts/manifest-policy.ts)',
      'host permission "<all_urls>" is not in the allowlist (scripts/manifest-policy.ts)',
    ]);
  });

  it('the emulator hosts are for development builds only', () => {
    const dev = { ...SHIPPED, host_permissions: ['http://127.0.0.1/*'] };
    expect(checkManifest(dev, { production: false })).toEqual([]);
    expect(checkManifest(dev, production)).toEqual([
      'host permission "http://127.0.0.1/*" is for development builds only',
    ]);
  });

  it.each([
    [{ extension_pages: "script-src 'self' 'unsafe-eval'; object-src 'self'" }, "'unsafe-eval'"],
    ["script-src 'self' 'unsafe-eval'", "'unsafe-eval'"],
    [{ extension_pages: "script-src 'self' https://cdn.example.com" }, 'elsewhere'],
    [{ sandbox: "script-src 'self' *" }, 'elsewhere'],
  ])('refuses the content security policy %j', (csp, words) => {
    const problems = checkManifest({ ...SHIPPED, content_security_policy: csp }, production);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(words);
  });

  it("accepts a CSP that keeps scripts in the package ('self', 'wasm-unsafe-eval')", () => {
    const csp = { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" };
    expect(checkManifest({ ...SHIPPED, content_security_policy: csp }, production)).toEqual([]);
  });

  it('reads every script directive, not only the first', () => {
    const csp = {
      extension_pages: "script-src 'self'; object-src 'self'; script-src-elem https://cdn.example",
    };
    expect(checkManifest({ ...SHIPPED, content_security_policy: csp }, production)).toEqual([
      'content_security_policy lets scripts load from elsewhere than the extension',
    ]);
  });

  it('refuses a manifest content script that injects into pages the user did not opt in', () => {
    expect(
      checkManifest(
        { ...SHIPPED, content_scripts: [{ js: ['content.js'], matches: ['<all_urls>'] }] },
        production,
      ),
    ).toEqual([
      'content script match "<all_urls>" is not in the allowlist (scripts/manifest-policy.ts)',
    ]);
  });

  it('refuses remote code and doors for web pages', () => {
    expect(
      checkManifest(
        {
          ...SHIPPED,
          background: { service_worker: 'https://evil.example/sw.js' },
          content_scripts: [{ js: ['//cdn.example/x.js'] }],
          externally_connectable: { matches: ['https://*.example.com/*'] },
          web_accessible_resources: [{ resources: ['*'], matches: ['<all_urls>'] }],
        },
        production,
      ),
    ).toEqual([
      'externally_connectable lets web pages message the extension',
      'web_accessible_resources exposes extension files to web pages',
      'remote code: "https://evil.example/sw.js" is loaded from the network',
      'remote code: "//cdn.example/x.js" is loaded from the network',
    ]);
  });
});

describe('built code', () => {
  it.each([
    ['const x = eval("1+1")', 'calls eval()'],
    ['const f = new Function("return 1")', 'new Function()'],
    ['const f = Function("return this")()', 'with Function()'],
    ['x=(0,Function)("return 1")', 'with Function()'],
    ['await import("https://cdn.example/mod.js")', 'imports a module'],
    ['importScripts("https://cdn.example/w.js")', 'imports a script'],
    ['<script src="https://cdn.example/x.js"></script>', '<script>'],
  ])('finds %s', (code, words) => {
    const problems = checkBuiltCode('chunk.js', code);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(words);
  });

  it('leaves ordinary code alone (a property named eval, local imports)', () => {
    const code = [
      'devtools:{inspectedWindow:{eval:{minArgs:1,maxArgs:2}}}',
      'import("./chunks/popup.js")',
      '<script type="module" src="/chunks/popup.js"></script>',
      'const url = "https://webexapis.com/v1/authorize"',
      'isFunction(x) || obj.Function(1) || typeof y === "function"',
    ].join('\n');
    expect(checkBuiltCode('background.js', code)).toEqual([]);
  });

  it('failOn throws one error listing every problem, and nothing when clean', () => {
    expect(() => failOn([], 'The manifest')).not.toThrow();
    expect(() => failOn(['a', 'b'], 'The manifest')).toThrow(
      "The manifest breaks the extension's security policy:\n- a\n- b",
    );
  });
});
