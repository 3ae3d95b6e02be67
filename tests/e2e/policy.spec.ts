/**
 * Managed policy in real Chromium: a JSON policy file in Chromium's managed policy folder reaches
 * the extension's chrome.storage.managed, filtered by managed_schema.json, and a change to it
 * reaches the running extension. A copy of the extension under its own id is used, never the
 * development id other engineers' browsers load (tests/e2e/policy-helpers.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Worker } from '@playwright/test';
import { DEV_EXTENSION_ID } from '../../lib/dev-integration';
import { parsePolicy } from '../../lib/policy/parse';
import { expect, expectNoDeviations, serviceWorkerOf, test } from './fixtures';
import {
  type IsolatedExtension,
  isolatedExtension,
  launchExtension,
  waitForManagedStorage,
  withManagedPolicy,
} from './policy-helpers';

let extension: IsolatedExtension;
let profileDir: string;
let context: BrowserContext | undefined;

test.beforeEach(() => {
  extension = isolatedExtension();
  profileDir = mkdtempSync(join(tmpdir(), 'webex-line-policy-profile-'));
});

test.afterEach(async () => {
  await context?.close();
  context = undefined;
  rmSync(profileDir, { recursive: true, force: true });
  extension.remove();
});

async function launch(): Promise<Worker> {
  context = await launchExtension(extension.dir, profileDir);
  const worker = await serviceWorkerOf(context);
  expect(new URL(worker.url()).host).toBe(extension.id);
  return worker;
}

test('Chromium hands a policy file to the extension, filtered by its managed schema', async ({
  emulator,
}) => {
  expect(extension.id).not.toBe(DEV_EXTENSION_ID);
  const policy = {
    environment: 'custom',
    customBaseUrl: emulator.urls.base,
    clientId: emulator.demoIntegration.clientId,
    tokenBrokerUrl: 'http://127.0.0.1:8793/token',
    keepRegistered: true,
    userMayTurnOffKeepRegistered: false,
    clickToRegisterSites: [emulator.urls.base, 'not a site'],
    notifications: false,
    lockSettings: true,
  };
  await withManagedPolicy(
    extension.id,
    // Chromium drops what the schema refuses: a wrong type, an unknown name.
    { ...policy, notifications: 'no', clientSecret: 'never-here' },
    async () => {
      const worker = await launch();
      const managed = await waitForManagedStorage(worker, (m) => 'clientId' in m);
      const { notifications: _dropped, ...expected } = policy;
      expect(managed).toEqual(expected);

      // What a schema cannot check, parsePolicy reports; the rest applies.
      const parsed = parsePolicy(managed);
      expect(parsed.problems).toEqual([
        expect.objectContaining({ field: 'clickToRegisterSites[1]', reason: 'invalidEntry' }),
      ]);
      expect(parsed.policy).toMatchObject({
        environment: { kind: 'custom', baseUrl: emulator.urls.base },
        clickToRegisterSites: [emulator.urls.base],
        lockSettings: true,
      });
    },
  );
  await expectNoDeviations(emulator);
});

test('a changed or removed policy file reaches the running extension through storage.onChanged', async ({
  emulator,
}) => {
  await withManagedPolicy(extension.id, { clientId: 'Cfirst0123456789' }, async (file) => {
    const worker = await launch();
    await waitForManagedStorage(worker, (m) => m.clientId === 'Cfirst0123456789');
    await worker.evaluate(() => {
      const events: unknown[] = [];
      (self as unknown as { policyEvents: unknown[] }).policyEvents = events;
      chrome.storage.onChanged.addListener((changes, area) => events.push({ area, changes }));
    });
    const events = () =>
      worker.evaluate(() => (self as unknown as { policyEvents: unknown[] }).policyEvents);

    file.write({ clientId: 'Csecond0123456789', lockSettings: true });
    await waitForManagedStorage(worker, (m) => m.clientId === 'Csecond0123456789');
    await expect.poll(events, { timeout: 10_000 }).toContainEqual({
      area: 'managed',
      changes: {
        clientId: { oldValue: 'Cfirst0123456789', newValue: 'Csecond0123456789' },
        lockSettings: { newValue: true },
      },
    });

    file.remove();
    await waitForManagedStorage(worker, (m) => Object.keys(m).length === 0);
    await expect.poll(events, { timeout: 10_000 }).toContainEqual({
      area: 'managed',
      changes: {
        clientId: { oldValue: 'Csecond0123456789' },
        lockSettings: { oldValue: true },
      },
    });
  });
  await expectNoDeviations(emulator);
});

test('the policy of one extension id is not seen by another', async ({ emulator }) => {
  const other = isolatedExtension();
  try {
    await withManagedPolicy(other.id, { clientId: 'Cother0123456789' }, () =>
      withManagedPolicy(extension.id, { notifications: true }, async () => {
        const worker = await launch();
        // Both files are read in one load: once this extension's policy is there, the other's
        // would be too.
        const managed = await waitForManagedStorage(worker, (m) => 'notifications' in m);
        expect(managed).toEqual({ notifications: true });
      }),
    );
  } finally {
    other.remove();
  }
  await expectNoDeviations(emulator);
});
