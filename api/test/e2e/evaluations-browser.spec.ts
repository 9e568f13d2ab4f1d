// Evaluations in a real browser against the real API: the form creates one (a base model beside its
// fine-tune), a worker played over the worker protocol scores it (claimJob, example events,
// completeJob with a summary in the evaluator's format), and the page follows it live to its metric
// table and per-example browser; the list, a cached repeat, a failure, the run and model pages, both
// languages, a phone, and axe. The real evaluator on a real agent is tested in workers/ and the
// agent's own tests; here the worker's side is the protocol.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchBrowser, signIn } from '../browser.js';
import {
  claimEvaluation,
  completeEvaluation,
  exampleRows,
  reportExamples,
  summaryOf,
  type ClaimedEvaluation,
} from '../evaluations.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun, workerToken } from '../training.js';
import { CLAIM, COMPLETE, CPU_MACHINE, REGISTER, trainingJob } from '../worker-ops.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const screenshots = join(root, 'test-results', 'screenshots');
const TINY = 'llm-trainer/tiny-qwen3';
const EXAMPLES = 12;
/** How long a page may take to show what the API already has (a busy CI machine). */
const SOON = { timeout: 10_000, interval: 100 };
const rows = chatRows(EXAMPLES);
/** Prompt and reference of each row as the evaluator reports them (a lone user turn; the last answer). */
const examples = rows.map((r) => ({ prompt: r.messages[0]!.content, reference: r.messages[1]!.content }));

let app: TestApp;
let browser: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;
let member: TestUser;
let worker: string;
let projectId: string;
let datasetId: string;
let versionId: string;
let runId: string;
let modelVersionId: string;
let page: Page;

