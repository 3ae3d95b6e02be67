import { browser } from 'wxt/browser';

export interface BadgeLook {
  text: string;
  color: string;
  title: string;
}

let last = '';

/** Paint the toolbar badge; skips identical repaints (every snapshot change calls this). */
export async function paintBadge(look: BadgeLook): Promise<void> {
  const key = JSON.stringify(look);
  if (key === last) return;
  last = key;
  try {
    await Promise.all([
      browser.action.setBadgeText({ text: look.text }),
      browser.action.setBadgeBackgroundColor({ color: look.color }),
      browser.action.setTitle({ title: look.title }),
    ]);
  } catch (error) {
    // Not painted: the next call with the same look must try again, not be skipped.
    if (last === key) last = '';
    throw error;
  }
}
