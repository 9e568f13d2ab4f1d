// Evaluation end to end through the real API, pg-boss queue, worker agent and Python evaluator, on CPU:
// the tiny Qwen3 (random weights, real tokenizer and chat template) against a LoRA fine-tune of it, on a
// Chinese conversation set with perplexity and generation, and on a Chinese multiple-choice set.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { errorCode, startTestApp, type GraphQLResponse, type TestApp } from '../test-app.js';
import { COMPLETE } from '../worker-ops.js';
import {
  CREATE_RUN,
  FINISHED,
  agentProcess,
  agentWorkRoot,
  chatRows,
  datasetVersion,
  running,
  startAgent,
  tinyRun,
  waitForEvaluation,
  waitForRun,
  workerToken,
  type EvaluationState,
} from '../training.js';

const CREATE = `mutation($i: CreateEvaluationInput!) {
  createEvaluation(input: $i) { id status cached summary progress { done total } }
}`;
const CANCEL = `mutation($id: ID!) { cancelEvaluation(id: $id) { status } }`;
const DETAIL = `query($id: ID!) { evaluation(id: $id) {
  status cached summary
  targets { key label modelVersionId baseModelId }
  attempts { nodes { number workerName outcome } }
} }`;
const EXAMPLES = `query($id: ID!, $after: String, $target: String, $suite: String, $search: String, $onlyWrong: Boolean) {
  evaluation(id: $id) {
    examples(first: 5, after: $after, target: $target, suite: $suite, search: $search, onlyWrong: $onlyWrong) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { index target suite subject prompt reference output thinking flags scores attempt }
    }
  }
}`;

const BASE = 'llm-trainer/tiny-qwen3';
/** The base model's key in rows and the summary (evaluation.service.ts names it). */
const BASE_KEY = 'base-tiny-qwen3';
const SYSTEM = '你是一个乐于助人的助手。';
const QA = [
  ['中国的首都是哪里？', '北京是中国的首都。'],
  ['一年有几个季节？', '一年有四个季节：春、夏、秋、冬。'],
  ['请用一句话介绍长城。', '长城是中国古代修建的伟大防御工程。'],
  ['三加五等于多少？', '三加五等于八。'],
];
const chineseRows = QA.map(([q, a], i) => ({
  messages: [
    ...(i === 0 ? [{ role: 'system', content: SYSTEM }] : []),
    { role: 'user', content: q },
    { role: 'assistant', content: a },
  ],
}));
const SUITES = ['generation', 'perplexity'];
/** C-Eval style: a question, choices A–D, the answer's letter and a subject. */
const CHOICES = [
  { question: '中国的首都是哪里？', A: '上海', B: '北京', C: '广州', D: '深圳', answer: 'B', subject: '地理' },
  { question: '一年有几个季节？', A: '两个', B: '三个', C: '四个', D: '五个', answer: 'C', subject: '常识' },
  { question: '长江最终流入哪个海？', A: '东海', B: '南海', C: '黄海', D: '渤海', answer: 'A', subject: '地理' },
  { question: '三加五等于多少？', A: '七', B: '八', C: '九', D: '十', answer: 'B', subject: '数学' },
];

let app: TestApp;
let user: TestUser;
let admin: TestUser;
let agent: Agent | null = null;
let projectId: string;
let evalSet: string;
let choiceSet: string;
let modelVersionId: string;

beforeAll(async () => {
  app = await startTestApp({ RUN_LEASE_SECONDS: '10', RUN_QUEUE_MONITOR_SECONDS: '1', RUN_RETRY_DELAY_SECONDS: '0' });
  admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'evaluator');
  projectId = await createProject(app, user.token, 'Evaluation');
  const train = await datasetVersion(app, user, projectId, 'train', chatRows(8));
  evalSet = await datasetVersion(app, user, projectId, 'zh-eval', chineseRows);
  choiceSet = await datasetVersion(app, user, projectId, 'zh-choices', CHOICES);
  agent = await startAgent(app, admin, 'eval-1');
  // One fine-tune shared by every test: two steps are enough to move the adapter off zero.
  const run = await app.gql(CREATE_RUN, { i: tinyRun(train, { maxSteps: 2, saveSteps: 2 }) }, user.token);
  const trained = await waitForRun(app, user.token, run.data!.createRun.id, (r) => FINISHED.includes(r.status));
  expect(trained.error).toBeNull();
  const versions = await app.gql(
    `query($p: ID!) { modelVersions(projectId: $p) { nodes { id } } }`,
    {
      p: projectId,
    },
    user.token,
  );
  modelVersionId = versions.data!.modelVersions.nodes[0].id;
}, 180_000);
afterAll(async () => {
  await agent?.stop({ abandon: true });
  await app?.close();
});

