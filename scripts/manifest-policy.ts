/**
 * What the built extension may ask for, each with its reason (the README lists them), and the
 * checks the build runs (wxt.config.ts hooks) so a new permission, an `unsafe-eval` or remote
 * code fails the build instead of slipping into a release.
 */

/** Manifest fields the checks read (a WXT/Chrome manifest has more; they are left alone). */
export interface ManifestLike {
  permissions?: string[];
  optional_permissions?: string[];
  host_permissions?: string[];
  optional_host_permissions?: string[];
  content_security_policy?: unknown;
  externally_connectable?: unknown;
  web_accessible_resources?: unknown;
  background?: { service_worker?: string; scripts?: string[] };
  content_scripts?: Array<{ js?: string[]; css?: string[]; matches?: string[] }>;
  sandbox?: unknown;
  [key: string]: unknown;
}

interface Allowed {
  reason: string;
  /** Only development builds may have it. */
  devOnly?: boolean;
}

export const PERMISSIONS: Readonly<Record<string, Allowed>> = {
  identity: { reason: 'sign in with Webex (OAuth through chrome.identity.launchWebAuthFlow)' },
  alarms: {
    reason: 'keepalive, token refresh, retry and failback timers that wake a stopped worker',
  },
  scripting: { reason: 'register the click-to-register content script on sites the user opted in' },
  notifications: { reason: 'optional notices: the line was lost, sign in again' },
  activeTab: { reason: 'the popup offers click-to-register for the page the user is on' },
  offscreen: {
    reason:
      'the calls document: Mercury (incoming calls), the microphone from Answer to hang-up, WebRTC audio and the ringtone',
  },
  idle: { reason: 'the user coming back from sleep or a lock confirms the line at once' },
  storage: {
    reason: "chrome.storage.managed: an organisation's policy (no install warning; no data in it)",
  },
};

export const HOST_PERMISSIONS: Readonly<Record<string, Allowed>> = {
  'https://webexapis.com/*': { reason: 'OAuth authorize and token endpoints, people/me' },
  'https://*.wbx2.com/*': { reason: 'U2C service catalog and the WDM device' },
  'https://ds.ciscospark.com/*': { reason: 'the region service (Mobius discovery)' },
  'https://*.webex.com/*': { reason: 'Mobius servers (registration, keepalive, deregistration)' },
  'http://127.0.0.1/*': { reason: 'the local Webex Calling emulator', devOnly: true },
  'http://localhost/*': { reason: 'the local Webex Calling emulator', devOnly: true },
};

export const OPTIONAL_HOST_PERMISSIONS: Readonly<Record<string, Allowed>> = {
  'https://*/*': {
    reason:
      'asked at run time, one origin at a time: a site the user opts in, a custom environment',
  },
  'http://*/*': {
    reason:
      'asked at run time: a site or custom environment on this computer (http is refused elsewhere)',
  },
};

/**
 * Pages a manifest content script may be injected into without the user opting the site in:
 * none. Click-to-register is registered at run time, per site the user chose.
 */
export const CONTENT_SCRIPT_MATCHES: Readonly<Record<string, Allowed>> = {};

const REMOTE = /^(https?:)?\/\//i;
/** script-src sources that keep every script inside the extension package. */
const LOCAL_SCRIPT_SOURCES = new Set(["'self'", "'none'", "'wasm-unsafe-eval'"]);

function listProblems(
  kind: string,
  values: readonly string[] | undefined,
  allowed: Readonly<Record<string, Allowed>>,
  production: boolean,
): string[] {
  const problems: string[] = [];
  for (const value of values ?? []) {
    const entry = allowed[value];
    if (!entry)
      problems.push(`${kind} "${value}" is not in the allowlist (scripts/manifest-policy.ts)`);
    else if (entry.devOnly && production) {
      problems.push(`${kind} "${value}" is for development builds only`);
    }
  }
  return problems;
}

