// The reported attacks on scoped API tokens: a token carries only its scopes, on every path to the data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createProject, createUser, type TestUser } from '../factories.js';
import { errorCode, startTestApp, type TestApp } from '../test-app.js';
import { CREATE_RUN, chatRows, datasetVersion, tinyRun } from '../training.js';
import { tusUpload } from '../uploads.js';

let app: TestApp;
let owner: TestUser;
let other: TestUser;
let projectId: string;
let runId: string;
let versionId: string;

beforeAll(async () => {
  app = await startTestApp();
  owner = await createUser(app, ['MEMBER'], 'owner');
  other = await createUser(app, ['MEMBER'], 'other');
  projectId = await createProject(app, owner.token, 'Scoped');
  versionId = await datasetVersion(app, owner, projectId, 'rows', chatRows(3));
  runId = (await app.gql(CREATE_RUN, { i: tinyRun(versionId) }, owner.token)).data!.createRun.id;
}, 120_000);
afterAll(() => app?.close());

const PROJECT = `query($id: ID!) { project(id: $id) { name members { nodes { role user { email } } } } }`;
const RUN_ROWS = `query($id: ID!) { run(id: $id) { id datasetVersion { rows { rows { data } } } } }`;

describe('a personal API token scoped to model:read', () => {
  it('cannot make another account an OWNER of the project', async () => {
    const token = await createApiToken(app, owner, ['model:read']);
    const res = await app.gql(
      `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }`,
      { i: { projectId, email: other.email, role: 'OWNER' } },
      token,
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    const members = (await app.gql(PROJECT, { id: projectId }, owner.token)).data!.project.members.nodes;
    expect(members.map((m: { user: { email: string } }) => m.user.email)).not.toContain(other.email);
  });

  it('cannot rename the project', async () => {
    const token = await createApiToken(app, owner, ['model:read']);
    const res = await app.gql(
      `mutation($i: UpdateProjectInput!) { updateProject(input: $i) { name } }`,
      { i: { id: projectId, name: 'Renamed by a script' } },
      token,
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect((await app.gql(PROJECT, { id: projectId }, owner.token)).data!.project.name).toBe('Scoped');
  });

  it("cannot read a run's dataset rows through run { datasetVersion { rows } }", async () => {
    const token = await createApiToken(app, owner, ['model:read']);
    const res = await app.gql(RUN_ROWS, { id: runId }, token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.data?.run ?? null).toBeNull();
  });
});

describe('leaving a project', () => {
  const REMOVE = `mutation($i: RemoveProjectMemberInput!) { removeProjectMember(input: $i) }`;
  const ADD = `mutation($i: AddProjectMemberInput!) { addProjectMember(input: $i) { role } }`;

  it('a token without project:manage cannot remove its owner; the owner, signed in, can leave', async () => {
    const viewer = await createUser(app, ['VIEWER'], 'leaver');
    await app.gql(ADD, { i: { projectId, email: viewer.email, role: 'VIEWER' } }, owner.token);
    const token = await createApiToken(app, viewer, ['model:read']);
    expect(errorCode(await app.gql(REMOVE, { i: { projectId, userId: viewer.id } }, token))).toBe('FORBIDDEN');
    const left = await app.gql(REMOVE, { i: { projectId, userId: viewer.id } }, viewer.token);
    expect(left.errors).toBeUndefined();
  });
});

describe('a personal API token scoped to run:read', () => {
  it("reads the run but not its dataset's rows without dataset:read", async () => {
    const token = await createApiToken(app, owner, ['run:read']);
    const run = await app.gql(`query($id: ID!) { run(id: $id) { id status } }`, { id: runId }, token);
    expect(run.data?.run.id).toBe(runId);
    const rows = await app.gql(RUN_ROWS, { id: runId }, token);
    expect(errorCode(rows)).toBe('FORBIDDEN');
    expect(rows.errors![0].message).toContain('dataset:read');
  });

  it('reads them with dataset:read as well', async () => {
    const token = await createApiToken(app, owner, ['run:read', 'dataset:read']);
    const res = await app.gql(RUN_ROWS, { id: runId }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.run.datasetVersion.rows.rows).toHaveLength(3);
  });
});

describe('the HTTP routes', () => {
  const get = (path: string, token: string) =>
    fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('bound a token by its scopes like GraphQL does', async () => {
    const modelOnly = await createApiToken(app, owner, ['model:read']);
    const datasetOnly = await createApiToken(app, owner, ['dataset:read']);
    const writer = await createApiToken(app, owner, ['dataset:write']);
    expect(await get(`/datasets/versions/${versionId}/download`, modelOnly)).toBe(403);
    expect(await get(`/datasets/versions/${versionId}/download`, datasetOnly)).toBe(200);
    // No model version has this id: refused without model:read, not found with it.
    const model = `/models/versions/00000000-0000-4000-8000-000000000000/download`;
    expect(await get(model, datasetOnly)).toBe(403);
    expect(await get(model, modelOnly)).toBe(404);
    expect(await get(`/worker/runs/${runId}/dataset`, datasetOnly)).toBe(403);
    await expect(tusUpload(app, datasetOnly, projectId, 'rows.jsonl', Buffer.from('{"text": "a"}\n'))).rejects.toThrow(
      /403/,
    );
    await expect(tusUpload(app, writer, projectId, 'rows.jsonl', Buffer.from('{"text": "a"}\n'))).resolves.toBeTruthy();
  });
});