/** Base model vs its fine-tune on the Chinese set, both suites (small enough for a CPU). */
const input = (extra: Record<string, unknown> = {}) => ({
  datasetVersionId: evalSet,
  targets: [{ baseModelId: BASE }, { modelVersionId }],
  suites: { perplexity: { maxSeqLength: 256 }, generation: { maxNewTokens: 8 } },
  bootstrapSamples: 100,
  ...extra,
});

async function create(i: Record<string, unknown>) {
  const res = await app.gql(CREATE, { i }, user.token);
  expect(res.errors).toBeUndefined();
  return res.data!.createEvaluation as EvaluationState;
}

const finished = (id: string) => waitForEvaluation(app, user.token, id, (e) => FINISHED.includes(e.status));

interface Row {
  index: number;
  target: string;
  suite: string;
  subject: string | null;
  prompt: string;
  reference: string;
  output: string | null;
  thinking: string | null;
  flags: string[];
  scores: Record<string, number>;
  attempt: number;
}

/** Every example row, read page by page as the UI does. */
async function allRows(id: string, filter: Record<string, string | boolean> = {}): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (;;) {
    const res: GraphQLResponse = await app.gql(EXAMPLES, { id, after, ...filter }, user.token);
    expect(res.errors).toBeUndefined();
    const page = res.data!.evaluation.examples;
    rows.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return rows;
    after = page.pageInfo.endCursor;
  }
}

const keyOf = (r: Row) => `${r.target}/${r.suite}/${r.index}`;
const metricValues = (summary: Record<string, any>) =>
  Object.fromEntries(
    Object.entries(summary.targets).flatMap(([target, suites]) =>
      Object.entries(suites as Record<string, { metrics: Record<string, { value: number }> }>).flatMap(([suite, s]) =>
        Object.entries(s.metrics).map(([m, v]) => [`${target}/${suite}/${m}`, v.value]),
      ),
    ),
  );

let first: { id: string; summary: Record<string, any> };

