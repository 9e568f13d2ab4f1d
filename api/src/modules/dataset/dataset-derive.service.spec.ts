import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, type TestUser } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';
import { tusUpload, waitForEvent } from '../../../test/uploads.js';

const PROGRESS = `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status message } }`;
const VERSION = `query($id: ID!) { datasetVersion(id: $id) { number status error rowCount contentHash splits parentIds recipe
  validation { unresolved problems { code count } } stats rows(limit: 100) { rows { index data } } lineage { parents { id } children { id } } } }`;
const PIPELINE = `mutation($input: ApplyDatasetPipelineInput!) { applyDatasetPipeline(input: $input) { id } }`;
const EDIT = `mutation($input: EditDatasetRowsInput!) { editDatasetRows(input: $input) { id } }`;

let app: TestApp;
let owner: TestUser;
let projectId: string;
let baseId: string;

async function settle(id: string) {
  const done = await waitForEvent<{ datasetVersionProgress: { status: string; message: string | null } }>(
    app,
    owner.token,
    PROGRESS,
    { id },
    (e) => e.datasetVersionProgress.status !== 'PROCESSING',
  );
  expect(done.datasetVersionProgress).toMatchObject({ status: 'READY' });
  return (await app.gql(VERSION, { id }, owner.token)).data!.datasetVersion;
}

const chat = (q: string, a: string, system?: string) => ({
  messages: [
    ...(system ? [{ role: 'system', content: system }] : []),
    { role: 'user', content: q },
    { role: 'assistant', content: a },
  ],
});

beforeAll(async () => {
  app = await startTestApp();
  owner = await createUser(app, ['MEMBER'], 'derive');
  projectId = await createProject(app, owner.token, 'Derive');
  const datasetId = (
    await app.gql(
      `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }`,
      { i: { projectId, name: 'chats' } },
      owner.token,
    )
  ).data!.createDataset.id;
  const rows = [
    chat('Ｈｅｌｌｏ　ｗｏｒｌｄ', 'Hi!'),
    chat('Contact me at li.lei@example.com or 13812345678', 'Noted.'),
    chat('Same question', 'Same answer'),
    chat('same   QUESTION', 'same answer.'),
    chat('Same question', 'Same answer'),
    ...Array.from({ length: 15 }, (_, i) => chat(`问题 ${i}`, `回答 ${i}`, '你是一个乐于助人的助手。')),
  ];
  const uploadId = await tusUpload(
    app,
    owner.token,
    projectId,
    'chats.jsonl',
    Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n')),
  );
  const created = await app.gql(
    `mutation($i: CreateDatasetVersionInput!) { createDatasetVersion(input: $i) { id } }`,
    { i: { datasetId, uploadId } },
    owner.token,
  );
  baseId = created.data!.createDatasetVersion.id;
  await settle(baseId);
});
afterAll(() => app.close());

