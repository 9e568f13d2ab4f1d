// The web app's rough edges, found by a user and fixed, checked in one browser session: the run
// planner's problems, its defaults for the worker pool, navigation, narrow screens, accessibility.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { accessibilityProblems, launchBrowser, signIn } from '../browser.js';
import { RUN_DEFAULTS } from '../../src/modules/run/run-defaults.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const screenshots = join(root, 'test-results', 'screenshots');

let app: TestApp;
let browser: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;
let member: TestUser;
let projectId: string;
let versionId: string;
let page: Page;

beforeAll(async () => {
  app = await startTestApp({ WEB_BUILD_DIR: join(root, 'web', 'build') });
  member = await createUser(app, ['MEMBER'], 'ux');
  projectId = await createProject(app, member.token, 'UX');
  versionId = await datasetVersion(app, member, projectId, 'chat', chatRows(8));
  ({ browser, close: closeBrowser } = await launchBrowser());
  mkdirSync(screenshots, { recursive: true });
  page = await browser.newPage();
  await signIn(page, app, member);
}, 120_000);

afterAll(async () => {
  await closeBrowser?.();
  await app?.close();
});

/** Sets a planner control by id, also inside a collapsed group (Svelte listens to input/change). */
async function setControl(id: string, value: string) {
  await page.evaluate(
    ([id, value]) => {
      const el = document.getElementById(id!) as HTMLInputElement | HTMLSelectElement;
      el.value = value!;
      el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    },
    [id, value],
  );
}