describe('an evaluation of the tiny Qwen3 against its LoRA fine-tune on a Chinese set', () => {
  it('is queued, run by the agent and SUCCEEDED with metrics and intervals for both targets', async () => {
    const created = await create(input());
    expect(created).toMatchObject({ status: 'QUEUED', cached: false, summary: null });
    const done = await finished(created.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.progress).toEqual({ done: 16, total: 16 });
    const summary = done.summary!;
    first = { id: created.id, summary };
    expect(summary.examples).toBe(4);
    expect(summary.bleu_tokenize).toBe('zh');
    expect(Object.keys(summary.targets).sort()).toEqual([BASE_KEY, 'v1']);
    for (const key of [BASE_KEY, 'v1']) {
      const t = summary.targets[key];
      expect(Object.keys(t).sort()).toEqual(SUITES);
      expect(Object.keys(t.perplexity.metrics).sort()).toEqual(['loss', 'perplexity']);
      expect(Object.keys(t.generation.metrics).sort()).toEqual(['bleu', 'chrf', 'exact_match', 'rouge_l']);
      for (const m of [...Object.values(t.perplexity.metrics), ...Object.values(t.generation.metrics)] as {
        value: number;
        low: number;
        high: number;
      }[]) {
        expect(Number.isFinite(m.value)).toBe(true);
        expect(m.low).toBeLessThanOrEqual(m.value);
        expect(m.high).toBeGreaterThanOrEqual(m.value);
      }
    }
    // The adapter was loaded onto the base: the fine-tune scores differently.
    expect(summary.targets.v1.perplexity.metrics.loss.value).not.toBe(
      summary.targets[BASE_KEY].perplexity.metrics.loss.value,
    );

    const detail = (await app.gql(DETAIL, { id: created.id }, user.token)).data!.evaluation;
    expect(detail.targets).toEqual([
      { key: BASE_KEY, label: BASE, modelVersionId: null, baseModelId: BASE },
      { key: 'v1', label: expect.stringMatching(/ v1$/), modelVersionId, baseModelId: BASE },
    ]);
    expect(detail.attempts.nodes).toEqual([{ number: 1, workerName: 'eval-1', outcome: 'SUCCEEDED' }]);

    // The model version stays in the agent's cache for the next job; the attempt's files are gone.
    const cached = join(agentWorkRoot, 'eval-1', 'model-versions', modelVersionId);
    expect(readdirSync(cached)).toEqual(expect.arrayContaining(['adapter_config.json', 'adapter_model.safetensors']));
    await expect.poll(() => existsSync(join(agentWorkRoot, 'eval-1', 'evaluations', created.id))).toBe(false);
  }, 150_000);

  it('pages its examples: prompt, reference and each target’s output, searchable in Chinese', async () => {
    const rows = await allRows(first.id);
    expect(rows).toHaveLength(16);
    expect(new Set(rows.map(keyOf)).size).toBe(16);
    expect(rows.map((r) => r.index)).toEqual([...rows.map((r) => r.index)].sort((a, b) => a - b));
    const generation = rows.filter((r) => r.suite === 'generation');
    expect(generation.map((r) => r.target).sort()).toEqual([
      BASE_KEY,
      BASE_KEY,
      BASE_KEY,
      BASE_KEY,
      'v1',
      'v1',
      'v1',
      'v1',
    ]);
    for (const r of generation) {
      const [question, answer] = QA[r.index];
      expect(r.prompt).toContain(question);
      expect(r.reference).toBe(answer);
      expect(typeof r.output).toBe('string');
      expect(Object.keys(r.scores).sort()).toEqual(['bleu', 'chrf', 'exact_match', 'rouge_l']);
    }
    // A conversation with a system turn shows its roles.
    expect(generation.find((r) => r.index === 0)!.prompt).toBe(`[system] ${SYSTEM}\n\n[user] ${QA[0][0]}`);
    for (const r of rows.filter((r) => r.suite === 'perplexity')) {
      expect(r.output).toBeNull();
      expect(r.scores.loss).toBeGreaterThan(0);
    }
    const found = await allRows(first.id, { search: '长城', target: 'v1', suite: 'generation' });
    expect(found.map((r) => [r.index, r.target, r.suite])).toEqual([[2, 'v1', 'generation']]);
  });

  it('asked again, answers at once from the stored result (cached), with no job, and shows the stored rows', async () => {
    const again = await create(input());
    expect(again).toMatchObject({ status: 'SUCCEEDED', cached: true, progress: { done: 16, total: 16 } });
    expect(again.summary).toEqual(first.summary);
    expect(again.id).not.toBe(first.id);
    const { rows } = await app.runtime.pool.query(
      `select job_id, cached_from, attempt from evaluations where id = $1`,
      [again.id],
    );
    expect(rows).toEqual([{ job_id: null, cached_from: first.id, attempt: 0 }]);
    const jobs = await app.runtime.pool.query(`select count(*)::int as n from pgboss.job where data->>'id' = $1`, [
      again.id,
    ]);
    expect(jobs.rows[0].n).toBe(0);
    const detail = (await app.gql(DETAIL, { id: again.id }, user.token)).data!.evaluation;
    expect(detail).toMatchObject({ status: 'SUCCEEDED', cached: true, attempts: { nodes: [] } });
    expect((await allRows(again.id)).map(keyOf)).toEqual((await allRows(first.id)).map(keyOf));
    // An ended evaluation cannot be cancelled.
    const cancel = await app.gql(CANCEL, { id: again.id }, user.token);
    expect(errorCode(cancel)).toBe('CONFLICT');
  });
});

