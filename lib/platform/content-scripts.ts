import { browser } from 'wxt/browser';
import { CLICK_TO_REGISTER_SCRIPT } from './click-to-register-script';

const { id: SCRIPT_ID, file: SCRIPT_FILE } = CLICK_TO_REGISTER_SCRIPT;

/** Match pattern for every page of an origin (ports are kept: the emulator's demo needs them). */
export const originPattern = (origin: string) => `${origin}/*`;

/**
 * Keep the click-to-register content script registered exactly on the opted-in sites the
 * extension holds a host permission for. Idempotent: safe on every worker start.
 */
export async function syncClickToRegister(sites: readonly string[]): Promise<string[]> {
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
    matches: granted.map(originPattern),
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
