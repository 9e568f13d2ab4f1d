import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, type TestUser } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';
import { tusUpload, waitForEvent } from '../../../test/uploads.js';

const CREATE_DATASET = `mutation($input: CreateDatasetInput!) { createDataset(input: $input) { id name } }`;
const CREATE_VERSION = `mutation($input: CreateDatasetVersionInput!) { createDatasetVersion(input: $input) { id number status } }`;
const PROGRESS = `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status rowsProcessed message } }`;
const VERSION = `query($id: ID!, $offset: Int, $limit: Int, $search: String) {
  datasetVersion(id: $id) {
    number status error rowCount contentHash schemaKind stats
    schema { kind format encoding mapping }
    validation { sourceRecords validRows invalidRows excludedRows unresolved problems { code count examples { line message } } }
    rows(offset: $offset, limit: $limit, search: $search) { total rows { index data } }
  }
}`;

let app: TestApp;
let owner: TestUser;
let projectId: string;
let datasetId: string;
beforeAll(async () => {
  app = await startTestApp({
    DATASET_UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
    DATASET_PROJECT_QUOTA_BYTES: String(5 * 1024 * 1024),
  });
  owner = await createUser(app, ['MEMBER'], 'datasets');
  projectId = await createProject(app, owner.token, 'Data');
  datasetId = (await app.gql(CREATE_DATASET, { input: { projectId, name: '客服对话' } }, owner.token)).data!
    .createDataset.id;
});
afterAll(() => app.close());

/** Upload → version → wait (subscription) until processed → the version. */
async function importFile(filename: string, data: Buffer, extra: Record<string, unknown> = {}, user = owner) {
  const uploadId = await tusUpload(app, user.token, projectId, filename, data);
  const created = await app.gql(CREATE_VERSION, { input: { datasetId, uploadId, ...extra } }, user.token);
  if (created.errors) throw new Error(JSON.stringify(created.errors));
  const id = created.data!.createDatasetVersion.id;
  const final = await waitForEvent<{ datasetVersionProgress: { status: string } }>(
    app,
    user.token,
    PROGRESS,
    { id },
    (e) => e.datasetVersionProgress.status !== 'PROCESSING',
  );
  return {
    id,
    final: final.datasetVersionProgress,
    version: (await app.gql(VERSION, { id }, user.token)).data!.datasetVersion,
  };
}

const chat = (q: string, a: string) =>
  JSON.stringify({
    conversations: [
      { from: 'human', value: q },
      { from: 'gpt', value: a },
    ],
  });