describe('a multiple-choice evaluation of the same two models on a Chinese C-Eval style set', () => {
  it('SUCCEEDED with accuracy and its interval per target and per subject; each example answered with a choice', async () => {
    const created = await create({
      datasetVersionId: choiceSet,
      targets: [{ baseModelId: BASE }, { modelVersionId }],
      suites: { multipleChoice: {} },
      bootstrapSamples: 100,
    });
    expect(created.status).toBe('QUEUED');
    const done = await finished(created.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.progress).toEqual({ done: 8, total: 8 });
    const summary = done.summary!;
    expect(summary.examples).toBe(4);
    expect(summary.bleu_tokenize).toBeNull();
    expect(Object.keys(summary.targets).sort()).toEqual([BASE_KEY, 'v1']);
    const inInterval = (m: { value: number; low: number; high: number }) => {
      expect(m.value).toBeGreaterThanOrEqual(0);
      expect(m.value).toBeLessThanOrEqual(1);
      expect(m.low).toBeLessThanOrEqual(m.value);
      expect(m.high).toBeGreaterThanOrEqual(m.value);
    };

    const rows = await allRows(created.id);
    expect(rows).toHaveLength(8);
    for (const r of rows) {
      const q = CHOICES[r.index];
      const options = (['A', 'B', 'C', 'D'] as const).map((l) => `${l}. ${q[l]}`);
      expect(r).toMatchObject({ suite: 'multiple_choice', subject: q.subject, thinking: null, flags: [] });
      expect(r.prompt).toContain(q.question);
      expect(r.prompt).toContain(options.join('\n'));
      expect(r.reference).toBe(`${q.answer}. ${q[q.answer as 'A']}`);
      // The most likely choice, by its letter.
      expect(options).toContain(r.output);
      expect(r.scores.accuracy).toBe(r.output === r.reference ? 1 : 0);
    }
    for (const key of [BASE_KEY, 'v1']) {
      const mc = summary.targets[key].multiple_choice;
      expect(Object.keys(summary.targets[key])).toEqual(['multiple_choice']);
      expect(mc.n).toBe(4);
      inInterval(mc.metrics.accuracy);
      const right = rows.filter((r) => r.target === key && r.scores.accuracy === 1).length;
      expect(mc.metrics.accuracy.value).toBeCloseTo(right / 4, 10);
      expect(Object.keys(mc.subjects).sort()).toEqual(['地理', '常识', '数学'].sort());
      expect(mc.subjects['地理'].n).toBe(2);
      for (const subject of Object.values(mc.subjects) as { metrics: { accuracy: any } }[])
        inInterval(subject.metrics.accuracy);
    }
    // "Only wrong answers" finds the multiple-choice misses.
    const wrong = await allRows(created.id, { onlyWrong: true });
    expect(wrong.map(keyOf).sort()).toEqual(
      rows
        .filter((r) => r.scores.accuracy === 0)
        .map(keyOf)
        .sort(),
    );
  }, 60_000);
});

