import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser, loginAdmin, type TestUser } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';

const PROJECT = `query($id: ID!) { project(id: $id) { id name description myRole archivedAt members { nodes { role user { email } } totalCount } } }`;
const ADD = `mutation($input: AddProjectMemberInput!) { addProjectMember(input: $input) { role user { email } } }`;
const SET_ROLE = `mutation($input: SetProjectMemberRoleInput!) { setProjectMemberRole(input: $input) { role } }`;
const REMOVE = `mutation($input: RemoveProjectMemberInput!) { removeProjectMember(input: $input) }`;
const UPDATE = `mutation($input: UpdateProjectInput!) { updateProject(input: $input) { name description } }`;
const ARCHIVE = `mutation($id: ID!, $archived: Boolean!) { archiveProject(id: $id, archived: $archived) { archivedAt } }`;

let app: TestApp;
let owner: TestUser;
let stranger: TestUser;
let projectId: string;
beforeAll(async () => {
  app = await startTestApp();
  owner = await createUser(app, ['MEMBER'], 'owner');
  stranger = await createUser(app, ['MEMBER'], 'stranger');
  projectId = await createProject(app, owner.token, 'Qwen3 客服微调');
});
afterAll(() => app.close());

describe('projects', () => {
  it('the creator is OWNER and sees it listed; others do not', async () => {
    const mine = await app.gql(`{ projects { nodes { id name myRole } totalCount } }`, {}, owner.token);
    expect(mine.data!.projects.nodes).toEqual([{ id: projectId, name: 'Qwen3 客服微调', myRole: 'OWNER' }]);
    const theirs = await app.gql(`{ projects { nodes { id } totalCount } }`, {}, stranger.token);
    expect(theirs.data!.projects.totalCount).toBe(0);
  });

  it('gives NOT_FOUND (never the data) for another project by id', async () => {
    const res = await app.gql(PROJECT, { id: projectId }, stranger.token);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.data).toBeNull();
    for (const [query, vars] of [
      [UPDATE, { input: { id: projectId, name: 'hijacked' } }],
      [ARCHIVE, { id: projectId, archived: true }],
      [ADD, { input: { projectId, email: stranger.email, role: 'OWNER' } }],
    ] as const) {
      expect(errorCode(await app.gql(query, vars, stranger.token))).toBe('NOT_FOUND');
    }
    expect((await app.gql(PROJECT, { id: projectId }, owner.token)).data!.project.name).toBe('Qwen3 客服微调');
  });

  it('refuses a malformed id with BAD_USER_INPUT naming it', async () => {
    const res = await app.gql(PROJECT, { id: 'not-a-uuid' }, owner.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields[0].field).toBe('projectId');
  });

  it('refuses an empty or too long name', async () => {
    const empty = await app.gql(`mutation { createProject(input: { name: "  " }) { id } }`, {}, owner.token);
    expect(empty.errors![0].extensions!.fields).toEqual([{ field: 'input.name', message: 'must not be empty' }]);
    const long = await app.gql(UPDATE, { input: { id: projectId, name: 'x'.repeat(101) } }, owner.token);
    expect(long.errors![0].extensions!.fields[0].field).toBe('input.name');
  });

  it('paginates with cursors', async () => {
    const user = await createUser(app, ['MEMBER'], 'pager');
    for (let i = 0; i < 5; i++) await createProject(app, user.token, `P${i}`);
    const page = (after?: string) =>
      app.gql(
        `query($after: String) { projects(first: 2, after: $after) { nodes { name } pageInfo { endCursor hasNextPage } totalCount } }`,
        { after },
        user.token,
      );
    const names: string[] = [];
    let after: string | undefined;
    for (;;) {
      const res = (await page(after)).data!.projects;
      expect(res.totalCount).toBe(5);
      names.push(...res.nodes.map((n: { name: string }) => n.name));
      if (!res.pageInfo.hasNextPage) break;
      after = res.pageInfo.endCursor;
    }
    expect(names).toEqual(['P4', 'P3', 'P2', 'P1', 'P0']);
    expect(errorCode(await app.gql(`{ projects(first: 1000) { totalCount } }`, {}, user.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(`{ projects(after: "garbage") { totalCount } }`, {}, user.token))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('members', () => {
  it('an OWNER adds members by email; roles limit what they can do', async () => {
    const editor = await createUser(app, ['MEMBER'], 'editor');
    const viewer = await createUser(app, ['MEMBER'], 'viewer');
    expect(
      (await app.gql(ADD, { input: { projectId, email: editor.email.toUpperCase(), role: 'EDITOR' } }, owner.token))
        .data!.addProjectMember.role,
    ).toBe('EDITOR');
    await app.gql(ADD, { input: { projectId, email: viewer.email, role: 'VIEWER' } }, owner.token);

    expect(
      (await app.gql(UPDATE, { input: { id: projectId, description: 'by editor' } }, editor.token)).data!.updateProject
        .description,
    ).toBe('by editor');
    expect(errorCode(await app.gql(UPDATE, { input: { id: projectId, name: 'by viewer' } }, viewer.token))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await app.gql(ADD, { input: { projectId, email: stranger.email } }, editor.token))).toBe(
      'FORBIDDEN',
    );
    expect(errorCode(await app.gql(ARCHIVE, { id: projectId, archived: true }, editor.token))).toBe('FORBIDDEN');
    const project = (await app.gql(PROJECT, { id: projectId }, viewer.token)).data!.project;
    expect(project.myRole).toBe('VIEWER');
    expect(project.members.totalCount).toBe(3);
  });

  it('refuses unknown emails and duplicates clearly', async () => {
    expect(errorCode(await app.gql(ADD, { input: { projectId, email: 'ghost@example.com' } }, owner.token))).toBe(
      'NOT_FOUND',
    );
    const dup = await app.gql(ADD, { input: { projectId, email: owner.email } }, owner.token);
    expect(errorCode(dup)).toBe('CONFLICT');
  });

  it('answers alike for no such account, a disabled account and a worker account (no existence oracle)', async () => {
    const admin = await loginAdmin(app);
    const disabled = await createUser(app, ['MEMBER'], 'gone');
    await app.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: disabled.id }, admin.token);
    await app.gql(`mutation { createWorkerToken(name: "gpu-box") { token } }`, {}, admin.token);
    const answers = await Promise.all(
      ['ghost@example.com', disabled.email, 'gpu-box@workers.llm-trainer.invalid'].map(async (email) => {
        const res = await app.gql(ADD, { input: { projectId, email } }, owner.token);
        return { code: errorCode(res), message: res.errors![0].message };
      }),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0].code).toBe('NOT_FOUND');
  });

  it('keeps at least one OWNER', async () => {
    const demote = await app.gql(SET_ROLE, { input: { projectId, userId: owner.id, role: 'EDITOR' } }, owner.token);
    expect(errorCode(demote)).toBe('BAD_USER_INPUT');
    expect(errorCode(await app.gql(REMOVE, { input: { projectId, userId: owner.id } }, owner.token))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('members can leave; removed members lose access at once', async () => {
    const leaver = await createUser(app, ['MEMBER'], 'leaver');
    await app.gql(ADD, { input: { projectId, email: leaver.email } }, owner.token);
    expect(
      (await app.gql(REMOVE, { input: { projectId, userId: leaver.id } }, leaver.token)).data!.removeProjectMember,
    ).toBe(true);
    expect(errorCode(await app.gql(PROJECT, { id: projectId }, leaver.token))).toBe('NOT_FOUND');
  });

  it('an archived project refuses changes until unarchived, and leaves the default list', async () => {
    const id = await createProject(app, owner.token, 'Old');
    await app.gql(ARCHIVE, { id, archived: true }, owner.token);
    expect(errorCode(await app.gql(UPDATE, { input: { id, name: 'New' } }, owner.token))).toBe('CONFLICT');
    const listed = await app.gql(
      `{ projects { nodes { id } } archived: projects(includeArchived: true) { nodes { id } } }`,
      {},
      owner.token,
    );
    expect(listed.data!.projects.nodes.map((n: { id: string }) => n.id)).not.toContain(id);
    expect(listed.data!.archived.nodes.map((n: { id: string }) => n.id)).toContain(id);
    await app.gql(ARCHIVE, { id, archived: false }, owner.token);
    expect((await app.gql(UPDATE, { input: { id, name: 'New' } }, owner.token)).data!.updateProject.name).toBe('New');
  });

  it('a VIEWER (global role) cannot create projects', async () => {
    const viewer = await createUser(app, ['VIEWER'], 'globalviewer');
    expect(errorCode(await app.gql(`mutation { createProject(input: { name: "x" }) { id } }`, {}, viewer.token))).toBe(
      'FORBIDDEN',
    );
  });

  it('records membership changes in the audit log', async () => {
    const token = (await loginAdmin(app)).token;
    const res = await app.gql(
      `query($t: String) { auditEvents(filter: { targetId: $t }, first: 50) { nodes { action } } }`,
      { t: projectId },
      token,
    );
    const actions = res.data!.auditEvents.nodes.map((n: { action: string }) => n.action);
    expect(actions).toEqual(expect.arrayContaining(['project.create', 'project.member.add', 'project.member.remove']));
  });
});
