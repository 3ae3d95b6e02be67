import { browser } from 'wxt/browser';
import type { IdentityFlow } from '../ports';

/** chrome.identity.launchWebAuthFlow, reduced to the IdentityFlow port. */
export const chromeIdentity: IdentityFlow = {
  async launchWebAuthFlow(url, interactive) {
    const result = await browser.identity.launchWebAuthFlow({ url, interactive });
    if (!result) throw new Error('The sign-in window returned no address.');
    return result;
  },
  redirectUrl: () => browser.identity.getRedirectURL(),
};