describe('a worker SIGKILLed mid-evaluation', () => {
  let doomed: ChildProcess | null = null;
  afterAll(() => doomed?.kill('SIGKILL'));

  it('loses its lease; another worker finishes it from the stored rows: one row per example, the same numbers', async () => {
    // The same machine (work dir: the tiny model and the cached fine-tune are there), an agent that scores
    // one example a second.
    await agent!.stop();
    agent = null;
    const sameMachine = { workDir: join(agentWorkRoot, 'eval-1') };
    const slow = await agentProcess(app, admin, 'doomed', { example_delay_s: 1 }, sameMachine);
    doomed = slow.child;
    // More resamples than the first: a new cache key over the same examples and models.
    const { id } = await create(input({ bootstrapSamples: 200 }));
    const progressed = await waitForEvaluation(app, user.token, id, (e) => (e.progress?.done ?? 0) >= 3);
    expect(progressed.status).toBe('RUNNING');
    const evaluatorPid = Number(readFileSync(join(slow.workDir, 'job.pid'), 'utf8'));
    doomed.kill('SIGKILL');
    // The evaluator dies with its agent (lifeline).
    await expect.poll(() => running(evaluatorPid), { timeout: 5000, interval: 100 }).toBe(false);

    const requeued = await waitForEvaluation(app, user.token, id, (e) => e.status === 'QUEUED');
    expect(requeued.attempt).toBe(1);
    const { rows: before } = await app.runtime.pool.query(
      `select count(*)::int as n from evaluation_examples where evaluation_id = $1`,
      [id],
    );
    expect(before[0].n).toBeGreaterThanOrEqual(1);
    expect(before[0].n).toBeLessThan(16);

    agent = await startAgent(app, admin, 'rescuer', sameMachine);
    const done = await finished(id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempt).toBe(2);
    const detail = (await app.gql(DETAIL, { id }, user.token)).data!.evaluation;
    expect(detail.attempts.nodes).toEqual([
      { number: 2, workerName: 'rescuer', outcome: 'SUCCEEDED' },
      { number: 1, workerName: 'doomed', outcome: 'LEASE_EXPIRED' },
    ]);

    const rows = await allRows(id);
    expect(rows).toHaveLength(2 * SUITES.length * QA.length);
    expect(new Set(rows.map(keyOf)).size).toBe(rows.length);
    // The rows the killed attempt stored were kept, not scored again.
    expect(rows.filter((r) => r.attempt === 1)).toHaveLength(before[0].n);
    expect(rows.filter((r) => r.attempt === 2)).toHaveLength(16 - before[0].n);
    // The numbers equal the uninterrupted evaluation's (its intervals differ: other resamples).
    const resumed = metricValues(done.summary!);
    const straight = metricValues(first.summary);
    expect(Object.keys(resumed).sort()).toEqual(Object.keys(straight).sort());
    for (const [key, value] of Object.entries(straight)) expect(resumed[key], key).toBeCloseTo(value, 5);
  }, 180_000);
});

describe('bad inputs: a clear error naming the field, and nothing stored', () => {
  const stored = async () =>
    (
      await app.runtime.pool.query(
        `select (select count(*) from evaluations)::int as evaluations,
                (select count(*) from pgboss.job where data->>'kind' = 'EVALUATION')::int as jobs`,
      )
    ).rows[0];

  it('refuses each, field by field', async () => {
    const other = await createProject(app, user.token, 'Other');
    const otherSet = await datasetVersion(app, user, other, 'zh-other', chineseRows);
    const prefs = await datasetVersion(app, user, projectId, 'prefs', [
      { prompt: '你好', chosen: '你好！', rejected: '走开。' },
      { prompt: '谢谢', chosen: '不客气。', rejected: '哼。' },
    ]);
    // A version still being processed: one made READY here is turned back (processing takes no time here).
    const processing = await datasetVersion(app, user, projectId, 'zh-processing', chineseRows);
    await app.runtime.pool.query(`update dataset_versions set status = 'PROCESSING' where id = $1`, [processing]);
    const before = await stored();

    const refusal = async (i: Record<string, unknown>) => {
      const res = await app.gql(CREATE, { i }, user.token);
      expect(res.data).toBeNull();
      const [error] = res.errors!;
      return { code: error.extensions!.code, message: error.message, fields: error.extensions!.fields };
    };

    // A model version of another project does not exist for this one.
    expect(await refusal(input({ datasetVersionId: otherSet }))).toMatchObject({ code: 'NOT_FOUND' });
    const tooLong = await refusal(input({ suites: { generation: { maxNewTokens: 5000 } } }));
    expect(tooLong).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.suites.generation.maxNewTokens', message: 'must be 1 to 4096' }],
    });
    expect(tooLong.message).toContain('input.suites.generation.maxNewTokens');
    expect(await refusal(input({ suites: {} }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.suites', message: 'choose at least one suite' }],
    });
    expect(await refusal(input({ datasetVersionId: processing }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.datasetVersionId', message: expect.stringMatching(/is PROCESSING, not READY/) }],
    });
    expect(await refusal(input({ datasetVersionId: prefs }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: [{ field: 'input.datasetVersionId', message: expect.stringMatching(/holds preference rows/) }],
    });
    expect(await stored()).toEqual(before);
  });

  it('refuses a suite the set cannot feed, naming the suite: questions take multipleChoice only, conversations the others', async () => {
    const badAnswer = await datasetVersion(app, user, projectId, 'zh-choices-bad', [
      CHOICES[0],
      { ...CHOICES[1], answer: 'E' },
    ]);
    const before = await stored();
    const refusal = async (i: Record<string, unknown>) => {
      const res = await app.gql(CREATE, { i }, user.token);
      expect(res.data).toBeNull();
      return { code: res.errors![0].extensions!.code, fields: res.errors![0].extensions!.fields };
    };
    expect(await refusal(input({ datasetVersionId: choiceSet }))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        {
          field: 'input.suites.perplexity',
          message:
            'version 1 holds multiple-choice questions, which have no reference answer to score perplexity on; use multipleChoice',
        },
        {
          field: 'input.suites.generation',
          message:
            'version 1 holds multiple-choice questions, which have no reference answer to score generation on; use multipleChoice',
        },
      ],
    });
    expect(await refusal(input({ suites: { perplexity: {}, multipleChoice: {} } }))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        {
          field: 'input.suites.multipleChoice',
          message:
            'needs multiple-choice questions (question, choices, answer); version 1 holds openai rows: use perplexity or generation',
        },
      ],
    });
    expect(await refusal(input({ datasetVersionId: choiceSet, suites: { multipleChoice: { batchSize: 0 } } }))).toEqual(
      {
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'input.suites.multipleChoice.batchSize', message: 'must be 1 to 1024' }],
      },
    );
    // An answer that is not among the choices: that row is reported and not stored, and the set waits for a fix.
    expect(await refusal(input({ datasetVersionId: badAnswer, suites: { multipleChoice: {} } }))).toEqual({
      code: 'BAD_USER_INPUT',
      fields: [
        {
          field: 'input.datasetVersionId',
          message: 'version 1 has 1 rows with unresolved problems; drop or fix them first',
        },
      ],
    });
    expect(await stored()).toEqual(before);
  });
});

