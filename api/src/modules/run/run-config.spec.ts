import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';
import { datasetVersion } from '../../../test/training.js';

const ESTIMATE = `query($input: RunConfigInput!) { estimateRun(input: $input) { totalGb weightsGb trainableParams trainTokens seconds fitsOn warnings } }`;

let app: TestApp;
let user: TestUser;
let chatVersion: string;
let preferenceVersion: string;
let dirtyVersion: string;
let choiceVersion: string;

const version = (projectId: string, name: string, lines: unknown[]) =>
  datasetVersion(app, user, projectId, name, lines);

beforeAll(async () => {
  app = await startTestApp();
  user = await createUser(app, ['MEMBER'], 'runs');
  const projectId = await createProject(app, user.token, 'Runs');
  const chat = (i: number) => ({
    messages: [
      { role: 'user', content: `问题 ${i}` },
      { role: 'assistant', content: `回答 ${i} `.repeat(20) },
    ],
  });
  chatVersion = await version(
    projectId,
    'chat',
    Array.from({ length: 50 }, (_, i) => chat(i)),
  );
  preferenceVersion = await version(projectId, 'prefs', [{ prompt: 'Which?', chosen: 'A', rejected: 'B' }]);
  dirtyVersion = await version(projectId, 'dirty', [chat(1), '{broken']);
  choiceVersion = await version(projectId, 'mc', [{ question: '一加一？', A: '一', B: '二', answer: 'B' }]);
});
afterAll(() => app.close());

const base = () => ({ datasetVersionId: chatVersion, baseModelId: 'Qwen/Qwen3-8B', method: 'LORA' });
const fields = (res: { errors?: { extensions?: Record<string, any> }[] }) =>
  res.errors![0].extensions!.fields.map((f: { field: string }) => f.field).sort();

