import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login, loginAdmin } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';

let app: TestApp;
let admin: Awaited<ReturnType<typeof loginAdmin>>;
beforeAll(async () => {
  app = await startTestApp();
  admin = await loginAdmin(app);
});
afterAll(() => app.close());

const USERS = `query($search: String, $after: String, $disabled: Boolean) {
  users(search: $search, first: 2, after: $after, disabled: $disabled) { nodes { email roles { name } } pageInfo { endCursor hasNextPage } totalCount }
}`;

describe('user administration', () => {
  it('searches users by email or display name, paginated', async () => {
    for (const name of ['searchable', 'searchable', 'searchable']) await createUser(app, ['VIEWER'], name);
    const first = (await app.gql(USERS, { search: 'SEARCHABLE' }, admin.token)).data!.users;
    expect(first.totalCount).toBe(3);
    expect(first.nodes).toHaveLength(2);
    const second = (await app.gql(USERS, { search: 'searchable', after: first.pageInfo.endCursor }, admin.token)).data!
      .users;
    expect(second.nodes).toHaveLength(1);
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect(second.nodes[0].roles).toEqual([{ name: 'VIEWER' }]);
  });

  it('treats % and _ in a search as plain characters', async () => {
    expect((await app.gql(USERS, { search: '%' }, admin.token)).data!.users.totalCount).toBe(0);
  });

  it('assigns roles; the user gains the permissions on their next request', async () => {
    const user = await createUser(app, ['VIEWER'], 'promoted');
    expect(errorCode(await app.gql(`mutation { createProject(input: { name: "x" }) { id } }`, {}, user.token))).toBe(
      'FORBIDDEN',
    );
    const res = await app.gql(
      `mutation($input: SetUserRolesInput!) { setUserRoles(input: $input) { roles { name } } }`,
      { input: { userId: user.id, roles: ['MEMBER', 'VIEWER'] } },
      admin.token,
    );
    expect(res.data!.setUserRoles.roles).toEqual([{ name: 'MEMBER' }, { name: 'VIEWER' }]);
    expect(
      (await app.gql(`mutation { createProject(input: { name: "x" }) { id } }`, {}, user.token)).errors,
    ).toBeUndefined();
  });

  it('refuses unknown roles and an admin removing their own admin rights', async () => {
    const user = await createUser(app, ['VIEWER'], 'x');
    const unknown = await app.gql(
      `mutation($input: SetUserRolesInput!) { setUserRoles(input: $input) { id } }`,
      { input: { userId: user.id, roles: ['WIZARD'] } },
      admin.token,
    );
    expect(unknown.errors![0].extensions!.fields[0]).toEqual({ field: 'input.roles', message: 'unknown role WIZARD' });
    const self = await app.gql(
      `mutation($input: SetUserRolesInput!) { setUserRoles(input: $input) { id } }`,
      { input: { userId: admin.id, roles: ['MEMBER'] } },
      admin.token,
    );
    expect(errorCode(self)).toBe('BAD_USER_INPUT');
  });

  it('creates custom roles from the permission catalogue only', async () => {
    const create = (input: object) =>
      app.gql(
        `mutation($input: CreateRoleInput!) { createRole(input: $input) { name permissions builtIn } }`,
        { input },
        admin.token,
      );
    const ok = await create({
      name: 'DATA_STEWARD',
      description: '数据管理员',
      permissions: ['dataset:write', 'dataset:read'],
    });
    expect(ok.data!.createRole).toEqual({
      name: 'DATA_STEWARD',
      permissions: ['dataset:read', 'dataset:write'],
      builtIn: false,
    });
    expect(errorCode(await create({ name: 'DATA_STEWARD', permissions: ['dataset:read'] }))).toBe('CONFLICT');
    const bad = await create({ name: 'bad name', permissions: ['dataset:fly'] });
    expect(bad.errors![0].extensions!.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'input.name',
      'input.permissions.0',
    ]);
    const steward = await createUser(app, ['DATA_STEWARD'], 'steward');
    const me = await app.gql(`{ me { permissions } }`, {}, steward.token);
    expect(me.data!.me.permissions).toEqual(['dataset:read', 'dataset:write']);
  });

  it('disables and re-enables a user; an admin cannot disable themself', async () => {
    const user = await createUser(app, ['MEMBER'], 'toggle');
    await app.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: user.id }, admin.token);
    expect((await app.gql(USERS, { search: 'toggle', disabled: true }, admin.token)).data!.users.totalCount).toBe(1);
    await app.gql(`mutation($id: ID!) { enableUser(id: $id) { id } }`, { id: user.id }, admin.token);
    await expect(login(app, user.email, user.password)).resolves.toBeTruthy();
    expect(
      errorCode(await app.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: admin.id }, admin.token)),
    ).toBe('BAD_USER_INPUT');
  });

  it('audits role changes and disabling', async () => {
    const res = await app.gql(`{ auditEvents(first: 100) { nodes { action } } }`, {}, admin.token);
    const actions = new Set(res.data!.auditEvents.nodes.map((n: { action: string }) => n.action));
    for (const action of ['user.create', 'user.roles.set', 'user.disable', 'user.enable', 'role.create'])
      expect(actions).toContain(action);
  });

  it('updates the profile, validating the language', async () => {
    const user = await createUser(app, ['MEMBER'], 'profile');
    const ok = await app.gql(
      `mutation { updateProfile(input: { displayName: "李雷", locale: "zh-CN" }) { displayName locale } }`,
      {},
      user.token,
    );
    expect(ok.data!.updateProfile).toEqual({ displayName: '李雷', locale: 'zh-CN' });
    const bad = await app.gql(`mutation { updateProfile(input: { locale: "fr" }) { locale } }`, {}, user.token);
    expect(bad.errors![0].extensions!.fields).toEqual([{ field: 'input.locale', message: 'must be en or zh-CN' }]);
  });
});

describe('data loading', () => {
  it('loads a page of users with their roles in a fixed number of queries', async () => {
    let queries = 0;
    const counted = await startTestApp({}, () => void queries++);
    try {
      const token = (await loginAdmin(counted)).token;
      for (let i = 0; i < 6; i++) await createUser(counted, ['MEMBER'], 'n');
      const count = async (first: number) => {
        queries = 0;
        const res = await counted.gql(
          `query($first: Int!) { users(first: $first) { nodes { email roles { name } } } }`,
          { first },
          token,
        );
        expect(res.data!.users.nodes).toHaveLength(first);
        return queries;
      };
      expect(await count(2)).toBe(await count(7));
    } finally {
      await counted.close();
    }
  });
});
