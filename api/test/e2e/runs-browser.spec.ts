// The runs UI in a real browser against the real API, queue, worker agent and trainer (tiny Qwen3 on
// CPU): launch from the planner, watch the run page live, list, compare, model version page.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { launchBrowser, signIn } from '../browser.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, FINISHED, chatRows, datasetVersion, startAgent, tinyRun, waitForRun } from '../training.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

let app: TestApp;
let browser: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;
let agent: Agent;
let member: TestUser;
let projectId: string;
let versionId: string;

beforeAll(async () => {
  app = await startTestApp({ WEB_BUILD_DIR: join(root, 'web', 'build'), RUN_QUEUE_MONITOR_SECONDS: '1' });
  member = await createUser(app, ['MEMBER'], 'runs');
  projectId = await createProject(app, member.token, 'Runs UI');
  versionId = await datasetVersion(app, member, projectId, 'chat', chatRows(24));
  // Slow steps, so the page is seen while the run trains.
  agent = await startAgent(app, await loginAdmin(app), 'cpu-ui', {
    trainerEnv: { LLMTRAINER_TEST_HOOKS: JSON.stringify({ step_delay_s: 1 }) },
  });
  ({ browser, close: closeBrowser } = await launchBrowser({ viewport: { width: 1280, height: 900 } }));
}, 300_000);

afterAll(async () => {
  await closeBrowser?.();
  await agent?.stop();
  await app?.close();
});

/** Sets a planner control by id, also inside a collapsed group (Svelte listens to input/change). */
async function setControl(page: Page, id: string, value: string) {
  await page.evaluate(
    ([id, value]) => {
      const el = document.getElementById(id!) as HTMLInputElement | HTMLSelectElement;
      el.value = value!;
      el.dispatchEvent(new Event(el.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
    },
    [id, value],
  );
}

describe('runs in a real browser', () => {
  it(
    'launch from the planner → live run page → runs list → compare → model version',
    { timeout: 300_000 },
    async () => {
      const page = await browser.newPage();
      await signIn(page, app, member);

      // Planner, opened from the version: pick the tiny CPU model and a short run, then launch.
      await page.goto(`${app.url}/projects/${projectId}/plan?versionId=${versionId}`);
      await page.locator('[data-testid=plan-model]').selectOption('llm-trainer/tiny-qwen3');
      await page.click('[data-testid=plan-step-hyper]');
      const hyper = { maxSteps: '12', maxSeqLength: '128', perDeviceTrainBatchSize: '2', saveSteps: '4' };
      for (const [name, value] of Object.entries(hyper)) await setControl(page, `plan-${name}`, value);
      await setControl(page, 'plan-precision', 'FP32');
      await page.click('[data-testid=plan-step-resources]');
      await page.fill('#plan-gpusPerNode', '0');
      await page.click('[data-testid=plan-step-review]');
      await page.fill('#plan-name', 'browser launch');
      await page.fill('#plan-priority', '5');
      await page.locator('[data-testid=plan-launch]').click();
      await page.waitForURL(/\/runs\/[0-9a-f-]+$/, { timeout: 30_000 });
      const runId = page.url().split('/').pop()!;

      // While it trains, the loss chart grows in place (points pushed over graphql-ws).
      const lossChart = page.locator('[data-testid=run-charts] .live-chart', { hasText: 'Loss' });
      const drawn = async () => Number((await lossChart.getAttribute('data-points')) ?? 0);
      await expect.poll(drawn, { timeout: 180_000, interval: 250 }).toBeGreaterThanOrEqual(2);
      const early = await drawn();
      await page.screenshot({
        path: join(root, 'test-results', 'screenshots', 'run-page-training.png'),
        fullPage: true,
      });
      await expect.poll(drawn, { timeout: 60_000, interval: 250 }).toBeGreaterThan(early);

      // The run page follows it live to the end: status, charts, log lines, model link.
      const ended = FINISHED.map((s) => `[data-testid=run-status][data-status=${s}]`).join(', ');
      await page.locator(ended).first().waitFor({ timeout: 240_000 });
      await page.screenshot({ path: join(root, 'test-results', 'screenshots', 'run-page.png'), fullPage: true });
      // The status is final here, so an error card would already be on the page.
      const errorCard = page.locator('[data-testid=run-error]');
      const error = (await errorCard.count()) ? await errorCard.textContent() : null;
      expect({ status: await page.locator('[data-testid=run-status]').getAttribute('data-status'), error }).toEqual({
        status: 'SUCCEEDED',
        error: null,
      });
      expect(await drawn()).toBe(12);
      await expect.poll(() => page.locator('[data-testid=run-log-lines] .line').count()).toBeGreaterThan(0);
      await expect.poll(() => page.locator('[data-testid=run-checkpoints] tbody tr').count()).toBe(3);
      await page.screenshot({ path: join(root, 'test-results', 'screenshots', 'run-page.png'), fullPage: true });

      // A second run with another learning rate, then the list and the comparison.
      const other = await app.gql(
        CREATE_RUN,
        { i: { ...tinyRun(versionId, { learningRate: 0.002 }), name: 'second' } },
        member.token,
      );
      const otherId = other.data!.createRun.id as string;
      await waitForRun(app, member.token, otherId, (r) => FINISHED.includes(r.status));
      await page.goto(`${app.url}/projects/${projectId}/runs`);
      await expect.poll(() => page.locator('[data-testid=run-row]').count()).toBe(2);
      await page.locator('[data-testid=run-row] input[type=checkbox]').nth(0).check();
      await page.locator('[data-testid=run-row] input[type=checkbox]').nth(1).check();
      await page.locator('[data-testid=runs-compare]').click();
      await page.waitForURL('**/runs/compare?ids=*');
      await page.locator('[data-testid=compare-charts] .live-chart').first().waitFor();
      const differing = page.locator('[data-testid=diff-row][data-differs=true]');
      await expect.poll(() => differing.filter({ hasText: 'learningRate' }).count()).toBe(1);
      // A legend names each run's colour; final metrics side by side, one value per run.
      const legend = await page.locator('[data-testid=compare-legend]').innerText();
      expect(legend).toContain('browser launch');
      expect(legend).toContain('second');
      const trainLoss = page.locator('[data-testid=final-metric-row]', { hasText: 'train_loss' });
      expect(await trainLoss.locator('td').count()).toBe(2);

      // The model the first run produced.
      await page.goto(`${app.url}/projects/${projectId}/runs/${runId}`);
      await page.locator('[data-testid=run-model-link]').click();
      await page.waitForURL(/\/models\/[0-9a-f-]+$/);
      await page.locator('[data-testid=model-files] li').first().waitFor();
      await page.close();
    },
  );
});