describe('run configuration', () => {
  it('estimates memory and time; QLoRA needs less memory than LoRA, which needs less than full', async () => {
    const est = async (method: string) =>
      (await app.gql(ESTIMATE, { input: { ...base(), method } }, user.token)).data!.estimateRun;
    const [full, lora, qlora] = [await est('FULL'), await est('LORA'), await est('QLORA')];
    expect(qlora.totalGb).toBeLessThan(lora.totalGb);
    expect(lora.totalGb).toBeLessThan(full.totalGb);
    expect(lora.weightsGb).toBeCloseTo((8.2e9 * 2) / 1024 ** 3, 1);
    expect(lora.fitsOn).toContain('80 GB (A100 / H100)');
    expect(full.fitsOn).toEqual([]);
    expect(full.warnings.join(' ')).toMatch(/more than any single GPU/);
    expect(lora.trainTokens).toBeGreaterThan(50 * 20);
    expect(lora.warnings.join(' ')).toMatch(/think/);
  });

  it('applies presets, with the user overriding them', async () => {
    const input = {
      ...base(),
      method: 'QLORA',
      preset: 'QLORA_LOW_MEMORY',
      hyperparameters: { maxSeqLength: 1024, loraR: 8 },
    };
    expect((await app.gql(ESTIMATE, { input }, user.token)).errors).toBeUndefined();
    const created = await app.gql(
      `mutation($i: CreateRunInput!) { createRun(input: $i) { config } }`,
      { i: { ...input, name: 'preset' } },
      user.token,
    );
    expect(created.errors).toBeUndefined();
    const hyper = created.data!.createRun.config.hyperparameters;
    // From the preset where the user said nothing; the user's value where they did.
    expect(hyper).toMatchObject({ gradientAccumulationSteps: 16, loraAlpha: 32, gradientCheckpointing: true });
    expect(hyper).toMatchObject({ maxSeqLength: 1024, loraR: 8 });
  });

  it("answers the planner's defaults and presets: the values a run gets for what it leaves out", async () => {
    const res = await app.gql(
      `{ runDefaults { hyperparameters { maxSeqLength loraR precision evalSteps lrSchedulerType }
          presets { name method hyperparameters { learningRate gradientCheckpointing maxSeqLength } } } }`,
      {},
      user.token,
    );
    expect(res.errors).toBeUndefined();
    const { hyperparameters, presets } = res.data!.runDefaults;
    expect(hyperparameters).toEqual({
      maxSeqLength: 2048,
      loraR: 16,
      precision: 'BF16',
      evalSteps: null,
      lrSchedulerType: 'cosine',
    });
    expect(presets.map((p: { name: string }) => p.name)).toEqual(['LORA_QUICK', 'QLORA_LOW_MEMORY', 'FULL_FINE_TUNE']);
    expect(presets[2]).toEqual({
      name: 'FULL_FINE_TUNE',
      method: 'FULL',
      hyperparameters: { learningRate: 1e-5, gradientCheckpointing: true, maxSeqLength: 2048 },
    });
    // What the planner shows is what a run left at its defaults stores.
    const created = await app.gql(
      `mutation($i: CreateRunInput!) { createRun(input: $i) { config } }`,
      { i: { ...base(), name: 'defaults' } },
      user.token,
    );
    expect(created.data!.createRun.config.hyperparameters).toMatchObject({
      maxSeqLength: 2048,
      loraR: 16,
      precision: 'bf16',
      evalSteps: null,
    });
  });

  it('refuses invalid combinations, naming every field at once', async () => {
    const res = await app.gql(
      ESTIMATE,
      {
        input: {
          ...base(),
          method: 'QLORA',
          objective: 'DPO',
          hyperparameters: { maxSeqLength: 500_000, learningRate: 0, loraR: 0, lrSchedulerType: 'zigzag' },
          resources: { gpusPerNode: 0, nodes: 1, strategy: 'FSDP' },
        },
      },
      user.token,
    );
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(fields(res)).toEqual([
      'input.hyperparameters.learningRate',
      'input.hyperparameters.loraR',
      'input.hyperparameters.lrSchedulerType',
      'input.method',
      'input.objective',
      'input.resources.strategy',
    ]);
    const context = await app.gql(
      ESTIMATE,
      { input: { ...base(), hyperparameters: { maxSeqLength: 500_000 } } },
      user.token,
    );
    expect(context.errors![0].extensions!.fields).toEqual([
      {
        field: 'input.hyperparameters.maxSeqLength',
        message: 'must be at most 131072, the context length of Qwen/Qwen3-8B',
      },
    ]);
  });

  it('refuses DPO on chat data, SFT on preference data, and versions with unresolved problems', async () => {
    expect(fields(await app.gql(ESTIMATE, { input: { ...base(), objective: 'DPO' } }, user.token))).toEqual([
      'input.objective',
    ]);
    expect(
      fields(await app.gql(ESTIMATE, { input: { ...base(), datasetVersionId: preferenceVersion } }, user.token)),
    ).toEqual(['input.objective']);
    expect(
      (
        await app.gql(
          ESTIMATE,
          { input: { ...base(), datasetVersionId: preferenceVersion, objective: 'DPO' } },
          user.token,
        )
      ).errors,
    ).toBeUndefined();
    const dirty = await app.gql(ESTIMATE, { input: { ...base(), datasetVersionId: dirtyVersion } }, user.token);
    expect(dirty.errors![0].extensions!.fields[0]).toMatchObject({ field: 'input.datasetVersionId' });
    expect(fields(await app.gql(ESTIMATE, { input: { ...base(), baseModelId: 'meta/llama-9' } }, user.token))).toEqual([
      'input.baseModelId',
    ]);
  });

  it('refuses to train on multiple-choice questions: they are an evaluation set', async () => {
    const res = await app.gql(ESTIMATE, { input: { ...base(), datasetVersionId: choiceVersion } }, user.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields).toEqual([
      {
        field: 'input.datasetVersionId',
        message: 'version 1 holds multiple-choice questions: an evaluation set, not training data',
      },
    ]);
  });

  it('checks the worker pool: QLoRA needs a GPU worker, and no run asks for more GPUs than a worker has', async () => {
    const admin = (await loginAdmin(app)).token;
    const cpu = (await app.gql(`mutation { createWorkerToken(name: "cpu-box") { token } }`, {}, admin)).data!
      .createWorkerToken.token;
    const machine = { hostname: 'cpu-box', gpus: [], cpuCount: 8, memoryMb: 32_000, agentVersion: '0.1.0' };
    await app.gql(
      `mutation($input: RegisterWorkerInput!) { registerWorker(input: $input) { id } }`,
      { input: machine },
      cpu,
    );
    expect(fields(await app.gql(ESTIMATE, { input: { ...base(), method: 'QLORA' } }, user.token))).toEqual([
      'input.method',
    ]);
    expect(
      fields(await app.gql(ESTIMATE, { input: { ...base(), resources: { gpusPerNode: 2 } } }, user.token)),
    ).toEqual(['input.resources.gpusPerNode']);
  });

  it('createRun refuses what cannot be scheduled, by field, and queues nothing', async () => {
    const CREATE = `mutation($i: CreateRunInput!) { createRun(input: $i) { id } }`;
    const tiny = { datasetVersionId: chatVersion, baseModelId: 'llm-trainer/tiny-qwen3', method: 'LORA' };
    const cpu = { gpusPerNode: 0, nodes: 1 };
    const fp32 = { precision: 'FP32' };
    const refused = async (i: Record<string, unknown>) => fields(await app.gql(CREATE, { i }, user.token));
    const count = async () => (await app.runtime.pool.query(`select count(*)::int as n from runs`)).rows[0].n;
    const before = await count();
    expect(await refused({ ...tiny, resources: { gpusPerNode: 0, nodes: 2 } })).toContain('input.resources.nodes');
    expect(await refused({ ...tiny, resources: cpu, hyperparameters: { ...fp32, evalSteps: 10 } })).toEqual([
      'input.hyperparameters.evalSteps',
    ]);
    expect(await refused({ ...tiny, resources: cpu, hyperparameters: fp32, priority: 101 })).toEqual([
      'input.priority',
    ]);
    expect(await refused({ ...tiny, resources: cpu, hyperparameters: fp32, name: '  ' })).toEqual(['input.name']);
    expect(await refused({ ...tiny, resources: cpu })).toEqual(['input.hyperparameters.precision']);
    const viewer = await createUser(app, ['VIEWER'], 'viewer-only');
    expect(
      errorCode(await app.gql(CREATE, { i: { ...tiny, resources: cpu, hyperparameters: fp32 } }, viewer.token)),
    ).toBe('FORBIDDEN');
    expect(await count()).toBe(before);
  });
});
