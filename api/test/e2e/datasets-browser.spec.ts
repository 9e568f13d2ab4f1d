import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser } from '../factories.js';
import { launchBrowser, signIn } from '../browser.js';
import { startTestApp, type TestApp } from '../test-app.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const screenshots = join(root, 'test-results', 'screenshots');

let app: TestApp;
let browser: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;
const files = mkdtempSync(join(tmpdir(), 'llmt-dataset-files-'));
beforeAll(async () => {
  app = await startTestApp({ WEB_BUILD_DIR: join(root, 'web', 'build') });
  ({ browser, close: closeBrowser } = await launchBrowser({ acceptDownloads: true }));
  mkdirSync(screenshots, { recursive: true });
});
afterAll(async () => {
  await closeBrowser?.();
  await app?.close();
  rmSync(files, { recursive: true, force: true });
});

const GREAT_WALL_CSV = [
  'instruction,output',
  '介绍一下长城,长城是中国古代的军事防御工程。',
  '长城有多长,明长城全长约八千八百五十公里。',
  '长城始建于什么时候,长城始建于春秋战国时期，秦朝把各国的长城连接起来。',
  '为什么要修建长城,为了抵御北方游牧民族的侵扰，保护中原的农耕文明。',
  '长城在哪里,长城东起山海关，西至嘉峪关，横跨中国北方多个省份。',
].join('\n');

const chat = (question: string, answer: string) =>
  JSON.stringify({
    conversations: [
      { from: 'human', value: question },
      { from: 'gpt', value: answer },
    ],
  });
// Four records, the last an exact copy of the first.
const SHAREGPT_JSONL = [
  chat('你好，请介绍一下你自己。', '你好！我是一个乐于助人的中文助手。龘囧🚀'),
  chat('一年有几个季节？', '一年有春、夏、秋、冬四个季节。'),
  chat('水的沸点是多少？', '在标准大气压下，水的沸点是一百摄氏度。'),
  chat('你好，请介绍一下你自己。', '你好！我是一个乐于助人的中文助手。龘囧🚀'),
].join('\n');

/** The version the page shows, from its address. */
const shownVersion = (page: Page) => new URL(page.url()).searchParams.get('version');

/** Uploads a file on the upload page, checks what was detected, creates the version and waits until it is READY. */
async function uploadVersion(
  page: Page,
  file: string,
  detected: { format: string; encoding: string; kind: string },
  rows: number,
): Promise<string> {
  await page.click('[data-testid=new-version]');
  await page.waitForURL('**/upload');
  await page.setInputFiles('input[type=file][data-testid=dataset-file]', file);
  await page.locator(`[data-testid=detected-format][data-value=${detected.format}]`).waitFor();
  expect(await page.locator('[data-testid=detected-encoding]').getAttribute('data-value')).toBe(detected.encoding);
  expect(await page.locator('[data-testid=detected-kind]').getAttribute('data-value')).toBe(detected.kind);
  expect(await page.locator('[data-testid=detected-encoding]').textContent()).toMatch(
    detected.encoding === 'GB18030' ? /GBK \/ GB18030/ : /UTF-8/,
  );
  await page.click('[data-testid=create-version]');
  await page.waitForURL(/\?version=[0-9a-f-]+&tab=preview$/);
  await page.locator(`[data-testid=version-rows][data-value="${rows}"]`).waitFor();
  expect(await page.locator('[data-testid=version-status]').getAttribute('data-status')).toBe('READY');
  return shownVersion(page)!;
}

