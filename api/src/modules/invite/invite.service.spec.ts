import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, loginAdmin } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { user { email roles { name } } } }`;
const CREATE = `mutation($input: CreateInviteInput!) {
  createInvite(input: $input) { token path invite { id email role { name } expiresAt usedAt } }
}`;
const INVITES = `query($all: Boolean) { invites(includeInactive: $all) { nodes { id usedAt revokedAt role { name } } } }`;

let seq = 0;
const newcomer = (inviteToken?: string, email = `new-${seq++}@example.com`) => ({
  input: { email, password: 'long enough password', displayName: 'New', inviteToken },
});

/** The API's default mode outside the loopback demo: no REGISTRATION given. */
describe('registration by invite (the default)', () => {
  let app: TestApp;
  let admin: string;
  // Registrations from the test's one address must not meet the per-address budget.
  beforeAll(async () => {
    app = await startTestApp({ REGISTER_MAX_PER_CLIENT: '1000' });
    admin = (await loginAdmin(app)).token;
  });
  afterAll(() => app.close());

  const invite = async (input: Record<string, unknown> = {}) => {
    const res = await app.gql(CREATE, { input }, admin);
    expect(res.errors).toBeUndefined();
    return res.data!.createInvite as { token: string; path: string; invite: { id: string; role: { name: string } } };
  };

  it('refuses to register without an invite', async () => {
    expect(app.config.REGISTRATION).toBe('invite');
    const res = await app.gql(REGISTER, newcomer());
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toMatch(/invitation/);
  });

  it('an invite grants its role, once', async () => {
    const { token, path } = await invite({ role: 'MEMBER' });
    expect(path).toBe(`/register?invite=${token}`);
    const first = await app.gql(REGISTER, newcomer(token));
    expect(first.errors).toBeUndefined();
    expect(first.data!.register.user.roles).toEqual([{ name: 'MEMBER' }]);
    const again = await app.gql(REGISTER, newcomer(token));
    expect(errorCode(again)).toBe('FORBIDDEN');
    expect(again.errors![0].message).toMatch(/not valid/);
  });

  it('of two registrations racing with one invite, exactly one gets an account', async () => {
    const { token } = await invite();
    const results = await Promise.all([app.gql(REGISTER, newcomer(token)), app.gql(REGISTER, newcomer(token))]);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
  });

  it('gives the default role VIEWER when the invite names none', async () => {
    const { token, invite: created } = await invite();
    expect(created.role.name).toBe('VIEWER');
    const res = await app.gql(REGISTER, newcomer(token));
    expect(res.data!.register.user.roles).toEqual([{ name: 'VIEWER' }]);
  });

  it('refuses a revoked invite, and an invite meant for another email', async () => {
    const revoked = await invite();
    await app.gql(`mutation($id: ID!) { revokeInvite(id: $id) { revokedAt } }`, { id: revoked.invite.id }, admin);
    expect(errorCode(await app.gql(REGISTER, newcomer(revoked.token)))).toBe('FORBIDDEN');
    const bound = await invite({ email: 'Bound@Example.com' });
    expect(errorCode(await app.gql(REGISTER, newcomer(bound.token, 'other@example.com')))).toBe('FORBIDDEN');
    expect((await app.gql(REGISTER, newcomer(bound.token, 'bound@example.com'))).errors).toBeUndefined();
  });

  it('does not spend an invite on a registration that fails', async () => {
    const existing = await createUser(app, ['VIEWER'], 'taken');
    const { token, invite: created } = await invite();
    const taken = await app.gql(REGISTER, newcomer(token, existing.email));
    expect(errorCode(taken)).toBe('BAD_USER_INPUT');
    const open = await app.gql(INVITES, {}, admin);
    expect(open.data!.invites.nodes.map((n: { id: string }) => n.id)).toContain(created.id);
    expect((await app.gql(REGISTER, newcomer(token))).errors).toBeUndefined();
  });

  it('admin-created users given no role get the default role VIEWER too', async () => {
    const res = await app.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { roles { name } } }`,
      { input: { email: 'plain@example.com', displayName: 'P', password: 'long enough password' } },
      admin,
    );
    expect(res.data!.createUser.roles).toEqual([{ name: 'VIEWER' }]);
  });

  it('lets only user managers create, list and revoke invites; the secret is stored hashed', async () => {
    const member = await createUser(app, ['MEMBER'], 'inviter');
    expect(errorCode(await app.gql(CREATE, { input: {} }, member.token))).toBe('FORBIDDEN');
    const { token, invite: created } = await invite();
    const rows = await app.runtime.orm.em
      .getConnection()
      .execute<{ token_hash: string }[]>('select token_hash from invites where id = ?', [created.id]);
    expect(rows[0].token_hash).not.toContain(token);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('registration modes', () => {
  it('closed refuses every registration, invites included', async () => {
    const app = await startTestApp({ REGISTRATION: 'closed' });
    try {
      const admin = (await loginAdmin(app)).token;
      const { token } = (await app.gql(CREATE, { input: {} }, admin)).data!.createInvite;
      expect(errorCode(await app.gql(REGISTER, newcomer()))).toBe('FORBIDDEN');
      expect(errorCode(await app.gql(REGISTER, newcomer(token)))).toBe('FORBIDDEN');
    } finally {
      await app.close();
    }
  });

  it('open registers anyone as VIEWER, and a taken email is not named as an existing account', async () => {
    const app = await startTestApp({ REGISTRATION: 'open' });
    try {
      const first = await app.gql(REGISTER, newcomer(undefined, 'someone@example.com'));
      expect(first.data!.register.user.roles).toEqual([{ name: 'VIEWER' }]);
      const taken = await app.gql(REGISTER, newcomer(undefined, 'someone@example.com'));
      expect(errorCode(taken)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(taken.errors)).not.toMatch(/exist|already registered/i);
    } finally {
      await app.close();
    }
  });
});