describe('a completion the result cannot be stored from', () => {
  it('is refused naming the field: a summary of another evaluator version, a summary missing a target', async () => {
    // Played by hand: no agent takes the job.
    await agent!.stop();
    agent = null;
    const token = await workerToken(app, admin, 'by-hand');
    const register = await app.gql(
      `mutation($i: RegisterWorkerInput!) { registerWorker(input: $i) { id } }`,
      { i: { hostname: 'by-hand', gpus: [], cpuCount: 2, memoryMb: 1024, agentVersion: 'test' } },
      token,
    );
    expect(register.errors).toBeUndefined();
    const { id } = await create(input({ maxExamples: 1 }));
    const claim = await app.gql(
      `mutation { claimJob(capabilities: { kinds: [EVALUATION] }) { ... on EvaluationJob { id attempt spec } } }`,
      {},
      token,
    );
    expect(claim.data!.claimJob).toMatchObject({ id, attempt: 1 });
    const job = { kind: 'EVALUATION', id, attempt: 1 };
    const summary = first.summary;
    const complete = (evaluation: Record<string, unknown>) =>
      app.gql(COMPLETE, { i: { job, outcome: 'SUCCEEDED', evaluation } }, token);

    // The cache trusts a stored result only from the evaluator version it keys by.
    const otherVersion = await complete({ summary, evaluatorVersion: '0' });
    expect(errorCode(otherVersion)).toBe('BAD_USER_INPUT');
    expect(otherVersion.errors![0].extensions!.fields).toEqual([
      { field: 'input.evaluation.evaluatorVersion', message: expect.stringMatching(/evaluator version 0.*expects 1/) },
    ]);
    const partial = await complete({
      summary: { ...summary, targets: { v1: summary.targets.v1 } },
      evaluatorVersion: '1',
    });
    expect(errorCode(partial)).toBe('BAD_USER_INPUT');
    expect(partial.errors![0].message).toContain(`input.evaluation.summary: no results for target ${BASE_KEY}`);
    const { rows } = await app.runtime.pool.query(`select status, summary from evaluations where id = $1`, [id]);
    expect(rows).toEqual([{ status: 'STARTING', summary: null }]);
  });
});