describe('datasets in a real browser', () => {
  it(
    'upload GBK CSV and ShareGPT versions → preview → template → pipeline → diff → download',
    { timeout: 180_000 },
    async () => {
      const member = await createUser(app, ['MEMBER'], 'datasets');
      const projectId = await createProject(app, member.token, '长城知识库');
      const page = await browser.newPage();

      await signIn(page, app, member);

      // Open the project, then its datasets tab; create a dataset.
      await page.locator('[data-testid=project-row] a', { hasText: '长城知识库' }).click();
      await page.waitForURL(`**/projects/${projectId}`);
      await page.click('[data-testid=project-datasets]');
      await page.waitForURL(`**/projects/${projectId}/datasets`);
      await page.fill('#dataset-name', '长城问答');
      await page.click('[data-testid=create-dataset]');
      const row = page.locator('[data-testid=dataset-row]', { hasText: '长城问答' });
      await row.waitFor();
      await row.locator('a', { hasText: '长城问答' }).click();
      await page.waitForURL(/\/datasets\/[0-9a-f-]+$/);

      // Version 1: a GBK-encoded CSV, detected as such, read without mojibake.
      const gbkFile = join(files, 'great-wall.csv');
      writeFileSync(gbkFile, iconv.encode(GREAT_WALL_CSV, 'gbk'));
      await uploadVersion(page, gbkFile, { format: 'CSV', encoding: 'GB18030', kind: 'alpaca' }, 5);
      const first = page.locator('[data-testid=preview-row]').first();
      await first.waitFor();
      expect(await page.locator('[data-testid=preview-row]').count()).toBe(5);
      expect(await first.textContent()).toContain('长城是中国古代的军事防御工程。');

      // Version 2: ShareGPT JSON Lines with one exact duplicate.
      const jsonlFile = join(files, 'chats.jsonl');
      writeFileSync(jsonlFile, SHAREGPT_JSONL);
      const v2 = await uploadVersion(page, jsonlFile, { format: 'JSONL', encoding: 'UTF8', kind: 'sharegpt' }, 4);
      expect(await page.locator('[data-testid=preview-row]').first().textContent()).toContain('乐于助人的中文助手');

      // Through the Qwen3 chat template: the answer's tokens are the trained ones.
      const chatRow = page.locator('[data-testid=preview-row]').first();
      await chatRow.locator('[data-testid=select-row]').click();
      await chatRow.locator('select').selectOption('Qwen/Qwen3-0.6B');
      await chatRow.locator('[data-testid=render-row]').click();
      const trained = chatRow.locator('[data-testid=rendered-text] .trained');
      await trained.first().waitFor();
      expect(await trained.count()).toBeGreaterThan(3);
      const rendered = await chatRow.locator('[data-testid=rendered-text]').textContent();
      expect(rendered).toContain('<|im_start|>assistant');
      // Rare characters and emoji split across byte-level tokens still read as written.
      expect(rendered).toContain('乐于助人的中文助手。龘囧🚀');
      expect(rendered).not.toContain('\uFFFD');
      await page.screenshot({ path: join(screenshots, 'dataset-preview-template.png'), fullPage: true });

      // Pipeline: exact dedupe, then a seeded split, into version 3.
      await page.click('[data-testid=tab-pipeline]');
      await page.locator('[data-testid=pipeline-add]').waitFor();
      await page.selectOption('[data-testid=pipeline-add]', 'DEDUPE_EXACT');
      await page.selectOption('[data-testid=pipeline-add]', 'SPLIT');
      expect(await page.locator('[data-testid=pipeline-step]').count()).toBe(2);
      await page.click('[data-testid=pipeline-run]');
      await page.waitForURL((url) => !!url.searchParams.get('version') && url.searchParams.get('version') !== v2);
      await page.locator('[data-testid=version-rows][data-value="3"]').waitFor();
      expect(await page.locator('[data-testid=version-status]').getAttribute('data-status')).toBe('READY');
      const v3 = shownVersion(page)!;

      // Compare version 2 with version 3: the duplicate is gone, nothing else changed.
      await page.click('[data-testid=tab-diff]');
      await page.selectOption('[data-testid=diff-base]', v2);
      await page.selectOption('[data-testid=diff-head]', v3);
      const summary = page.locator('[data-testid=diff-summary]', { hasText: '1 removed' });
      await summary.waitFor();
      expect(await summary.textContent()).toContain('3 unchanged');
      expect(await page.locator('[data-testid=diff-entry][data-kind=REMOVED]').count()).toBe(1);
      await page.screenshot({ path: join(screenshots, 'dataset-diff.png'), fullPage: true });

      // Download version 3 as JSON Lines: three normalised chat rows.
      await page.click('[data-testid=tab-download]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-jsonl]')]);
      expect(download.suggestedFilename()).toMatch(/-v3\.jsonl$/);
      const lines = readFileSync((await download.path())!, 'utf8')
        .trim()
        .split('\n');
      expect(lines).toHaveLength(3);
      const rows = lines.map((line) => JSON.parse(line) as { messages: { role: string; content: string }[] });
      expect(rows.every((r) => r.messages.map((m) => m.role).join() === 'user,assistant')).toBe(true);
      expect(lines.join('\n')).toContain('水的沸点是多少？');
    },
  );
});
