import type { Page } from '@playwright/test';

/**
 * A web page (an origin the broker must refuse) posts a stolen refresh token to the broker, as
 * a script on any site could. Returns what the page got: `HTTP <status>` or the fetch error.
 */
export function postStolenRefreshFromPage(page: Page, brokerUrl: string): Promise<string> {
  return page.evaluate(async (url) => {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=stolen',
      });
      return `HTTP ${response.status}`;
    } catch (error) {
      return String(error);
    }
  }, brokerUrl);
}
