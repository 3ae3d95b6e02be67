import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import preact from '@preact/preset-vite';
import { defineConfig } from 'wxt';
import { FIREFOX_ADDON_ID } from './lib/dev-integration';
import { WEBEX_HOST_PATTERNS } from './lib/webex/trust';
import { checkBuiltCode, checkManifest, failOn } from './scripts/manifest-policy';

/**
 * Fixed development key: keeps the extension id (and so the OAuth redirect URL
 * https://lclgmdimnbpfealagmcigipoidjcdeol.chromiumapp.org/) stable wherever the
 * unpacked build is loaded from. Production builds get their id from the store.
 */
const DEV_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApRYbVnd6ay1NAtFDPjva5rJL7fM+7dtXfPXEAR06bl5omDRaX9RmrK0/JaTAJe61DJrwriW0O0v1QX7Lu+MEnJaXpCRmQK1O6+sDR21ADfHvkoiYzsK9jjSeg6mECwxeIN26jiswq93NT/eEYP+pOh0YZHMVDa0V1dMWNgh74YRAVRJNJ0CoXWddVSKrW0S47hh1uchqBWfmMw9bEpVERtxLmfYZI85RGv7j9Y9IFcBqg5fw0kgKm870r0cqvB4hIbrSX3oOA8OY8q6IiL4/rLwZ/2yLJUDz3817rKUWyOwn7FANz07DhCWKETI1sN/QbXwcWdh5MizPIX+VlvhLSwIDAQAB';

// Webex production hosts the service worker talks to (OAuth, people, U2C, region, WDM, Mobius):
// the same list the bearer token is confined to (lib/webex/trust.ts).
const WEBEX_HOSTS = [...WEBEX_HOST_PATTERNS];
// The local emulator (development builds only). Match patterns ignore the port.
const EMULATOR_HOSTS = ['http://127.0.0.1/*', 'http://localhost/*'];

/**
 * Firefox needs a fixed add-on id (the identity redirect URI and policies.json key on it).
 * 142: the first release (desktop and Android) with data_collection_permissions; the extension collects
 * no data (data_collection_permissions, required of new add-ons).
 */
const GECKO = {
  gecko: {
    id: FIREFOX_ADDON_ID,
    strict_min_version: '142.0',
    data_collection_permissions: { required: ['none'] },
  },
};

/** The call shortcuts (lib/app/shortcuts.ts), with the keys the browser suggests. */
const CALL_COMMANDS = {
  'answer-call': {
    suggested_key: { default: 'Alt+Shift+A' },
    description: '__MSG_commandAnswer__',
  },
  'hang-up-call': {
    suggested_key: { default: 'Alt+Shift+H' },
    description: '__MSG_commandHangUp__',
  },
};

export default defineConfig({
  modules: ['@wxt-dev/webextension-polyfill'],
  srcDir: '.',
  entrypointsDir: 'entrypoints',
  publicDir: 'public',
  outDir: '.output',
  // The security policy (scripts/manifest-policy.ts): a permission without a listed reason,
  // 'unsafe-eval', remote code or eval in the bundle fails the build.
  hooks: {
    'build:manifestGenerated': (wxt, manifest) => {
      failOn(
        checkManifest(manifest, { production: wxt.config.mode === 'production' }),
        'The manifest',
      );
    },
    'build:done': (wxt, output) => {
      const files = output.steps
        .flatMap((step) => step.chunks)
        .map((chunk) => chunk.fileName)
        .filter((name) => /\.(m?js|html)$/.test(name));
      failOn(
        files.flatMap((name) =>
          checkBuiltCode(name, readFileSync(join(wxt.config.outDir, name), 'utf8')),
        ),
        'The built code',
      );
    },
  },
  vite: (env) => ({
    plugins: [preact()],
    build: { target: env.browser === 'firefox' ? 'firefox128' : 'chrome120' },
  }),
  manifest: ({ mode, browser }) => {
    const dev = mode !== 'production';
    const firefox = browser === 'firefox';
    return {
      name: '__MSG_extName__',
      description: '__MSG_extDescription__',
      default_locale: 'en',
      ...(firefox ? { browser_specific_settings: GECKO } : { minimum_chrome_version: '120' }),
      ...(dev && !firefox ? { key: DEV_KEY } : {}),
      // activeTab: the popup may offer click-to-register for the page the user is on.
      // idle: the user coming back (after sleep or a lock) confirms the line at once.
      // storage: chrome.storage.managed, where an organisation's policy arrives.
      permissions: [
        'identity',
        'alarms',
        'scripting',
        'notifications',
        'activeTab',
        'idle',
        'storage',
        // Calls: the document that holds Mercury, the microphone and WebRTC (Chromium only).
        ...(firefox ? [] : ['offscreen']),
      ],
      // The policy an organisation may set (lib/policy reads it).
      storage: { managed_schema: 'managed_schema.json' },
      host_permissions: dev ? [...WEBEX_HOSTS, ...EMULATOR_HOSTS] : WEBEX_HOSTS,
      // Sites for click-to-register and custom environments are asked for at run time.
      optional_host_permissions: ['https://*/*', 'http://*/*'],
      action: { default_title: '__MSG_extName__' },
      commands: {
        'toggle-registration': {
          suggested_key: { default: 'Alt+Shift+L' },
          description: '__MSG_commandToggle__',
        },
        // Calls (lib/app/shortcuts.ts): answer the ringing call; hang up, or decline. Not where
        // this browser holds no calls (Firefox).
        ...(firefox ? {} : CALL_COMMANDS),
      },
    };
  },
});