describe('the web app in a real browser', () => {
  it('the planner shows every problem at once and says why Launch is disabled', { timeout: 60_000 }, async () => {
    await page.goto(`${app.url}/projects/${projectId}/plan?versionId=${versionId}`);
    await page.locator('[data-testid=plan-model]').selectOption('Qwen/Qwen3-0.6B');
    await page.click('[data-testid=plan-step-hyper]');
    // One the browser catches (not a number), one only the API knows (the rank's range).
    await setControl('plan-learningRate', 'abc');
    await setControl('plan-loraR', '0');
    const problems = page.locator('[data-testid=plan-problems] li');
    await expect.poll(() => problems.count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => page.locator('[data-testid=plan-estimate]').innerText()).toContain('Fix 2 problems');
    // Each next to its own field.
    expect(await page.locator('#plan-learningRate-error').innerText()).not.toBe('');
    expect(await page.locator('#plan-loraR-error').innerText()).toContain('1 to 1024');

    await page.click('[data-testid=plan-step-review]');
    expect(await page.locator('[data-testid=plan-launch]').isDisabled()).toBe(true);
    const reasons = page.locator('[data-testid=plan-launch-reasons] li');
    expect(await reasons.count()).toBe(2);
    expect(await page.locator('[data-testid=plan-launch-reasons]').innerText()).toMatch(/LoRA rank/);
  });

  it(
    "the planner shows the API's defaults and a preset's values, in English and Chinese",
    { timeout: 60_000 },
    async () => {
      await page.goto(`${app.url}/projects/${projectId}/plan?versionId=${versionId}`);
      await page.locator('[data-testid=plan-model]').selectOption('Qwen/Qwen3-0.6B');
      await page.click('[data-testid=plan-step-hyper]');
      const placeholder = (id: string) => page.locator(`#${id}`).getAttribute('placeholder');
      // Read from runDefaults: the value a run left at its default gets.
      await expect.poll(() => placeholder('plan-maxSeqLength')).toBe(String(RUN_DEFAULTS.maxSeqLength));
      expect(await placeholder('plan-loraR')).toBe(String(RUN_DEFAULTS.loraR));
      expect(await page.locator('#plan-precision option[value=""]').innerText()).toBe('Default: bf16');

      await page.click('[data-testid=plan-step-preset]');
      await page.locator('label[for=plan-preset-FULL_FINE_TUNE]').click();
      const card = page.locator('label[for=plan-preset-FULL_FINE_TUNE]');
      expect(await card.innerText()).toContain('changes from the defaults: Learning rate 0.00001, Epochs');
      await page.click('[data-testid=plan-step-hyper]');
      expect(await placeholder('plan-learningRate')).toBe('0.00001');

      await page.selectOption('[data-testid=language-switch]', 'zh-CN');
      await expect.poll(() => page.locator('#plan-precision option[value=""]').innerText()).toBe('默认：bf16');
      await page.click('[data-testid=plan-step-preset]');
      await expect.poll(() => card.innerText()).toContain('相对默认值的改动：学习率 0.00001');
      await page.selectOption('[data-testid=language-switch]', 'en');
    },
  );

  it(
    'on a CPU-only pool the planner starts from a run that can launch, and speaks CPU',
    { timeout: 60_000 },
    async () => {
      const token = await workerToken(app, await loginAdmin(app), 'cpu-only');
      const machine = { hostname: 'cpu-only', gpus: [], cpuCount: 2, memoryMb: 4096, agentVersion: 'test' };
      const registered = await app.gql(
        `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
        { i: machine },
        token,
      );
      expect(registered.errors).toBeUndefined();

      await page.goto(`${app.url}/projects/${projectId}/plan?versionId=${versionId}`);
      const model = page.locator('[data-testid=plan-model]');
      await expect.poll(() => model.inputValue()).toBe('llm-trainer/tiny-qwen3');
      // Its size in millions of parameters and megabytes, not "0 B" and "≈ 0 GB".
      const step = page.locator('[data-testid=plan-step-card]');
      expect(await step.innerText()).toMatch(/0\.1 M/);
      expect(await step.innerText()).toMatch(/MB \+ activations/);
      expect(await step.innerText()).not.toMatch(/≈ 0 GB/);

      const estimate = page.locator('[data-testid=plan-estimate]');
      await page.locator('[data-testid=plan-total-gb]').waitFor();
      const text = await estimate.innerText();
      expect(text).toContain('GiB peak RAM (CPU run)');
      expect(text).toContain('< 10 MiB');
      expect(text).not.toMatch(/\b0 GiB/);
      expect(text).not.toMatch(/CUDA|Fits on|A100|GPU/);

      await page.click('[data-testid=plan-step-resources]');
      expect(await page.locator('#plan-gpusPerNode').inputValue()).toBe('0');
      expect(await page.locator('[data-testid=plan-pool]').innerText()).toContain('CPU-only');
      await page.click('[data-testid=plan-step-review]');
      expect(await page.locator('[data-testid=plan-json]').innerText()).toContain('"precision": "FP32"');
      expect(await page.locator('[data-testid=plan-launch]').isDisabled()).toBe(false);
    },
  );

  it(
    'a newcomer is led to the Demo project; the two kinds of model are named apart; favicon.ico',
    { timeout: 60_000 },
    async () => {
      const demoId = await createProject(app, member.token, 'Demo');
      await page.goto(`${app.url}/`);
      await page.locator('[data-testid=get-started]').waitFor();
      expect(await page.locator('[data-testid=start-plan]').getAttribute('href')).toBe(`/projects/${demoId}/plan`);

      const nav = page.locator('header nav');
      expect(await nav.innerText()).toContain('Base models');
      await page.goto(`${app.url}/projects/${projectId}`);
      expect(await page.locator('[data-testid=project-models]').innerText()).toBe('Model versions');
      await page.selectOption('[data-testid=language-switch]', 'zh-CN');
      await expect.poll(() => nav.innerText()).toContain('基座模型');
      expect(await page.locator('[data-testid=project-models]').innerText()).toBe('模型版本');
      await page.selectOption('[data-testid=language-switch]', 'en');

      const icon = await page.request.get(`${app.url}/favicon.ico`);
      expect(icon.status()).toBe(200);
      expect((await icon.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));

      // The test server has the playground off: integrators are pointed at the docs instead.
      await page.goto(`${app.url}/profile`);
      await page.locator('[data-testid=integrators-docs]').waitFor();
      expect(await page.locator('[data-testid=playground-link]').count()).toBe(0);
      // Where it is on (GRAPHQL_PLAYGROUND, the demo), /playground answers and the page links to it.
      await page.route('**/playground', (route) => route.fulfill({ status: 200, body: '' }));
      await page.reload();
      expect(await page.locator('[data-testid=playground-link] a').getAttribute('href')).toBe('/playground');
      await page.unroute('**/playground');
    },
  );

  it('comparing runs names each colour and puts final metrics side by side', { timeout: 60_000 }, async () => {
    const ids: string[] = [];
    for (const name of ['lr 1e-3', 'lr 2e-3']) {
      const res = await app.gql(CREATE_RUN, { i: { ...tinyRun(versionId), name } }, member.token);
      ids.push(res.data!.createRun.id as string);
    }
    await page.goto(`${app.url}/projects/${projectId}/runs/compare?ids=${ids.join(',')}`);
    const legend = page.locator('[data-testid=compare-legend] li');
    await expect
      .poll(() => legend.allInnerTexts())
      .toEqual([expect.stringContaining('lr 1e-3'), expect.stringContaining('lr 2e-3')]);
    // Queued runs have no final metrics yet, and the page says so (a finished pair: runs-browser.spec).
    expect(await page.locator('[data-testid=compare-final-metrics]').innerText()).toContain('No final metrics yet');
  });

  it('on a phone (390×844) no main page scrolls sideways', { timeout: 90_000 }, async () => {
    const runId = (await app.gql(CREATE_RUN, { i: { ...tinyRun(versionId), name: 'phone' } }, member.token)).data!
      .createRun.id as string;
    await page.setViewportSize({ width: 390, height: 844 });
    const pages: Record<string, string> = {
      dashboard: '/',
      projects: '/projects',
      project: `/projects/${projectId}`,
      datasets: `/projects/${projectId}/datasets`,
      runs: `/projects/${projectId}/runs`,
      run: `/projects/${projectId}/runs/${runId}`,
      plan: `/projects/${projectId}/plan?versionId=${versionId}`,
      'model-versions': `/projects/${projectId}/models`,
      'base-models': '/models',
      profile: '/profile',
    };
    const overflowing: Record<string, { px: number; by: string[] }> = {};
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${app.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      if (name === 'plan') {
        await page.locator('[data-testid=plan-model]').selectOption('llm-trainer/tiny-qwen3');
        await page.click('[data-testid=plan-step-review]');
        await page.locator('[data-testid=plan-json]').waitFor();
      }
      // How far the page scrolls sideways, and what sticks out (to say what to fix when it fails).
      const excess = await page.evaluate(() => ({
        px: document.scrollingElement!.scrollWidth - window.innerWidth,
        by: [...document.querySelectorAll('main *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 3)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
      }));
      if (excess.px > 0) overflowing[name] = excess;
      await page.screenshot({ path: join(screenshots, `phone-${name}.png`), fullPage: true });
    }
    expect(overflowing).toEqual({});
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it(
    'axe finds no serious or critical problem on the main pages, light and dark, en and zh-CN',
    { timeout: 180_000 },
    async () => {
      const runId = (await app.gql(CREATE_RUN, { i: { ...tinyRun(versionId), name: 'a11y' } }, member.token)).data!
        .createRun.id as string;
      const pages: Record<string, string> = {
        dashboard: '/',
        project: `/projects/${projectId}`,
        runs: `/projects/${projectId}/runs`,
        run: `/projects/${projectId}/runs/${runId}`,
        plan: `/projects/${projectId}/plan?versionId=${versionId}`,
        'base-models': '/models',
        profile: '/profile',
      };
      expect(await accessibilityProblems(page, app, pages)).toEqual([]);
    },
  );
});
