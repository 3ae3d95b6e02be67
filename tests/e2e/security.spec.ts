/**
 * Security checks (issue 8): what a web page, a content script and another extension can get
 * out of the extension (nothing but the page status), the OAuth answer checks, and the shipped
 * manifest's policy.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from '@playwright/test';
import { DEV_REDIRECT_URL } from '../../lib/dev-integration';
import type { RequestType } from '../../lib/messaging/protocol';
import { checkManifest, type ManifestLike } from '../../scripts/manifest-policy';
import { signIn as mintCode } from '../emulator/test-support';
import { EXTENSION_DIR } from './chromium';
import { ALICE, expect, isRegistered, logged, registerLine, signIn, test } from './fault-fixtures';
import { launchWithExtension, send, serviceWorkerOf, useEmulator, waitForStatus } from './fixtures';

/** Every request type of lib/messaging/protocol.ts, with a plausible payload. */
const EVERY_REQUEST: Array<[RequestType, Record<string, unknown>]> = [
  ['status/get', {}],
  ['auth/signIn', {}],
  ['auth/signOut', {}],
  ['line/deregister', {}],
  ['settings/get', {}],
  ['settings/save', { settings: { clientId: 'evil', clientSecret: 'evil' } }],
  ['sites/list', {}],
  ['sites/add', { origin: 'https://evil.example' }],
  ['sites/remove', { origin: 'http://127.0.0.1' }],
  ['diagnostics/get', {}],
  ['diagnostics/clear', {}],
  ['dev/timing', { timing: { secondMs: 1 } }],
  ['calls/command', { command: { kind: 'hangup', key: 'k1' } }],
  ['pageCall/get', { requestId: 'r1' }],
  ['pageCall/confirm', { requestId: 'r1', accept: true }],
  ['page/call', { number: '+14085550123' }],
  ['line/register', {}],
];

const FORBIDDEN = {
  ok: false,
  error: { code: 'forbidden', message: 'Not allowed from a web page.' },
};

