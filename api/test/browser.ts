import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
