import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, signIn } from '../browser.js';
import { ADMIN, startTestApp, type TestApp } from '../test-app.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const screenshots = join(root, 'test-results', 'screenshots');

let app: TestApp;
let browser: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;
beforeAll(async () => {
  app = await startTestApp({ WEB_BUILD_DIR: join(root, 'web', 'build') });
  ({ browser, close: closeBrowser } = await launchBrowser());
  mkdirSync(screenshots, { recursive: true });
});
afterAll(async () => {
  await closeBrowser?.();
  await app?.close();
});

describe('in a real browser', () => {
  it('register from an invite link → sign in → create a project → see it listed', { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    const email = `browser-${Date.now()}@example.com`;
    const password = 'browser-password-1';
    // Registration is by invite outside the loopback demo: the admin makes a MEMBER invite link.
    await signIn(page, app, ADMIN);
    await page.goto(`${app.url}/admin/users`);
    await page.selectOption('#invite-role', 'MEMBER');
    await page.click('form:has(#invite-role) button[type=submit]');
    const link = await page.locator('[data-testid=invite-link]').inputValue();
    expect(link).toMatch(/\/register\?invite=lt_inv_/);
    await page.locator('[data-testid=invite-row]', { hasText: 'MEMBER' }).first().waitFor();
    await page.click('[data-testid=sign-out]');
    await page.waitForURL('**/login**');

    await page.goto(link);
    await page.fill('#email', email);
    await page.fill('#displayName', '浏览器用户');
    await page.fill('#password', password);
    await page.fill('#confirmPassword', password);
    await page.click('button[type=submit]');
    await page.waitForURL('**/projects');

    // Sign out and back in through the login form.
    await page.click('[data-testid=sign-out]');
    await page.waitForURL('**/login**');
    await signIn(page, app, { email, password });

    await page.fill('#project-name', 'Qwen3-8B 中文客服');
    await page.fill('#project-description', 'LoRA on support chats');
    await page.click('[data-testid=create-project]');
    const row = page.locator('[data-testid=project-row]', { hasText: 'Qwen3-8B 中文客服' });
    await row.waitFor();
    expect(await row.count()).toBe(1);

    // The access token lives in memory only, never in web storage.
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
    );
    expect(stored).not.toMatch(/eyJ/);

    // A reload restores the session from the httpOnly refresh cookie.
    await page.reload();
    await page.locator('[data-testid=project-row]', { hasText: 'Qwen3-8B 中文客服' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'projects.png'), fullPage: true });
  });
});
