import { browser } from 'wxt/browser';
import { serialQueue } from '../serial-queue';
import { BROWSER } from './browser-differences';
import { CLICK_TO_REGISTER_SCRIPT } from './click-to-register-script';
import { sitePattern, sitesToDrop } from './match-pattern';

const { id: SCRIPT_ID, file: SCRIPT_FILE } = CLICK_TO_REGISTER_SCRIPT;

/** Match pattern for every page of an origin (ports kept where the browser honours them). */
export const originPattern = (origin: string) => sitePattern(origin, BROWSER.portInMatchPatterns);

/** The sites a permissions.onRemoved event really took away (see sitesToDrop). */
export const removedSites = (
  sites: readonly string[],
  granted: readonly string[],
  removedPatterns: readonly string[],
) => sitesToDrop(sites, granted, removedPatterns, BROWSER.portInMatchPatterns);

const inOrder = serialQueue();

/**
 * Keep the click-to-register content script registered exactly on the opted-in sites the
 * extension holds a host permission for. Idempotent: safe on every worker start. One at a time:
 * starts overlap (an install and a policy applied at once), and two syncs that both find no
 * script would both register it, the second refused as a duplicate id.
 */
export function syncClickToRegister(sites: readonly string[]): Promise<string[]> {
  return inOrder(() => syncNow(sites));
}

async function syncNow(sites: readonly string[]): Promise<string[]> {
  const granted: string[] = [];
  for (const site of sites) {
    if (await browser.permissions.contains({ origins: [originPattern(site)] })) granted.push(site);
  }
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (granted.length === 0) {
    if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
    return granted;
  }
  const script = {
    id: SCRIPT_ID,
    js: [SCRIPT_FILE],
    // Several sites on one host share a port-less pattern (Firefox): register it once.
    matches: [...new Set(granted.map(originPattern))],
    runAt: 'document_idle' as const,
    persistAcrossSessions: true,
  };
  const [current] = existing;
  if (!current) await browser.scripting.registerContentScripts([script]);
  else if ((current.matches ?? []).join() !== script.matches.join()) {
    await browser.scripting.updateContentScripts([script]);
  }
  return granted;
}