describe('dataset versions from uploads', () => {
  it('imports a ShareGPT JSONL through tus: detected, validated, previewable', async () => {
    const lines = Array.from({ length: 120 }, (_, i) => chat(`问题 ${i}`, `回答 ${i}`));
    const { final, version } = await importFile('sharegpt.jsonl', Buffer.from(lines.join('\n')), {
      message: '首次导入',
    });
    expect(final.status).toBe('READY');
    expect(version).toMatchObject({
      number: 1,
      rowCount: 120,
      schemaKind: 'SHAREGPT',
      schema: { format: 'JSONL', encoding: 'UTF8' },
    });
    expect(version.validation).toMatchObject({ sourceRecords: 120, validRows: 120, unresolved: 0, problems: [] });
    expect(version.stats.tokens.tokenizer).toBe('qwen3');
    expect(version.stats.languages.zh).toBe(120);
    expect(version.rows.rows.map((r: { index: number }) => r.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('pages at any offset and searches text', async () => {
    const { id } = await importFile(
      'paged.jsonl',
      Buffer.from(Array.from({ length: 300 }, (_, i) => chat(`q${i}`, `answer number ${i}`)).join('\n')),
    );
    const page = (await app.gql(VERSION, { id, offset: 250, limit: 3 }, owner.token)).data!.datasetVersion.rows;
    expect(page.total).toBe(300);
    expect(page.rows.map((r: { data: { messages: { content: string }[] } }) => r.data.messages[0].content)).toEqual([
      'q250',
      'q251',
      'q252',
    ]);
    const found = (await app.gql(VERSION, { id, search: 'ANSWER NUMBER 29', limit: 5 }, owner.token)).data!
      .datasetVersion.rows;
    expect(found.total).toBe(11); // 29, 290..299
    expect(found.rows[0].index).toBe(29);
    expect(errorCode(await app.gql(VERSION, { id, limit: 501 }, owner.token))).toBe('BAD_USER_INPUT');
  });

  it('imports a GBK CSV with the Chinese text intact', async () => {
    const csv = iconv.encode('instruction,output\n介绍一下长城,长城是中国古代的军事防御工程。\n', 'gbk');
    const { version } = await importFile('gbk.csv', csv);
    expect(version.schema).toMatchObject({ format: 'CSV', encoding: 'GB18030', kind: 'ALPACA' });
    expect(version.rows.rows[0].data.messages[1].content).toBe('长城是中国古代的军事防御工程。');
  });

  it('reports bad rows with line numbers, keeps the rest, and counts them unresolved', async () => {
    const { version } = await importFile(
      'mixed.jsonl',
      Buffer.from([chat('a', 'b'), '{broken', chat('c', '')].join('\n')),
    );
    expect(version.validation).toMatchObject({ sourceRecords: 3, validRows: 1, invalidRows: 2, unresolved: 2 });
    const parse = version.validation.problems.find((p: { code: string }) => p.code === 'PARSE_ERROR');
    expect(parse.examples[0].line).toBe(2);
    const excluded = await importFile(
      'mixed.jsonl',
      Buffer.from([chat('a', 'b'), '{broken', chat('c', '')].join('\n')),
      { excludeInvalidRows: true },
    );
    expect(excluded.version.validation).toMatchObject({ excludedRows: 2, unresolved: 0 });
    expect(excluded.version.rowCount).toBe(1);
  });

  it('fails the version with a clear reason for an unreadable file', async () => {
    const { final, version } = await importFile('empty.jsonl', Buffer.from('\n\n'));
    expect(final.status).toBe('FAILED');
    expect(version.error).toMatch(/no readable records/);
  });

  it('stores files by content hash, never by the client name', async () => {
    const uploadId = await tusUpload(app, owner.token, projectId, '../../etc/passwd', Buffer.from(chat('x', 'y')));
    const blobs = join(app.config.dataDir, 'uploads', 'blobs');
    const stored = readdirSync(blobs, { recursive: true }).map(String);
    expect(stored.some((p) => /^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(p))).toBe(true);
    expect(stored.some((p) => p.includes('passwd'))).toBe(false);
    expect(existsSync(join(app.config.dataDir, '..', 'etc', 'passwd'))).toBe(false);
    const detected = await app.gql(
      `query($p: ID!, $u: ID!) { detectUpload(projectId: $p, uploadId: $u) { format mapping } }`,
      { p: projectId, u: uploadId },
      owner.token,
    );
    expect(detected.data!.detectUpload.mapping.kind).toBe('sharegpt');
  });

  it('refuses an upload over the size limit before storing anything', async () => {
    const incoming = join(app.config.dataDir, 'uploads', 'incoming');
    const files = () => (existsSync(incoming) ? readdirSync(incoming, { recursive: true }).map(String) : []);
    const uploads = async () =>
      (await app.runtime.pool.query(`select count(*)::int as n from uploads where filename = 'big.jsonl'`)).rows[0].n;
    const before = files();
    await expect(
      tusUpload(app, owner.token, projectId, 'big.jsonl', Buffer.alloc(3 * 1024 * 1024, 'a')),
    ).rejects.toThrow(/413/);
    // No upload row, and no file left behind in the incoming folder.
    expect(await uploads()).toBe(0);
    expect(files()).toEqual(before);
  });

  it('refuses uploads beyond the project quota', async () => {
    const project = await createProject(app, owner.token, 'Quota');
    for (let i = 0; i < 2; i++)
      await tusUpload(app, owner.token, project, `f${i}.txt`, Buffer.alloc(2 * 1024 * 1024 - 10, 'b'));
    await expect(
      tusUpload(app, owner.token, project, 'f3.txt', Buffer.alloc(2 * 1024 * 1024 - 10, 'c')),
    ).rejects.toThrow(/quota/);
  });
});

describe('dataset access', () => {
  it('refuses uploads and versions without dataset:write or outside the project', async () => {
    const viewer = await createUser(app, ['VIEWER'], 'viewer');
    await expect(tusUpload(app, viewer.token, projectId, 'x.jsonl', Buffer.from(chat('a', 'b')))).rejects.toThrow(
      /403/,
    );
    const stranger = await createUser(app, ['MEMBER'], 'stranger');
    await expect(tusUpload(app, stranger.token, projectId, 'x.jsonl', Buffer.from(chat('a', 'b')))).rejects.toThrow(
      /404/,
    );
    expect(
      errorCode(await app.gql(`query($id: ID!) { dataset(id: $id) { name } }`, { id: datasetId }, stranger.token)),
    ).toBe('NOT_FOUND');
    expect(errorCode(await app.gql(CREATE_DATASET, { input: { projectId, name: 'mine' } }, viewer.token))).toBe(
      'FORBIDDEN',
    );
  });

  it('refuses a duplicate name and soft-deletes', async () => {
    expect(errorCode(await app.gql(CREATE_DATASET, { input: { projectId, name: '客服对话' } }, owner.token))).toBe(
      'CONFLICT',
    );
    const id = (await app.gql(CREATE_DATASET, { input: { projectId, name: 'temp' } }, owner.token)).data!.createDataset
      .id;
    await app.gql(`mutation($id: ID!) { deleteDataset(id: $id) { deletedAt } }`, { id }, owner.token);
    const list = await app.gql(
      `query($p: ID!) { datasets(projectId: $p) { nodes { name } } }`,
      { p: projectId },
      owner.token,
    );
    expect(list.data!.datasets.nodes.map((n: { name: string }) => n.name)).not.toContain('temp');
  });
});
