import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type BrowserContextOptions, type Page } from 'playwright-core';
import type { TestApp } from './test-app.js';

/**
 * Headless Debian Chromium on a fresh profile (a persistent context: playwright refuses
 * --user-data-dir among launch args). `close()` also removes the profile.
 */
export async function launchBrowser(options: BrowserContextOptions = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'llmt-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the login form and waits for the projects page. */
export async function signIn(page: Page, app: TestApp, user: { email: string; password: string }) {
  if (!page.url().includes('/login')) await page.goto(`${app.url}/login`);
  await page.fill('#email', user.email);
  await page.fill('#password', user.password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/projects');
}

/** The axe rules whose verdict can change with the colour theme or the language. */
const THEME_AND_LANGUAGE_RULES = [
  'color-contrast',
  'link-in-text-block',
  'html-has-lang',
  'html-lang-valid',
  'valid-lang',
];

/**
 * Runs axe on each page (path → name) in light + en (every rule) and dark + zh-CN (the rules a
 * theme or a language changes), and returns the serious and critical violations found, one line
 * each. Contrast depends on the theme and the language rules on the language, not on the two
 * together: the two combinations cover each theme and each language. `ready` waits for what a page
 * shows once loaded, beyond its heading.
 */
export async function accessibilityProblems(
  page: Page,
  app: TestApp,
  pages: Record<string, string>,
  ready: (name: string) => Promise<void> = async () => {},
): Promise<string[]> {
  const found: string[] = [];
  for (const [theme, locale] of [
    ['light', 'en'],
    ['dark', 'zh-CN'],
  ] as const) {
    await page.evaluate(
      ([theme, locale]) => {
        localStorage.setItem('llm-trainer.theme', theme!);
        localStorage.setItem('llm-trainer.locale', locale!);
      },
      [theme, locale] as string[],
    );
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${app.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      await ready(name);
      // The page is in the theme and language asked for (else this would check one combination twice).
      const shown = await page.evaluate(() => [document.documentElement.dataset.theme, document.documentElement.lang]);
      if (shown[0] !== theme || shown[1] !== locale)
        found.push(`${name}: shown as ${shown.join('/')}, not ${theme}/${locale}`);
      const axe = new AxeBuilder({ page });
      if (theme !== 'light' || locale !== 'en') axe.withRules(THEME_AND_LANGUAGE_RULES);
      const { violations } = await axe.analyze();
      for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
        found.push(`${theme}/${locale} ${name}: ${v.id} × ${v.nodes.length} (${v.nodes[0]?.target.join(' ')})`);
    }
  }
  await page.evaluate(() => {
    localStorage.removeItem('llm-trainer.theme');
    localStorage.setItem('llm-trainer.locale', 'en');
  });
  return found;
}