describe('preprocessing pipeline', () => {
  it('dedupes, normalises, scrubs PII and splits into a new version with lineage', async () => {
    const steps = [
      { op: 'DEDUPE_EXACT' },
      { op: 'NORMALIZE_TEXT' },
      { op: 'DEDUPE_NORMALIZED' },
      { op: 'SCRUB_PII' },
      { op: 'SPLIT', seed: 7, ratios: [0.8, 0.1, 0.1] },
    ];
    const id = (await app.gql(PIPELINE, { input: { versionId: baseId, steps, message: 'clean + split' } }, owner.token))
      .data!.applyDatasetPipeline.id;
    const v = await settle(id);
    expect(v.rowCount).toBe(18); // 20 − 1 exact duplicate − 1 near duplicate
    expect(v.splits).toEqual({ train: 14, validation: 1, test: 3 });
    expect(v.parentIds).toEqual([baseId]);
    expect(v.recipe.pipeline).toEqual(steps);
    expect(v.recipe.stepRows.map((s: { rows: number }) => s.rows)).toEqual([19, 19, 18, 18, 18]);
    const texts = v.rows.rows.map((r: { data: { messages: { content: string }[] } }) =>
      r.data.messages.map((m) => m.content).join(' | '),
    );
    expect(texts.some((t: string) => t.includes('Hello world'))).toBe(true);
    expect(texts.some((t: string) => t.includes('<EMAIL>') && t.includes('<PHONE>'))).toBe(true);
    expect(texts.join('\n')).not.toContain('li.lei@example.com');
    const base = (await app.gql(VERSION, { id: baseId }, owner.token)).data!.datasetVersion;
    expect(base.lineage.children.map((c: { id: string }) => c.id)).toContain(id);
  });

  it('gives the same hash for the same recipe on the same input', async () => {
    const steps = [
      { op: 'SHUFFLE', seed: 42 },
      { op: 'SAMPLE', count: 5 },
    ];
    const a = await settle(
      (await app.gql(PIPELINE, { input: { versionId: baseId, steps } }, owner.token)).data!.applyDatasetPipeline.id,
    );
    const b = await settle(
      (await app.gql(PIPELINE, { input: { versionId: baseId, steps } }, owner.token)).data!.applyDatasetPipeline.id,
    );
    expect(a.rowCount).toBe(5);
    expect(a.contentHash).toBe(b.contentHash);
    const c = await settle(
      (
        await app.gql(
          PIPELINE,
          {
            input: {
              versionId: baseId,
              steps: [
                { op: 'SHUFFLE', seed: 43 },
                { op: 'SAMPLE', count: 5 },
              ],
            },
          },
          owner.token,
        )
      ).data!.applyDatasetPipeline.id,
    );
    expect(c.contentHash).not.toBe(a.contentHash);
  });

  it('filters by length in characters and tokens, and drops invalid rows so none stay unresolved', async () => {
    const base = (await app.gql(VERSION, { id: baseId }, owner.token)).data!.datasetVersion;
    expect(base.validation.unresolved).toBe(1); // the exact duplicate
    const clean = await settle(
      (await app.gql(PIPELINE, { input: { versionId: baseId, steps: [{ op: 'DROP_INVALID' }] } }, owner.token)).data!
        .applyDatasetPipeline.id,
    );
    expect(clean.validation.unresolved).toBe(0);
    const short = await settle(
      (
        await app.gql(
          PIPELINE,
          { input: { versionId: baseId, steps: [{ op: 'FILTER_LENGTH', maxTokens: 8 }] } },
          owner.token,
        )
      ).data!.applyDatasetPipeline.id,
    );
    expect(short.rowCount).toBeGreaterThan(0);
    expect(short.rowCount).toBeLessThan(20);
  });

  it('refuses bad steps, naming the field', async () => {
    const bad = async (steps: unknown[]) =>
      (await app.gql(PIPELINE, { input: { versionId: baseId, steps } }, owner.token)).errors![0].extensions!.fields;
    expect(await bad([{ op: 'SPLIT', seed: 1, ratios: [0.5, 0.2, 0.2] }])).toEqual([
      { field: 'input.steps.0.ratios', message: 'must sum to 1' },
    ]);
    expect(
      (
        await bad([
          { op: 'SPLIT', seed: 1, ratios: [0.8, 0.1, 0.1] },
          { op: 'SHUFFLE', seed: 1 },
        ])
      )[0].field,
    ).toBe('input.steps.0.op');
    expect((await bad([{ op: 'SAMPLE', count: 0 }]))[0].field).toBe('input.steps.0.count');
    expect((await bad([{ op: 'DEDUPE_EXACT', seed: 3 }]))[0].field).toBe('input.steps.0.seed');
    expect((await bad([{ op: 'FILTER_LENGTH' }]))[0].field).toBe('input.steps.0');
  });
});

