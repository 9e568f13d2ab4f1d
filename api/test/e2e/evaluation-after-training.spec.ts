// A run that asks to be evaluated: when it succeeds, an evaluation of the base model vs the new model
// version on the dataset version's test split is queued with its completion, and the real agent runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../../workers/agent/src/agent.js';
import { createProject, createUser, loginAdmin, type TestUser } from '../factories.js';
import { errorCode, startTestApp, type TestApp } from '../test-app.js';
import { waitForEvent } from '../uploads.js';
import {
  CREATE_RUN,
  FINISHED,
  chatRows,
  datasetVersion,
  startAgent,
  tinyRun,
  waitForEvaluation,
  waitForRun,
} from '../training.js';

const PIPELINE = `mutation($i: ApplyDatasetPipelineInput!) { applyDatasetPipeline(input: $i) { id } }`;
const EVALUATIONS = `query($projectId: ID!) { evaluations(projectId: $projectId, first: 10) {
  nodes { id name status split targets { key modelVersionId baseModelId } }
} }`;
const MODEL = `query($id: ID!) { run(id: $id) { modelVersion { id } } }`;
const QUICK = { generation: { maxNewTokens: 4 }, perplexity: { maxSeqLength: 256 } };

let app: TestApp;
let user: TestUser;
let agent: Agent | null = null;
let projectId: string;
let whole: string;
let split: string;

beforeAll(async () => {
  app = await startTestApp({ RUN_QUEUE_MONITOR_SECONDS: '1', RUN_RETRY_DELAY_SECONDS: '0' });
  const admin = await loginAdmin(app);
  user = await createUser(app, ['MEMBER'], 'after-training');
  projectId = await createProject(app, user.token, 'Evaluate after training');
  whole = await datasetVersion(app, user, projectId, 'chat', chatRows(10));
  const res = await app.gql(
    PIPELINE,
    { i: { versionId: whole, steps: [{ op: 'SPLIT', ratios: [0.6, 0, 0.4], seed: 1 }] } },
    user.token,
  );
  expect(res.errors).toBeUndefined();
  split = res.data!.applyDatasetPipeline.id;
  await waitForEvent<{ datasetVersionProgress: { status: string } }>(
    app,
    user.token,
    `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status } }`,
    { id: split },
    (e) => e.datasetVersionProgress.status !== 'PROCESSING',
  );
  agent = await startAgent(app, admin, 'after-training');
}, 180_000);
afterAll(async () => {
  await agent?.stop();
  await app?.close();
});

describe('a run with evaluateAfter', () => {
  it('is refused, naming the field, on a version without a test split; nothing is queued', async () => {
    const res = await app.gql(CREATE_RUN, { i: { ...tinyRun(whole), evaluateAfter: QUICK } }, user.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields).toEqual([
      { field: 'input.evaluateAfter', message: expect.stringMatching(/no test split/) },
    ]);
    const bad = await app.gql(
      CREATE_RUN,
      { i: { ...tinyRun(split), evaluateAfter: { generation: { maxNewTokens: 5000 } } } },
      user.token,
    );
    expect(bad.errors![0].extensions!.fields).toEqual([
      { field: 'input.evaluateAfter.generation.maxNewTokens', message: 'must be 1 to 4096' },
    ]);
    // The training set's test split holds conversations, never multiple-choice questions.
    const choice = await app.gql(
      CREATE_RUN,
      { i: { ...tinyRun(split), evaluateAfter: { multipleChoice: {} } } },
      user.token,
    );
    expect(choice.errors![0].extensions!.fields).toEqual([
      {
        field: 'input.evaluateAfter.multipleChoice',
        message: 'needs multiple-choice questions; a run trains on conversations: use perplexity or generation',
      },
    ]);
    const runs = await app.runtime.pool.query(`select count(*)::int as n from runs where project_id = $1`, [projectId]);
    expect(runs.rows[0].n).toBe(0);
  });

  it('ends with an evaluation of the base model vs its result on the test split', async () => {
    const created = await app.gql(
      CREATE_RUN,
      { i: { ...tinyRun(split, { maxSteps: 2 }), evaluateAfter: QUICK } },
      user.token,
    );
    expect(created.errors).toBeUndefined();
    const runId = created.data!.createRun.id as string;
    const run = await waitForRun(app, user.token, runId, (r) => FINISHED.includes(r.status));
    expect(run.status).toBe('SUCCEEDED');
    const modelVersionId = (await app.gql(MODEL, { id: runId }, user.token)).data!.run.modelVersion.id;

    const listed = (await app.gql(EVALUATIONS, { projectId }, user.token)).data!.evaluations.nodes;
    expect(listed).toHaveLength(1);
    const [evaluation] = listed;
    expect(evaluation.split).toBe('test');
    expect(evaluation.targets).toEqual([
      { key: 'base-tiny-qwen3', modelVersionId: null, baseModelId: 'llm-trainer/tiny-qwen3' },
      { key: 'v1', modelVersionId, baseModelId: 'llm-trainer/tiny-qwen3' },
    ]);
    const done = await waitForEvaluation(app, user.token, evaluation.id, (e) => FINISHED.includes(e.status));
    expect(done.status).toBe('SUCCEEDED');
    // 4 test rows × 2 models × 2 suites.
    expect(done.progress).toEqual({ done: 16, total: 16 });
    for (const key of ['base-tiny-qwen3', 'v1']) {
      expect(Object.keys(done.summary!.targets[key]).sort()).toEqual(['generation', 'perplexity']);
      expect(done.summary!.targets[key].perplexity.metrics.loss.value).toBeGreaterThan(0);
    }
  }, 300_000);
});
