import { browser } from 'wxt/browser';
import { BROWSER } from './browser-differences';
import { policyOrAbsent } from './managed-absent';

/**
 * The organisation's policy for this extension (`chrome.storage.managed`, filtered by
 * public/managed_schema.json). `{}` when none is set. The first read after a browser start takes
 * seconds in Chromium: callers must not hold start-up for it (lib/app/policy-state.ts).
 */
export const readManagedPolicy = (): Promise<Record<string, unknown>> =>
  policyOrAbsent(browser.storage.managed.get(), BROWSER.managedRejectsWhenAbsent);

/** Call `listener` whenever the managed policy changes (no restart needed). */
export function onManagedPolicyChanged(listener: () => void): void {
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'managed') listener();
  });
}