/** A fine-tune of the tiny model, produced over the worker protocol (no trainer): run → model version. */
async function fineTuneByHand(): Promise<{ runId: string; modelVersionId: string }> {
  const run = (await app.gql(CREATE_RUN, { i: { ...tinyRun(versionId), name: 'sft' } }, member.token)).data!.createRun
    .id as string;
  const claimed = (await app.gql(CLAIM, {}, worker)).data!.claimJob as { runId: string; attempt: number };
  expect(claimed.runId).toBe(run);
  const upload = await fetch(`${app.url}/worker/runs/${run}/model`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${worker}`, 'x-run-attempt': String(claimed.attempt) },
    body: 'adapter bytes',
  });
  const { artifact } = (await upload.json()) as { artifact: string };
  const done = await app.gql(
    COMPLETE,
    {
      i: {
        job: trainingJob(run, claimed.attempt),
        outcome: 'SUCCEEDED',
        training: { model: { artifact, kind: 'lora_adapter', files: ['adapter_model.safetensors'] } },
      },
    },
    worker,
  );
  expect(done.data?.completeJob.status).toBe('SUCCEEDED');
  const models = await app.gql(
    `query($p: ID!) { modelVersions(projectId: $p, first: 5) { nodes { id } } }`,
    { p: projectId },
    member.token,
  );
  return { runId: run, modelVersionId: models.data!.modelVersions.nodes[0].id };
}

beforeAll(async () => {
  app = await startTestApp({ WEB_BUILD_DIR: join(root, 'web', 'build') });
  member = await createUser(app, ['MEMBER'], 'evals');
  projectId = await createProject(app, member.token, 'Evaluations UI');
  versionId = await datasetVersion(app, member, projectId, 'eval-set', rows);
  datasetId = (
    await app.gql(`query($id: ID!) { datasetVersion(id: $id) { dataset { id } } }`, { id: versionId }, member.token)
  ).data!.datasetVersion.dataset.id;
  worker = await workerToken(app, await loginAdmin(app), 'eval-hand');
  await app.gql(REGISTER, { i: CPU_MACHINE }, worker);
  ({ runId, modelVersionId } = await fineTuneByHand());
  ({ browser, close: closeBrowser } = await launchBrowser({ viewport: { width: 1280, height: 900 } }));
  mkdirSync(screenshots, { recursive: true });
  page = await browser.newPage();
  await signIn(page, app, member);
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await app?.close();
});

/** The fine-tune answers even examples right; the base model none (one with an unfinished <think>). */
const answer = (target: string, index: number) => {
  if (target === 'v1')
    return index % 2 === 0 ? { output: examples[index]!.reference } : { output: `答案是 ${index}。` };
  if (index === 1) return { output: '', thinking: '让我想想……', flags: ['unterminated_think'] };
  return { output: 'I am not sure.', flags: index === 2 ? ['max_new_tokens_reached'] : [] };
};

const status = () => page.locator('[data-testid=evaluation-status]').first().getAttribute('data-status');

describe('evaluations in a real browser', () => {
  let evaluationId: string;
  let job: ClaimedEvaluation;
  let scored: ReturnType<typeof exampleRows>;

  it(
    'the form creates an evaluation of a base model beside its fine-tune; a bad field is named, nothing stored',
    { timeout: 90_000 },
    async () => {
      await page.goto(`${app.url}/projects/${projectId}`);
      await page.locator('[data-testid=project-evaluations]').click();
      await page.waitForURL('**/evaluations');
      await page.locator('[data-testid=evaluation-new]').click();
      await page.waitForURL('**/evaluations/new');

      await page.locator('[data-testid=evaluation-dataset]').selectOption(datasetId);
      await page.locator('[data-testid=evaluation-version]').selectOption(versionId);
      // Choosing the fine-tune offers its base model beside it.
      await page.locator('[data-testid=evaluation-add-version]').selectOption(modelVersionId);
      const suggestion = page.locator('[data-testid=evaluation-suggestion]');
      expect(await suggestion.innerText()).toContain(TINY);
      await suggestion.locator('button').click();
      expect(await suggestion.count()).toBe(0);
      expect(await page.locator('[data-testid=evaluation-targets] li').allInnerTexts()).toEqual([
        expect.stringContaining('sft v1'),
        expect.stringContaining(TINY),
      ]);
      // The API's defaults show as placeholders.
      expect(await page.locator('#evaluation-maxNewTokens').getAttribute('placeholder')).toBe('256');
      expect(await page.locator('#evaluation-maxSeqLength').getAttribute('placeholder')).toBe('2048');
      const estimate = page.locator('[data-testid=evaluation-estimate]');
      await expect
        .poll(() => estimate.innerText(), SOON)
        .toBe('12 examples × 2 models × 2 suites = 48 answers to score');
      await page.fill('#evaluation-maxExamples', '4');
      await expect
        .poll(() => estimate.innerText(), SOON)
        .toBe('4 examples × 2 models × 2 suites = 16 answers to score');
      await page.fill('#evaluation-maxExamples', '');

      // Out of range: only the API knows the range; its message shows on the field, and nothing is created.
      await page.fill('#evaluation-maxNewTokens', '5000');
      await page.locator('[data-testid=evaluation-create]').click();
      await page.locator('#evaluation-maxNewTokens-error').waitFor();
      expect(await page.locator('#evaluation-maxNewTokens-error').innerText()).toBe('must be 1 to 4096');
      expect(page.url()).toMatch(/\/evaluations\/new$/);
      const listed = await app.gql(
        `query($p: ID!) { evaluations(projectId: $p) { totalCount } }`,
        { p: projectId },
        member.token,
      );
      expect(listed.data!.evaluations.totalCount).toBe(0);

      await page.fill('#evaluation-maxNewTokens', '32');
      await page.fill('#evaluation-name', '基座 vs 微调');
      await page.locator('[data-testid=evaluation-create]').click();
      await page.waitForURL(/\/evaluations\/[0-9a-f-]+$/, { timeout: 15_000 });
      evaluationId = page.url().split('/').pop()!;
      expect(await page.locator('main h1').innerText()).toBe('#1 基座 vs 微调');
      expect(await status()).toBe('QUEUED');
      expect(await page.locator('[data-testid=evaluation-metrics]').innerText()).toContain(
        'Metrics appear when the evaluation succeeds.',
      );
    },
  );

  it('the page follows the evaluation live to its metric table with 95% intervals', { timeout: 90_000 }, async () => {
    job = await claimEvaluation(app, worker);
    expect(job.id).toBe(evaluationId);
    expect(job.rows).toBe(EXAMPLES);
    expect(job.targets.map((t) => t.key).sort()).toEqual(['base-tiny-qwen3', 'v1']);
    expect(job.spec.suites).toMatchObject({ generation: { max_new_tokens: 32, do_sample: false } });
    scored = exampleRows(job, examples, answer);
    const total = scored.length;
    expect(total).toBe(48);

    // Half the rows: the page shows the progress and the evaluator's phase as they arrive.
    await reportExamples(app, worker, job, scored.slice(0, 24), { done: 24, total });
    await expect.poll(status, { timeout: 15_000 }).toBe('RUNNING');
    const progress = page.locator('[data-testid=evaluation-summary] [role=progressbar]');
    await expect.poll(() => progress.getAttribute('aria-valuetext'), SOON).toContain('24 of 48 answers scored');
    expect(await page.locator('[data-testid=evaluation-phase]').innerText()).toMatch(/^evaluating /);
    await page.screenshot({ path: join(screenshots, 'evaluation-running.png'), fullPage: true });

    await reportExamples(app, worker, job, scored.slice(24), { done: total, total });
    await completeEvaluation(app, worker, job, { summary: summaryOf(scored, EXAMPLES) });
    await expect.poll(status, { timeout: 15_000 }).toBe('SUCCEEDED');

    // Rows: each metric of each suite; columns: the two models, each value with its interval.
    const metricRows = page.locator('[data-testid=metric-row]');
    await expect.poll(() => metricRows.count(), SOON).toBe(6);
    expect(await metricRows.evaluateAll((rs) => rs.map((r) => `${r.dataset.suite}/${r.dataset.metric}`))).toEqual([
      'perplexity/loss',
      'perplexity/perplexity',
      'generation/exact_match',
      'generation/rouge_l',
      'generation/bleu',
      'generation/chrf',
    ]);
    const exact = page.locator('[data-testid=metric-row][data-metric=exact_match]');
    // The fine-tune got 6 of 12 right: 50%, interval ±10%.
    expect(await exact.locator('td[data-target=v1]').innerText()).toBe('50%\n95% CI 45%–55%');
    expect(await exact.locator('td[data-target=base-tiny-qwen3]').innerText()).toBe('0%\n95% CI 0%–0%');
    expect(await page.locator('[data-testid=evaluation-metrics] thead').innerText()).toMatch(/sft v1\s+llm-trainer/);
    expect(await page.locator('[data-testid=summary-flag]').allInnerTexts()).toEqual([
      'hit the token limit × 1',
      'unterminated <think> × 1',
    ]);
    await page.screenshot({ path: join(screenshots, 'evaluation-page.png'), fullPage: true });
  });

  it(
    'the examples sit side by side per index, and filter by model, suite, text and wrong answers',
    { timeout: 60_000 },
    async () => {
      const cards = page.locator('[data-testid=example]');
      await expect.poll(() => cards.count(), SOON).toBe(10); // a page: 10 examples (40 rows: 2 models × 2 suites), a card each
      const first = cards.first();
      expect(await first.getAttribute('data-index')).toBe('0');
      expect(await first.locator('[data-testid=example-prompt]').innerText()).toBe(examples[0]!.prompt);
      expect(await first.locator('[data-testid=example-reference]').innerText()).toBe(examples[0]!.reference);
      expect(
        await first.locator('[data-testid=example-answer]').evaluateAll((a) => a.map((e) => e.dataset.target)),
      ).toEqual(['v1', 'base-tiny-qwen3']);
      // Its answer, verdict and scores from both suites, together.
      const tuned = await first.locator('[data-testid=example-answer][data-target=v1]').innerText();
      for (const text of ['Right', examples[0]!.reference, 'ROUGE-L', 'Loss', 'Perplexity'])
        expect(tuned).toContain(text);

      const count = page.locator('[data-testid=evaluation-examples] .load-more .count');
      expect(await count.innerText()).toBe('10 examples shown (40 of 48 answers)');
      // Load more: the rest, each example once.
      await page.locator('[data-testid=evaluation-examples] button', { hasText: 'Load more' }).click();
      await expect.poll(() => cards.count(), SOON).toBe(12);

      // The unterminated <think>: flagged, its thinking kept apart behind a toggle.
      const thinking = page.locator('[data-testid=example][data-index="1"]');
      expect(await thinking.locator('[data-testid=example-flag]').allInnerTexts()).toEqual(['unterminated <think>']);
      await thinking.locator('summary').click();
      expect(await thinking.locator('details').innerText()).toContain('让我想想');

      await page.selectOption('#examples-suite', 'generation');
      await expect.poll(() => cards.count(), SOON).toBe(EXAMPLES);
      await page.check('#examples-only-wrong');
      // Wrong: all of the base model's answers, the fine-tune's to odd examples; those show both.
      await expect.poll(() => cards.count(), SOON).toBe(EXAMPLES);
      const both = page.locator('[data-testid=example][data-index="3"] [data-testid=example-answer]');
      expect(await both.allInnerTexts()).toEqual([expect.stringContaining('Wrong'), expect.stringContaining('Wrong')]);
      const even = page.locator('[data-testid=example][data-index="2"] [data-testid=example-answer][data-target=v1]');
      expect(await even.innerText()).toContain('Not shown by these filters.');
      await page.selectOption('#examples-target', 'v1');
      await expect.poll(() => cards.count(), SOON).toBe(EXAMPLES / 2);
      await page.uncheck('#examples-only-wrong');
      await page.fill('#examples-search', '问题 4');
      await expect.poll(() => cards.evaluateAll((cs) => cs.map((c) => c.dataset.index)), SOON).toEqual(['4']);
      await page.fill('#examples-search', 'no such text');
      await page.locator('[data-testid=examples-empty]').waitFor();
    },
  );

  it('reads the same after a reload, and in Chinese', { timeout: 60_000 }, async () => {
    await page.reload();
    const exact = page.locator('[data-testid=metric-row][data-metric=exact_match]');
    await exact.waitFor();
    expect(await exact.locator('td[data-target=v1]').innerText()).toBe('50%\n95% CI 45%–55%');
    await page.selectOption('[data-testid=language-switch]', 'zh-CN');
    await expect.poll(() => exact.locator('th').innerText(), SOON).toContain('精确匹配');
    expect(await exact.locator('td[data-target=v1]').innerText()).toBe('50%\n95% 置信区间 45%–55%');
    expect(await page.locator('[data-testid=evaluation-status]').innerText()).toBe('已成功');
    expect(await page.locator('[data-testid=evaluation-examples] h2').innerText()).toBe('样例');
    await page.screenshot({ path: join(screenshots, 'evaluation-page-zh.png'), fullPage: true });
    await page.selectOption('[data-testid=language-switch]', 'en');
  });

  it('the same evaluation asked again answers at once from the cache, marked cached', { timeout: 60_000 }, async () => {
    const again = await app.gql(
      `mutation($i: CreateEvaluationInput!) { createEvaluation(input: $i) { id cached status } }`,
      {
        i: {
          datasetVersionId: versionId,
          targets: [{ modelVersionId }, { baseModelId: TINY }],
          suites: { perplexity: {}, generation: { maxNewTokens: 32 } },
          name: 'asked again',
        },
      },
      member.token,
    );
    expect(again.data!.createEvaluation).toMatchObject({ cached: true, status: 'SUCCEEDED' });

    await page.goto(`${app.url}/projects/${projectId}/evaluations`);
    const rows = page.locator('[data-testid=evaluation-row]');
    await expect.poll(() => rows.count(), SOON).toBe(2);
    const cached = rows.filter({ hasText: 'asked again' });
    expect(await cached.locator('[data-testid=evaluation-cached]').innerText()).toBe('Cached');
    expect(await rows.filter({ hasText: '基座 vs 微调' }).locator('[data-testid=evaluation-cached]').count()).toBe(0);
    expect(await cached.innerText()).toMatch(/sft v1[\s\S]*llm-trainer\/tiny-qwen3[\s\S]*eval-set · v1/);
    await page.screenshot({ path: join(screenshots, 'evaluations-list.png'), fullPage: true });
    await cached.locator('a').first().click();
    await page.waitForURL(/\/evaluations\/[0-9a-f-]+$/);
    await page.locator('[data-testid=evaluation-cached]').waitFor();
    const exact = page.locator('[data-testid=metric-row][data-metric=exact_match] td[data-target=v1]');
    expect(await exact.innerText()).toBe('50%\n95% CI 45%–55%');
    // The stored examples come with it.
    await expect.poll(() => page.locator('[data-testid=example]').count(), SOON).toBe(10);
  });

  it('a failed evaluation shows its reason and log tail, and can be retried', { timeout: 60_000 }, async () => {
    const created = await app.gql(
      `mutation($i: CreateEvaluationInput!) { createEvaluation(input: $i) { id } }`,
      { i: { datasetVersionId: versionId, targets: [{ modelVersionId }], suites: { perplexity: {} }, name: 'broken' } },
      member.token,
    );
    const id = created.data!.createEvaluation.id as string;
    await page.goto(`${app.url}/projects/${projectId}/evaluations/${id}`);
    await expect.poll(status, SOON).toBe('QUEUED');
    const failing = await claimEvaluation(app, worker);
    expect(failing.id).toBe(id);
    await completeEvaluation(app, worker, failing, {
      reason: 'invalid_spec',
      message: 'targets[0]: v1: the tokenizer has no chat template',
      logTail: ['loading tokenizer', 'no chat template'],
    });
    await expect.poll(status, { timeout: 15_000 }).toBe('FAILED');
    expect(await page.locator('[data-testid=evaluation-error]').innerText()).toBe(
      'targets[0]: v1: the tokenizer has no chat template',
    );
    expect(
      await page.locator('[role=alert]', { hasText: 'The evaluation failed: invalid_spec' }).innerText(),
    ).toContain('no chat template');
    await page.screenshot({ path: join(screenshots, 'evaluation-failed.png'), fullPage: true });
    await page.locator('[data-testid=evaluation-retry]').click();
    await expect.poll(status, { timeout: 15_000 }).toBe('QUEUED');
    await page.locator('[data-testid=evaluation-cancel]').click();
    await page.locator('dialog button', { hasText: 'Cancel evaluation' }).click();
    await expect.poll(status, { timeout: 15_000 }).toBe('CANCELLED');
  });

  it('the model version and its run list the evaluations that include it', { timeout: 60_000 }, async () => {
    await page.goto(`${app.url}/projects/${projectId}/models/${modelVersionId}`);
    const rows = page.locator('[data-testid=model-evaluations] [data-testid=evaluation-row]');
    await expect.poll(() => rows.count(), SOON).toBe(3);
    await page.goto(`${app.url}/projects/${projectId}/runs/${runId}`);
    await expect.poll(() => rows.count(), SOON).toBe(3);
    // "Evaluate" opens the form with the fine-tune beside its base model.
    await page.locator('[data-testid=model-evaluate]').click();
    await page.waitForURL('**/evaluations/new?modelVersionId=*');
    await expect
      .poll(() => page.locator('[data-testid=evaluation-targets] li').allInnerTexts(), SOON)
      .toEqual([expect.stringContaining(TINY), expect.stringContaining('sft v1')]);
  });

  it('on a phone (390×844) no evaluation page scrolls sideways', { timeout: 60_000 }, async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const pages = {
      list: `/projects/${projectId}/evaluations`,
      new: `/projects/${projectId}/evaluations/new?modelVersionId=${modelVersionId}`,
      evaluation: `/projects/${projectId}/evaluations/${evaluationId}`,
    };
    const overflowing: Record<string, number> = {};
    for (const [name, path] of Object.entries(pages)) {
      await page.goto(`${app.url}${path}`);
      await page.locator('main h1').first().waitFor();
      await page.waitForLoadState('networkidle');
      const px = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
      if (px > 0) overflowing[name] = px;
      await page.screenshot({ path: join(screenshots, `phone-evaluation-${name}.png`), fullPage: true });
    }
    expect(overflowing).toEqual({});
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it(
    'axe finds no serious or critical problem on the evaluation pages, light and dark, en and zh-CN',
    { timeout: 120_000 },
    async () => {
      const pages = {
        list: `/projects/${projectId}/evaluations`,
        new: `/projects/${projectId}/evaluations/new?modelVersionId=${modelVersionId}`,
        evaluation: `/projects/${projectId}/evaluations/${evaluationId}`,
      };
      const ready = async (name: string) => {
        if (name === 'evaluation') await page.locator('[data-testid=example]').first().waitFor();
        if (name === 'list') await page.locator('[data-testid=evaluation-row]').first().waitFor();
      };
      expect(await accessibilityProblems(page, app, pages, ready)).toEqual([]);
    },
  );

  it(
    'a multiple-choice set: its questions and subjects, the form offers its suite alone, accuracy per subject in both languages',
    { timeout: 90_000 },
    async () => {
      const questions = [
        { question: '中国的首都是哪里？', A: '上海', B: '北京', C: '广州', D: '深圳', answer: 'B', subject: '地理' },
        { question: '长江最终流入哪个海？', A: '东海', B: '南海', C: '黄海', D: '渤海', answer: 'A', subject: '地理' },
        { question: '三加五等于多少？', A: '七', B: '八', C: '九', D: '十', answer: 'B', subject: '数学' },
        { question: '一年有几个季节？', A: '两个', B: '三个', C: '四个', D: '五个', answer: 'C', subject: '常识' },
      ];
      const setId = await datasetVersion(app, member, projectId, 'zh-choices', questions);
      const choiceDataset = (
        await app.gql(`query($id: ID!) { datasetVersion(id: $id) { dataset { id } } }`, { id: setId }, member.token)
      ).data!.datasetVersion.dataset.id as string;

      // The version: each question with its choices, the answer marked; questions per subject.
      await page.goto(`${app.url}/projects/${projectId}/datasets/${choiceDataset}?version=${setId}&tab=preview`);
      const firstRow = page.locator('[data-testid=preview-row][data-index="0"]');
      await expect.poll(() => firstRow.innerText(), SOON).toContain('中国的首都是哪里？');
      expect(await firstRow.locator('li.right').innerText()).toBe('B. 北京 answer');
      expect(await firstRow.locator('[data-testid=select-row]').count()).toBe(0);
      await page.goto(`${app.url}/projects/${projectId}/datasets/${choiceDataset}?version=${setId}&tab=stats`);
      const subjects = page.locator('[data-testid=stats-subjects]');
      await expect.poll(() => subjects.innerText(), SOON).toContain('3 subjects');
      expect(await subjects.locator('li').allInnerTexts()).toEqual(['地理: 2', '常识: 1', '数学: 1']);

      await page.goto(`${app.url}/projects/${projectId}/evaluations/new`);
      await page.locator('[data-testid=evaluation-dataset]').selectOption(choiceDataset);
      await page.locator('[data-testid=evaluation-version]').selectOption(setId);
      const multipleChoice = page.locator('[data-testid=suite-multipleChoice]');
      await multipleChoice.waitFor();
      expect(await page.locator('[data-testid=suite-perplexity], [data-testid=suite-generation]').count()).toBe(0);
      expect(await page.locator('#evaluation-batchSize').getAttribute('placeholder')).toBe('1');
      await page.locator('[data-testid=evaluation-add-version]').selectOption(modelVersionId);
      await expect
        .poll(() => page.locator('[data-testid=evaluation-estimate]').innerText(), SOON)
        .toBe('4 examples × 1 model × 1 suite = 4 answers to score');
      await page.selectOption('[data-testid=language-switch]', 'zh-CN');
      await expect.poll(() => multipleChoice.innerText(), SOON).toContain('批大小');
      await page.selectOption('[data-testid=language-switch]', 'en');
      await page.fill('#evaluation-name', '选择题');
      await page.locator('[data-testid=evaluation-create]').click();
      await page.waitForURL(/\/evaluations\/[0-9a-f-]+$/, { timeout: 15_000 });

      const mc = await claimEvaluation(app, worker);
      expect(mc.spec.dataset.schema_kind).toBe('multiple_choice');
      expect(mc.spec.suites).toEqual({
        perplexity: null,
        generation: null,
        multiple_choice: { batch_size: 1, apply_chat_template: false },
      });
      // The fine-tune answers "B" to every question: right on the first and third.
      const letters = ['A', 'B', 'C', 'D'] as const;
      const mcRows = questions.map((q, index) => {
        const choice = (l: (typeof letters)[number]) => `${l}. ${q[l]}`;
        return {
          index,
          target: 'v1',
          suite: 'multiple_choice',
          subject: q.subject,
          prompt: `${q.question}\n${letters.map(choice).join('\n')}`,
          reference: choice(q.answer as 'A'),
          output: choice('B'),
          thinking: null,
          flags: [],
          scores: { accuracy: q.answer === 'B' ? 1 : 0 },
          stats: { logprobs: [-2, -1, -3, -4] },
        };
      });
      await reportExamples(app, worker, mc, mcRows, { done: 4, total: 4 });
      const accuracy = (value: number, n: number) => ({
        accuracy: { value, low: value / 2, high: (1 + value) / 2, n },
      });
      await completeEvaluation(app, worker, mc, {
        summary: {
          examples: 4,
          bleu_tokenize: null,
          bootstrap: { samples: 1000, seed: 0, confidence: 0.95 },
          targets: {
            v1: {
              multiple_choice: {
                n: 4,
                metrics: accuracy(0.5, 4),
                flags: {},
                subjects: {
                  地理: { n: 2, metrics: accuracy(0.5, 2) },
                  数学: { n: 1, metrics: accuracy(1, 1) },
                  常识: { n: 1, metrics: accuracy(0, 1) },
                },
              },
            },
          },
        },
      });
      await expect.poll(status, { timeout: 15_000 }).toBe('SUCCEEDED');

      const rows = page.locator('[data-testid=metric-row]');
      await expect.poll(() => rows.count(), SOON).toBe(4);
      expect(await rows.evaluateAll((rs) => rs.map((r) => `${r.dataset.metric}/${r.dataset.subject ?? ''}`))).toEqual([
        'accuracy/',
        'accuracy/地理',
        'accuracy/常识',
        'accuracy/数学',
      ]);
      expect(await rows.first().locator('td[data-target=v1]').innerText()).toBe('50%\n95% CI 25%–75%');
      const geography = page.locator('[data-testid=metric-row][data-subject=地理]');
      expect(await geography.locator('th').innerText()).toBe('地理\nAccuracy on this subject');
      const card = page.locator('[data-testid=example][data-index="2"]');
      await expect.poll(() => card.innerText(), SOON).toContain('数学');
      expect(await card.locator('[data-testid=example-answer][data-target=v1]').innerText()).toContain('B. 八');
      await page.screenshot({ path: join(screenshots, 'evaluation-multiple-choice.png'), fullPage: true });

      await page.selectOption('[data-testid=language-switch]', 'zh-CN');
      await expect.poll(() => geography.locator('th').innerText(), SOON).toBe('地理\n该科目的准确率');
      expect(await rows.first().locator('td[data-target=v1]').innerText()).toBe('50%\n95% 置信区间 25%–75%');
      await page.screenshot({ path: join(screenshots, 'evaluation-multiple-choice-zh.png'), fullPage: true });
      await page.selectOption('[data-testid=language-switch]', 'en');
    },
  );
});
