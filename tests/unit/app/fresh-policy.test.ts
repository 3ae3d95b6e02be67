/**
 * A sign-in or a settings answer reads the browser's managed policy first (with a deadline),
 * so a late start-up read never sends a sign-in to the default environment or shows the
 * options page the user's own settings unlocked (issue 21).
 */
import { describe, expect, it, vi } from 'vitest';
import { createDiagnostics } from '../../../lib/app/diagnostics';
import { pageStatusFor } from '../../../lib/app/page-status';
import { createPolicyState, POLICY_READ_DEADLINE_MS } from '../../../lib/app/policy-state';
import { createPolicySync } from '../../../lib/app/policy-sync';
import { routeMessage } from '../../../lib/app/router';
import type { RouterContext } from '../../../lib/app/router-context';
import { createSettingsStore } from '../../../lib/app/settings-store';
import { defaultSettings } from '../../../lib/build-defaults';
import type { StatusSnapshot } from '../../../lib/messaging/protocol';
import { memoryStore } from '../platform/memory-store';

const EXT = 'abcdefghijklmnopabcdefghijklmnop';
const ORIGIN = `chrome-extension://${EXT}`;
const extensionPage = { id: EXT, url: `${ORIGIN}/options.html` };
const ORG = { environment: 'custom', customBaseUrl: 'https://webex.corp.example.com' };

const signedOut = { auth: 'signedOut' } as StatusSnapshot;

/** The background's policy wiring over a browser whose managed read the test controls. */
function background(managed: unknown) {
  const store = memoryStore();
  const browser = { managed, hang: false, reads: 0 };
  const deadlines: Array<{ ms: number; fire: () => void }> = [];
  const policy = createPolicyState({
    store,
    read: async () => {
      browser.reads += 1;
      if (browser.hang) return new Promise<never>(() => {});
      return structuredClone(browser.managed);
    },
    wait: (ms) => new Promise<void>((fire) => deadlines.push({ ms, fire })),
  });
  const settings = createSettingsStore(store, defaultSettings(false), policy.current);
  const log: string[] = [];
  const sync = createPolicySync({
    policy,
    settings: () => settings.load(),
    applied: async () => {},
    log: (_kind, message) => {
      log.push(message);
    },
  });
  const environmentAtSignIn: string[] = [];
  const ctx: RouterContext = {
    extensionId: EXT,
    extensionOrigin: ORIGIN,
    pageStatus: (snap) => pageStatusFor(snap, { tokenError: 't', registrationError: 'r' }),
    redirectUrl: `https://${EXT}.chromiumapp.org/`,
    line: {
      snapshot: vi.fn(async () => signedOut),
      signInWithOutcome: vi.fn(async () => {
        environmentAtSignIn.push((await settings.load()).environment.kind);
        return { outcome: 'signedIn' as const, snapshot: signedOut };
      }),
      signOut: vi.fn(async () => signedOut),
      register: vi.fn(async () => signedOut),
      deregister: vi.fn(async () => signedOut),
      listDevices: vi.fn(async () => ({ ok: true as const, devices: [] })),
      removeDevice: vi.fn(async () => ({ ok: true as const, devices: [] })),
    },
    settings,
    diagnostics: createDiagnostics(store, { now: () => 5 }),
    enableSite: vi.fn(async () => {}),
    disableSite: vi.fn(async () => {}),
    settingsChanged: vi.fn(async () => {}),
    freshPolicy: () => sync.sync(),
  };
  return { browser, deadlines, ctx, log, environmentAtSignIn };
}

describe('the managed policy before a sign-in or a settings answer', () => {
  it('a sign-in before any start-up read goes to the environment the policy names', async () => {
    const { ctx, environmentAtSignIn, browser } = background(ORG);
    await routeMessage({ type: 'auth/signIn', payload: {} }, extensionPage, ctx);
    expect(browser.reads).toBe(1);
    expect(environmentAtSignIn).toEqual(['custom']);
  });

  it('the options page gets the policy locked, read at the moment it asks', async () => {
    const { ctx, browser } = background({});
    browser.managed = ORG;
    const answer = await routeMessage({ type: 'settings/get', payload: {} }, extensionPage, ctx);
    expect(answer).toMatchObject({
      ok: true,
      value: {
        settings: { environment: { kind: 'custom', baseUrl: 'https://webex.corp.example.com' } },
        policy: { managed: true },
      },
    });
  });

  it('a read that hangs answers with the last policy once its deadline passes', async () => {
    const { ctx, browser, deadlines, log } = background(ORG);
    await routeMessage({ type: 'settings/get', payload: {} }, extensionPage, ctx);
    browser.hang = true;
    let answered = false;
    const answer = routeMessage({ type: 'auth/signIn', payload: {} }, extensionPage, ctx).then(
      (value) => {
        answered = true;
        return value;
      },
    );
    await vi.waitFor(() => expect(deadlines).toHaveLength(2));
    expect(deadlines[1]?.ms).toBe(POLICY_READ_DEADLINE_MS);
    expect(answered).toBe(false);
    deadlines[1]?.fire();
    expect(await answer).toMatchObject({ ok: true });
    expect(log).toContain('The managed policy could not be read; the last one stays');
  });

  it('a status request does not wait for the policy', async () => {
    const { ctx, browser } = background(ORG);
    browser.hang = true;
    expect(
      await routeMessage({ type: 'status/get', payload: {} }, extensionPage, ctx),
    ).toMatchObject({ ok: true });
    expect(browser.reads).toBe(0);
  });
});