describe('editing rows', () => {
  it('saves updates, deletions and additions as a new version; the source stays as it was', async () => {
    const before = (await app.gql(VERSION, { id: baseId }, owner.token)).data!.datasetVersion;
    const edits = [
      { op: 'UPDATE', index: 0, row: chat('Hello world', 'Hello! How can I help?') },
      { op: 'DELETE', index: 4 },
      { op: 'ADD', row: chat('新问题', '新回答') },
    ];
    const id = (
      await app.gql(EDIT, { input: { versionId: baseId, edits, message: 'fix greeting, drop duplicate' } }, owner.token)
    ).data!.editDatasetRows.id;
    const v = await settle(id);
    expect(v.rowCount).toBe(20);
    expect(v.rows.rows[0].data.messages[1].content).toBe('Hello! How can I help?');
    expect(v.rows.rows.at(-1).data.messages[0].content).toBe('新问题');
    expect(v.recipe.edits).toEqual({ updated: 1, deleted: 1, added: 1 });
    const after = (await app.gql(VERSION, { id: baseId }, owner.token)).data!.datasetVersion;
    expect(after.contentHash).toBe(before.contentHash);

    const diff = await app.gql(
      `query($b: ID!, $h: ID!) { diffDatasetVersions(baseId: $b, headId: $h) { added removed changed unchanged statsDelta entries { kind base { index } head { index data } } } }`,
      { b: baseId, h: id },
      owner.token,
    );
    const d = diff.data!.diffDatasetVersions;
    expect([d.added, d.removed, d.changed, d.unchanged]).toEqual([1, 1, 1, 18]);
    expect(d.entries.map((e: { kind: string }) => e.kind)).toEqual(['CHANGED', 'REMOVED', 'ADDED']);
    expect(d.statsDelta.rows).toBe(0);
  });

  it('refuses rows that are not in the normalised form and out-of-range indices', async () => {
    const res = await app.gql(
      EDIT,
      { input: { versionId: baseId, message: 'x', edits: [{ op: 'UPDATE', index: 999, row: chat('a', 'b') }] } },
      owner.token,
    );
    expect(res.errors![0].extensions!.fields[0].field).toBe('input.edits.0.index');
    const shape = await app.gql(
      EDIT,
      {
        input: {
          versionId: baseId,
          message: 'x',
          edits: [{ op: 'ADD', row: { messages: [{ role: 'bot', content: 'x' }] } }],
        },
      },
      owner.token,
    );
    expect(shape.errors![0].extensions!.fields[0]).toEqual({
      field: 'input.edits.0.row',
      message: 'messages[0] has role "bot"',
    });
    expect(
      errorCode(
        await app.gql(
          EDIT,
          { input: { versionId: baseId, message: '', edits: [{ op: 'DELETE', index: 1 }] } },
          owner.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });
});

describe('template preview', () => {
  const RENDER = `query($v: ID!, $i: Int!, $m: String!, $l: Int!) { renderDatasetRow(versionId: $v, index: $i, baseModelId: $m, maxLength: $l) { text totalTokens trainedTokens truncatedAt warnings template tokens { text trained } } }`;

  it('renders through the Qwen3 template with an assistant-only mask and flags the empty think block', async () => {
    const r = (await app.gql(RENDER, { v: baseId, i: 5, m: 'Qwen/Qwen3-0.6B', l: 512 }, owner.token)).data!
      .renderDatasetRow;
    expect(r.template).toBe('qwen3');
    expect(r.text).toContain('<|im_start|>system\n你是一个乐于助人的助手。<|im_end|>');
    const trained = r.tokens
      .filter((t: { trained: boolean }) => t.trained)
      .map((t: { text: string }) => t.text)
      .join('');
    expect(trained).toContain('回答 0');
    expect(trained).toContain('<|im_end|>');
    expect(trained).not.toContain('问题 0');
    expect(r.warnings.join(' ')).toMatch(/empty <think><\/think>/);
  });

  it('marks truncation and uses the DeepSeek template for DeepSeek models', async () => {
    const r = (
      await app.gql(RENDER, { v: baseId, i: 5, m: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', l: 16 }, owner.token)
    ).data!.renderDatasetRow;
    expect(r.template).toBe('deepseek_r1');
    expect(r.text).toContain('<｜User｜>问题 0');
    expect(r.truncatedAt).toBe(16);
    expect(r.tokens).toHaveLength(16);
    expect(r.warnings.join(' ')).toMatch(/cuts/);
  });

  it('refuses unknown models and lengths beyond the context', async () => {
    expect(
      (await app.gql(RENDER, { v: baseId, i: 0, m: 'gpt-4', l: 512 }, owner.token)).errors![0].extensions!.fields[0]
        .field,
    ).toBe('baseModelId');
    expect(
      (await app.gql(RENDER, { v: baseId, i: 0, m: 'Qwen/Qwen3-0.6B', l: 10_000_000 }, owner.token)).errors![0]
        .extensions!.fields[0].field,
    ).toBe('maxLength');
  });
});

describe('download', () => {
  it('streams JSONL and writes Parquet, for members only', async () => {
    const url = `${app.url}/datasets/versions/${baseId}/download`;
    const jsonl = await fetch(url, { headers: { authorization: `Bearer ${owner.token}` } });
    expect(jsonl.headers.get('content-disposition')).toContain('chats-v1.jsonl');
    const lines = (await jsonl.text()).trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(JSON.parse(lines[5]).messages[2].content).toBe('回答 0');
    const parquet = await fetch(`${url}?format=parquet`, { headers: { authorization: `Bearer ${owner.token}` } });
    const bytes = Buffer.from(await parquet.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('PAR1');
    const stranger = await createUser(app, ['MEMBER'], 'stranger');
    expect((await fetch(url, { headers: { authorization: `Bearer ${stranger.token}` } })).status).toBe(404);
    expect((await fetch(url)).status).toBe(401);
  });
});
