/**
 * The popup in each of the five locales, as Chromium picks one from `--lang`: real Chromium, the
 * built extension, the emulator over HTTP. For each: the signed-out popup, an error from Webex
 * (Bob is not enabled for WebRTC calling) and a registered line with all its details, each
 * checked for overflow; the registered popup also passes axe (its `lang` is the locale's) and is
 * saved as docs/screenshots/locales/<locale>.png.
 */

import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, chromium, type Page } from '@playwright/test';
import { extensionArgs, findChromium } from './chromium';
import {
  consentAs,
  expect,
  expectNoDeviations,
  serviceWorkerOf,
  test,
  useEmulator,
  waitForStatus,
} from './fixtures';
import { screenshotDir } from './screenshots';

const LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;
type Locale = (typeof LOCALES)[number];

const SCREENSHOTS = screenshotDir('locales');
const LOCALES_DIR = resolve(import.meta.dirname, '../../public/_locales');

/** The text a key has in a locale (keys without placeholders only). */
function textsOf(locale: Locale): (key: string) => string {
  const messages = JSON.parse(
    readFileSync(resolve(LOCALES_DIR, locale, 'messages.json'), 'utf8'),
  ) as Record<string, { message: string }>;
  return (key) => {
    const text = messages[key]?.message;
    if (!text) throw new Error(`${locale} has no message ${key}`);
    return text;
  };
}

/** Chromium in `locale`: `--lang` is enough for the extension's messages on Linux. */
function launchIn(dir: string, locale: Locale): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    executablePath: findChromium(),
    headless: process.env.HEADED !== '1',
    args: [...extensionArgs(), `--lang=${locale}`],
  });
}

/**
 * Elements of the popup whose content is wider than their box, or that stick out of the
 * popup: a label that does not fit. Screen-reader-only text is clipped on purpose, and inline
 * or `display: contents` boxes are measured through their containers.
 */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const root = document.querySelector('main.popup');
    if (!root) return ['no main.popup'];
    const bounds = document.body.getBoundingClientRect();
    const nameOf = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} "${(el.textContent ?? '').trim().slice(0, 40)}"`;
    const found: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth)
      found.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px`);
    for (const el of [document.body, root, ...root.querySelectorAll('*')]) {
      if (el.closest('.sr-only')) continue;
      const style = getComputedStyle(el);
      if (['inline', 'contents', 'none'].includes(style.display) || el.clientWidth === 0) continue;
      if (el.scrollWidth > el.clientWidth + 1)
        found.push(`${nameOf(el)}: ${el.scrollWidth}px of content in ${el.clientWidth}px`);
      const box = el.getBoundingClientRect();
      if (box.right > bounds.right + 1 || box.left < bounds.left - 1)
        found.push(`${nameOf(el)}: outside the popup body`);
    }
    return found;
  });
}

async function openPopupIn(context: BrowserContext): Promise<Page> {
  const worker = await serviceWorkerOf(context);
  const popup = await context.newPage();
  // The toolbar popup is as wide as its body (360px): no wider viewport to hide an overflow in.
  await popup.setViewportSize({ width: 360, height: 720 });
  await popup.goto(`chrome-extension://${new URL(worker.url()).host}/popup.html`);
  return popup;
}

test('the overflow check finds a label that does not fit', async ({ extensionPage, emulator }) => {
  await extensionPage.setViewportSize({ width: 360, height: 720 });
  await expect(extensionPage.locator('main.popup')).toBeVisible();
  expect(await overflowing(extensionPage)).toEqual([]);
  await extensionPage.evaluate(() => {
    const label = document.createElement('button');
    label.className = 'button';
    label.style.whiteSpace = 'nowrap';
    label.textContent = 'Registrierungsaufhebungsbestätigungsschaltfläche '.repeat(3);
    document.querySelector('main.popup')?.append(label);
  });
  expect((await overflowing(extensionPage)).length).toBeGreaterThan(0);
  await expectNoDeviations(emulator);
});

for (const locale of LOCALES) {
  test(`popup in ${locale}: translated, nothing overflows, screenshot`, async ({
    profile,
    emulator,
  }) => {
    const text = textsOf(locale);
    const context = await launchIn(profile.dir, locale);
    try {
      const popup = await openPopupIn(context);
      await useEmulator(popup, emulator);
      await popup.reload();
      expect(await popup.evaluate(() => document.documentElement.lang)).toBe(locale);
      expect(await popup.title()).toBe(text('extName'));

      const signIn = popup.getByRole('button', { name: text('signIn') });
      await expect(signIn).toBeVisible();
      await expect(popup.getByText(text('popupIntro'))).toBeVisible();
      expect(await overflowing(popup)).toEqual([]);

      // An error from Webex, shown in this language; the payload itself stays the SDK's English.
      await consentAs(context, 'Sign in as Bob', () => signIn.click());
      await popup.getByRole('button', { name: text('register'), exact: true }).click();
      const banner = popup.getByRole('alert');
      await expect(banner).toContainText(text('lineErrorNotEnabled'));
      await expect(banner.getByRole('button', { name: text('actionRetry') })).toBeVisible();
      const failed = await waitForStatus(popup, (s) => s.error !== null);
      expect(failed.error?.msg).toBe(
        'User is not configured for WebRTC calling. Please contact the administrator to resolve this issue.',
      );
      expect(await overflowing(popup)).toEqual([]);

      // A registered line with every detail shown: the longest labels there are.
      await popup.getByRole('button', { name: text('signOut') }).click();
      await consentAs(context, 'Sign in as Alice', () =>
        popup.getByRole('button', { name: text('signIn') }).click(),
      );
      await popup.getByRole('button', { name: text('register'), exact: true }).click();
      await expect(popup.getByTestId('status-pill')).toHaveText(text('statusRegistered'));
      await popup.getByRole('button', { name: text('showDetails') }).click();
      await expect(popup.getByText(text('propRehomingIntervalMax'))).toBeVisible();
      await expect(popup.getByRole('button', { name: text('deregister') })).toBeVisible();
      expect(await overflowing(popup)).toEqual([]);
      const { violations } = await new AxeBuilder({ page: popup }).analyze();
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        [],
      );

      mkdirSync(SCREENSHOTS, { recursive: true });
      await popup.screenshot({ path: `${SCREENSHOTS}/${locale}.png`, fullPage: true });
      await popup.getByRole('button', { name: text('deregister') }).click();
      await expect(
        popup.getByRole('button', { name: text('register'), exact: true }),
      ).toBeVisible();
      await expectNoDeviations(emulator);
    } finally {
      await context.close();
    }
  });
}
