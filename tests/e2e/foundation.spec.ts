import { DEV_REDIRECT_URL, EMULATOR_DEFAULT_BASE_URL } from '../../lib/dev-integration';
import { expect, send, test } from './fixtures';

test('the popup reads the background: idle and signed out on a fresh profile', async ({
  extensionPage,
  extensionId,
}) => {
  const snapshot = await send(extensionPage, 'status/get');
  expect(snapshot).toMatchObject({
    state: 'idle',
    auth: 'signedOut',
    display: 'inactive',
    line: null,
    error: null,
  });

  await extensionPage.goto(`chrome-extension://${extensionId}/popup.html`);
  await expect(extensionPage.getByRole('button', { name: /sign in/i })).toBeVisible();
});

test('the development build defaults to the emulator and the demo integration, with a stable redirect URL', async ({
  extensionPage,
  extensionId,
}) => {
  expect(`https://${extensionId}.chromiumapp.org/`).toBe(DEV_REDIRECT_URL);
  const view = await send(extensionPage, 'settings/get');
  expect(view.redirectUrl).toBe(DEV_REDIRECT_URL);
  expect(view.settings.environment).toEqual({ kind: 'custom', baseUrl: EMULATOR_DEFAULT_BASE_URL });
  expect(view.settings.clientSecretSet).toBe(true);
  expect(JSON.stringify(view)).not.toContain('demo-secret');
});