/** The content script's isolated world on `page`, through CDP. */
async function contentScriptWorld(page: Page, extensionId: string) {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const contexts: Array<{ id: number; origin: string; name: string; auxData?: { type?: string } }> =
    [];
  cdp.on('Runtime.executionContextCreated', (event) => {
    contexts.push(event.context as (typeof contexts)[number]);
  });
  await cdp.send('Runtime.enable');
  await expect
    .poll(() =>
      contexts.some(
        (c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${extensionId}`,
      ),
    )
    .toBe(true);
  const world = contexts.find(
    (c) => c.auxData?.type === 'isolated' && c.origin === `chrome-extension://${extensionId}`,
  );
  return {
    async evaluate<T>(expression: string): Promise<T> {
      const answer = (await cdp.send('Runtime.evaluate', {
        expression,
        contextId: world?.id,
        awaitPromise: true,
        returnByValue: true,
      })) as { result: { value: T }; exceptionDetails?: unknown };
      if (answer.exceptionDetails) throw new Error(JSON.stringify(answer.exceptionDetails));
      return answer.result.value;
    },
  };
}

/** An expression that sends `message` with chrome.runtime and reports exactly what came back. */
const sendExpression = (target: string, message: unknown) => `
  (async () => {
    try {
      const answer = await chrome.runtime.sendMessage(${target}${JSON.stringify(message)});
      return { answer: answer === undefined ? 'undefined' : answer };
    } catch (error) {
      return { thrown: String(error && error.message) };
    }
  })()`;

test('a content script (its isolated world) gets the page status and register only; every other message is refused', async ({
  extensionPage,
  extensionId,
  emulator,
}) => {
  emulator.setConfig({ keepaliveIntervalSec: 1 });
  await signIn(extensionPage, emulator);
  await send(extensionPage, 'sites/add', { origin: emulator.urls.base });
  const settingsBefore = await send(extensionPage, 'settings/get');
  const page = await extensionPage.context().newPage();
  await page.goto(emulator.urls.demo);
  await expect(page.locator('[data-webex-line="register"]')).toHaveAttribute(
    'data-webex-line-status',
    'inactive',
  );
  const world = await contentScriptWorld(page, extensionId);

  const answers: Record<string, unknown> = {};
  for (const [type, payload] of EVERY_REQUEST) {
    answers[type] = await world.evaluate(sendExpression('', { type, payload }));
  }
  const pageStatus = (status: string) => ({
    answer: { ok: true, value: { status, error: null, signedIn: true } },
  });
  expect(answers).toEqual({
    'status/get': pageStatus('inactive'),
    'auth/signIn': { answer: FORBIDDEN },
    'auth/signOut': { answer: FORBIDDEN },
    'line/deregister': { answer: FORBIDDEN },
    'settings/get': { answer: FORBIDDEN },
    'settings/save': { answer: FORBIDDEN },
    'sites/list': { answer: FORBIDDEN },
    'sites/add': { answer: FORBIDDEN },
    'sites/remove': { answer: FORBIDDEN },
    'diagnostics/get': { answer: FORBIDDEN },
    'diagnostics/clear': { answer: FORBIDDEN },
    'dev/timing': { answer: FORBIDDEN },
    'calls/command': { answer: FORBIDDEN },
    'pageCall/get': { answer: FORBIDDEN },
    'pageCall/confirm': { answer: FORBIDDEN },
    // A page may ask to place a call (confirmed in the extension's own window): not while the
    // line is not registered, and nothing is opened.
    'page/call': {
      answer: { ok: false, error: { code: 'notReady', message: expect.any(String) } },
    },
    // Asking to register is what the control does; the answer is the page status, nothing more.
    'line/register': pageStatus('connecting'),
  });
  // Not a request of ours: no answer at all (the listener answers nothing: null arrives).
  expect(await world.evaluate(sendExpression('', { type: 'tokens/get', payload: {} }))).toEqual({
    answer: null,
  });
  // The extension pages' status port (full snapshots) is not for content scripts.
  const statusPort = await world.evaluate<{ messages: number; disconnected: boolean }>(`
    new Promise((resolve) => {
      let messages = 0;
      const port = chrome.runtime.connect({ name: 'status' });
      port.onMessage.addListener(() => { messages += 1; });
      port.onDisconnect.addListener(() => resolve({ messages, disconnected: true }));
      setTimeout(() => resolve({ messages, disconnected: false }), 3000);
    })`);
  expect(statusPort).toEqual({ messages: 0, disconnected: true });

  await waitForStatus(extensionPage, isRegistered);
  expect(await send(extensionPage, 'settings/get')).toEqual(settingsBefore);
  expect((await send(extensionPage, 'status/get')).auth).toBe('signedIn');
  expect(emulator.deviations()).toEqual([]);
});

test('a web page has no chrome.runtime; postMessage and untrusted clicks do nothing', async ({
  extensionPage,
  emulator,
}) => {
  await signIn(extensionPage, emulator);
  await send(extensionPage, 'sites/add', { origin: emulator.urls.base });
  const page = await extensionPage.context().newPage();
  await page.goto(emulator.urls.demo);
  const control = page.locator('[data-webex-line="register"]');
  await expect(control).toHaveAttribute('data-webex-line-status', 'inactive');
  expect(
    await page.evaluate(() => ({
      runtime: typeof (globalThis as { chrome?: { runtime?: unknown } }).chrome?.runtime,
      sendMessage: typeof (globalThis as { chrome?: { runtime?: { sendMessage?: unknown } } })
        .chrome?.runtime?.sendMessage,
    })),
  ).toEqual({ runtime: 'undefined', sendMessage: 'undefined' });
  await page.evaluate(() => {
    const button = document.querySelector('[data-webex-line="register"]') as HTMLElement;
    button.click();
    button.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    for (const type of ['line/register', 'auth/signOut', 'settings/get']) {
      window.postMessage({ type, payload: {} }, '*');
    }
    document.dispatchEvent(new CustomEvent('webex-line:register'));
  });
  await page.waitForTimeout(1_000); // a negative check: give the extension time to act
  expect((await send(extensionPage, 'status/get')).state).toBe('idle');
  expect(logged(emulator, 'register')).toEqual([]);
  await expect(control).toHaveAttribute('data-webex-line-status', 'inactive');
  expect(emulator.deviations()).toEqual([]);
});

test('another extension gets no answer to any message and no port', async ({ emulator }) => {
  await emulator.reset();
  const other = mkdtempSync(join(tmpdir(), 'other-extension-'));
  const profile = mkdtempSync(join(tmpdir(), 'webex-line-two-extensions-'));
  writeFileSync(
    join(other, 'manifest.json'),
    JSON.stringify({
      manifest_version: 3,
      name: 'Curious neighbour',
      version: '1.0',
      background: { service_worker: 'worker.js' },
    }),
  );
  writeFileSync(join(other, 'worker.js'), '// messages are sent by the test\n');
  const context = await launchWithExtension(profile, [], [EXTENSION_DIR, other]);
  try {
    await serviceWorkerOf(context);
    await expect.poll(() => context.serviceWorkers().length).toBe(2);
    const ours = context.serviceWorkers().find((w) => w.url().endsWith('/background.js'));
    const theirs = context.serviceWorkers().find((w) => w.url().endsWith('/worker.js'));
    const ourId = new URL(ours?.url() ?? '').host;
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${ourId}/popup.html`);
    await useEmulator(popup, emulator);

    const answers = await theirs?.evaluate(
      async ([id, requests]) => {
        const out: Record<string, unknown> = {};
        for (const [type, payload] of requests) {
          out[type] = await chrome.runtime.sendMessage(id, { type, payload }).then(
            (answer: unknown) => ({ answer: answer === undefined ? 'undefined' : answer }),
            (error: Error) => ({ thrown: error.message }),
          );
        }
        out.port = await new Promise((resolve) => {
          const port = chrome.runtime.connect(id, { name: 'status' });
          let messages = 0;
          port.onMessage.addListener(() => {
            messages += 1;
          });
          port.onDisconnect.addListener(() => resolve({ messages, disconnected: true }));
          setTimeout(() => resolve({ messages, disconnected: false }), 3000);
        });
        return out;
      },
      [ourId, EVERY_REQUEST] as const,
    );
    const refused = { thrown: expect.stringMatching(/Receiving end does not exist|port closed/i) };
    expect(answers).toEqual({
      ...Object.fromEntries(EVERY_REQUEST.map(([type]) => [type, refused])),
      port: { messages: 0, disconnected: true },
    });
    // Nothing happened on our side.
    expect(await send(popup, 'status/get')).toMatchObject({ state: 'idle', auth: 'signedOut' });
    expect(emulator.requestLog()).toEqual([]);
    expect(emulator.deviations()).toEqual([]);
  } finally {
    await context.close();
    rmSync(other, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});

test.describe('sign-in answers the extension did not ask for are rejected and store nothing', () => {
  const expectNothingStored = async (
    page: Page,
    emulator: Parameters<typeof useEmulator>[1],
    deviations: string[] = [],
  ) => {
    expect(await send(page, 'status/get')).toMatchObject({ auth: 'signedOut', user: null });
    expect(logged(emulator, 'token').filter((e) => e.status === 200)).toEqual([]);
    // Nothing half-stored: a registration is refused for want of a sign-in.
    const registering = await send(page, 'line/register');
    expect(registering.state).not.toBe('connecting');
    expect(emulator.deviations().map((d) => d.reason)).toEqual(deviations);
  };
  const signInAnswer = (page: Page) =>
    page.evaluate(() =>
      chrome.runtime.sendMessage({ type: 'auth/signIn', payload: {} }),
    ) as Promise<{
      ok: boolean;
      error?: { code: string; message: string };
    }>;
  /** Starts a sign-in; its answer comes once the consent page (returned) is dealt with. */
  const startSignIn = async (context: BrowserContext, page: Page) => {
    const authPage = context.waitForEvent('page', {
      predicate: (p) => p.url().includes('/v1/authorize'),
    });
    const answer = signInAnswer(page);
    return { answer, consent: await authPage };
  };
  const mismatch = {
    ok: false,
    error: {
      code: 'signInFailed',
      message:
        'The sign-in answer did not match this request, so it was ignored. Please try again.',
    },
  };

  test('a forged state', async ({ extensionPage, emulator }) => {
    await useEmulator(extensionPage, emulator);
    // A real code for our client, delivered with a state we never sent.
    const { code } = await mintCode(emulator, ALICE);
    emulator.injectFault({
      endpoint: 'authorize',
      status: 302,
      headers: { Location: `${DEV_REDIRECT_URL}?code=${code}&state=forged` },
    });
    expect(await signInAnswer(extensionPage)).toEqual(mismatch);
    expect(logged(emulator, 'token')).toEqual([]);
    await expectNothingStored(extensionPage, emulator);
  });

  test('a replayed redirect (an earlier sign-in answer)', async ({
    context,
    extensionPage,
    emulator,
  }) => {
    await useEmulator(extensionPage, emulator);
    // A first, real sign-in: keep the answer it got.
    const { answer: first, consent } = await startSignIn(context, extensionPage);
    const decision = consent.waitForResponse((r) => r.url().includes('/v1/authorize/decision'));
    await consent.getByRole('button', { name: 'Sign in as Alice' }).click();
    const earlier = (await decision).headers().location ?? '';
    expect(earlier).toContain(`${DEV_REDIRECT_URL}?code=`);
    expect((await first).ok).toBe(true);
    await send(extensionPage, 'auth/signOut');
    emulator.clearLog();

    emulator.injectFault({ endpoint: 'authorize', status: 302, headers: { Location: earlier } });
    expect(await signInAnswer(extensionPage)).toEqual(mismatch);
    expect(logged(emulator, 'token')).toEqual([]);
    await expectNothingStored(extensionPage, emulator);
  });

  test('a code minted for another PKCE challenge (our verifier does not match it), with our state', async ({
    context,
    extensionPage,
    emulator,
  }) => {
    await useEmulator(extensionPage, emulator);
    const { answer, consent } = await startSignIn(context, extensionPage);
    const ourRequest = new URL(consent.url());
    expect(ourRequest.searchParams.get('code_challenge_method')).toBe('S256');
    // Someone else's code (their own PKCE challenge), slipped into our redirect with our state.
    const injected = await mintCode(emulator, ALICE);
    const forged = new URL(DEV_REDIRECT_URL);
    forged.searchParams.set('code', injected.code);
    forged.searchParams.set('state', ourRequest.searchParams.get('state') ?? '');
    await consent.goto(forged.toString()).catch(() => {}); // the auth window closes on it
    const result = await answer;
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('signInFailed');
    expect(result.error?.message).toContain('Token exchange failed with HTTP 400');
    // The exchange was tried with our verifier and refused by the server.
    expect(logged(emulator, 'token').map((e) => e.status)).toEqual([400]);
    // The server notes the one stray request: the exchange with a verifier that fits no challenge.
    await expectNothingStored(extensionPage, emulator, [
      'token: invalid_grant: code_verifier does not match the code_challenge.',
    ]);
  });
});

test('the loaded manifest keeps to the policy (permissions with reasons, no unsafe-eval, no remote code, no web doors)', async ({
  extensionPage,
}) => {
  const manifest = (await extensionPage.evaluate(() =>
    chrome.runtime.getManifest(),
  )) as ManifestLike;
  expect(checkManifest(manifest, { production: false })).toEqual([]);
  expect(manifest.externally_connectable).toBeUndefined();
});

test('cookies the browser holds for the Webex hosts never reach the APIs', async ({
  context,
  extensionPage,
  emulator,
}) => {
  // Host-only cookies (an IP address takes no Domain attribute) on every emulator listener.
  await context.addCookies(
    [emulator.urls.base, emulator.urls.primary, emulator.urls.backup].map((url) => ({
      name: 'session',
      value: 'would-leak',
      url,
      sameSite: 'Lax' as const,
    })),
  );
  expect(await context.cookies(emulator.urls.base)).toHaveLength(1);
  await registerLine(extensionPage, emulator);
  await expect.poll(() => logged(emulator, 'keepalive').length).toBeGreaterThanOrEqual(2);
  await send(extensionPage, 'line/deregister');
  // A Cookie header on any API request is a deviation (the emulator's rule).
  expect(emulator.deviations()).toEqual([]);
});