function cspStrings(csp: unknown): string[] {
  if (typeof csp === 'string') return [csp];
  if (csp && typeof csp === 'object') {
    return Object.values(csp).filter((v): v is string => typeof v === 'string');
  }
  return [];
}

/** Problems with a generated manifest; empty when it may ship. */
export function checkManifest(manifest: ManifestLike, options: { production: boolean }): string[] {
  const { production } = options;
  const problems = [
    ...listProblems('permission', manifest.permissions, PERMISSIONS, production),
    ...listProblems('optional permission', manifest.optional_permissions, PERMISSIONS, production),
    ...listProblems('host permission', manifest.host_permissions, HOST_PERMISSIONS, production),
    ...listProblems(
      'optional host permission',
      manifest.optional_host_permissions,
      OPTIONAL_HOST_PERMISSIONS,
      production,
    ),
  ];
  for (const policy of cspStrings(manifest.content_security_policy)) {
    if (/'unsafe-eval'/i.test(policy))
      problems.push(`content_security_policy allows 'unsafe-eval'`);
    // Every script directive, however many (script-src, script-src-elem, script-src-attr).
    const scriptSources = [
      ...policy.matchAll(/(?:^|;)\s*script-src(?:-elem|-attr)?([^;]*)/gi),
    ].flatMap((directive) => (directive[1] ?? '').trim().split(/\s+/));
    const elsewhere = scriptSources.filter(
      (source) => source !== '' && source !== "'unsafe-eval'" && !LOCAL_SCRIPT_SOURCES.has(source),
    );
    if (elsewhere.length > 0) {
      problems.push('content_security_policy lets scripts load from elsewhere than the extension');
    }
  }
  for (const script of manifest.content_scripts ?? []) {
    problems.push(
      ...listProblems('content script match', script.matches, CONTENT_SCRIPT_MATCHES, production),
    );
  }
  if (manifest.externally_connectable !== undefined) {
    problems.push('externally_connectable lets web pages message the extension');
  }
  if (manifest.web_accessible_resources !== undefined) {
    problems.push('web_accessible_resources exposes extension files to web pages');
  }
  const scripts = [
    manifest.background?.service_worker,
    ...(manifest.background?.scripts ?? []),
    ...(manifest.content_scripts ?? []).flatMap((c) => [...(c.js ?? []), ...(c.css ?? [])]),
  ].filter((s): s is string => typeof s === 'string');
  for (const script of scripts) {
    if (REMOTE.test(script)) problems.push(`remote code: "${script}" is loaded from the network`);
  }
  return problems;
}

/** Code patterns that mean eval or remote code in a built file. */
const CODE_RULES: ReadonlyArray<[RegExp, string]> = [
  [/\beval\s*\(/, 'calls eval()'],
  [/\bnew\s+Function\s*\(/, 'builds code with new Function()'],
  // `Function('…')` builds code just as `new Function` does; `x.Function(` and `isFunction(` do not.
  [/(?<!\bnew\s+)(?<![.\w$])Function\s*\)?\s*\(/, 'builds code with Function()'],
  [/\bimport\s*\(\s*["'`](https?:)?\/\//, 'imports a module from the network'],
  [/\bimportScripts\s*\(\s*["'`](https?:)?\/\//, 'imports a script from the network'],
  [/<script[^>]*\ssrc\s*=\s*["']?(https?:)?\/\//i, 'loads a <script> from the network'],
];

/** Problems in one built file (JS or HTML); empty when it is clean. */
export function checkBuiltCode(fileName: string, text: string): string[] {
  return CODE_RULES.filter(([pattern]) => pattern.test(text)).map(
    ([, what]) => `${fileName} ${what}`,
  );
}

/** Throws one error listing every problem (what the build hooks call). */
export function failOn(problems: readonly string[], what: string): void {
  if (problems.length === 0) return;
  throw new Error(`${what} breaks the extension's security policy:\n- ${problems.join('\n- ')}`);
}
