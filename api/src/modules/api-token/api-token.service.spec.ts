import { createHash } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, loginAdmin, type TestUser } from '../../../test/factories.js';
import { errorCode, startTestApp, type TestApp } from '../../../test/test-app.js';

const CREATE = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name prefix scopes expiresAt } } }`;
const ME = `{ me { email permissions } }`;

let app: TestApp;
let member: TestUser;
beforeAll(async () => {
  app = await startTestApp();
  member = await createUser(app, ['MEMBER'], 'tokens');
});
afterAll(() => app.close());

async function newToken(scopes: string[], extra: Record<string, unknown> = {}) {
  const res = await app.gql(CREATE, { input: { name: 'ci', scopes, ...extra } }, member.token);
  expect(res.errors).toBeUndefined();
  return res.data!.createApiToken as { token: string; apiToken: { id: string; prefix: string; scopes: string[] } };
}

/** Runs one operation over graphql-ws with the given connection params. */
function overWebSocket(query: string, connectionParams: Record<string, unknown>) {
  const client = createClient({
    url: app.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  return new Promise<{ data?: any; errors?: any; closed?: number }>((resolve) => {
    let result: { data?: any; errors?: any } = {};
    client.subscribe(
      { query },
      {
        next: (value) => void (result = value as never),
        error: (error) => resolve({ closed: (error as { code?: number }).code ?? -1, errors: error }),
        complete: () => resolve(result),
      },
    );
  }).finally(() => client.dispose());
}

describe('API tokens', () => {
  it('is shown once, stored hashed, and works as a Bearer token with only its scopes', async () => {
    const { token, apiToken } = await newToken(['dataset:read']);
    expect(token.startsWith('lt_pat_')).toBe(true);
    expect(token.startsWith(apiToken.prefix)).toBe(true);
    const me = await app.gql(ME, {}, token);
    expect(me.data!.me).toEqual({ email: member.email, permissions: ['dataset:read'] });
    // The listing never contains the secret.
    const listed = await app.gql(`{ apiTokens { nodes { id name prefix } } }`, {}, member.token);
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.data!.apiTokens.nodes.map((n: { id: string }) => n.id)).toContain(apiToken.id);
    // What the database keeps is the SHA-256 of the secret, and the secret appears in no column.
    const stored = await app.runtime.pool.query(`select * from api_tokens where id = $1`, [apiToken.id]);
    expect(stored.rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored.rows[0])).not.toContain(token.slice(apiToken.prefix.length));
  });

  it('cannot do what its scopes leave out, even when the owner could', async () => {
    const { token } = await newToken(['dataset:read']);
    expect(errorCode(await app.gql(`mutation { createProject(input: { name: "x" }) { id } }`, {}, token))).toBe(
      'FORBIDDEN',
    );
    const full = await newToken(['project:create']);
    expect(
      (await app.gql(`mutation { createProject(input: { name: "x" }) { id } }`, {}, full.token)).errors,
    ).toBeUndefined();
  });

  it('refuses scopes the user does not hold, naming them', async () => {
    const res = await app.gql(CREATE, { input: { name: 'x', scopes: ['user:manage', 'dataset:read'] } }, member.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields[0]).toMatchObject({ field: 'input.scopes' });
    expect(res.errors![0].message).toContain('user:manage');
  });

  it('refuses bad names, expiry and empty scopes', async () => {
    const res = await app.gql(CREATE, { input: { name: '', scopes: [], expiresInDays: 0 } }, member.token);
    const fields = res.errors![0].extensions!.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(['input.expiresInDays', 'input.name', 'input.scopes']);
  });

  it('cannot mint another token', async () => {
    const { token } = await newToken(['dataset:read']);
    expect(errorCode(await app.gql(CREATE, { input: { name: 'y', scopes: ['dataset:read'] } }, token))).toBe(
      'FORBIDDEN',
    );
  });

  it('stops working once revoked; others cannot revoke it', async () => {
    const { token, apiToken } = await newToken(['dataset:read']);
    const other = await createUser(app, ['MEMBER'], 'other');
    expect(
      errorCode(
        await app.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: apiToken.id }, other.token),
      ),
    ).toBe('NOT_FOUND');
    await app.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: apiToken.id }, member.token);
    expect(errorCode(await app.gql(ME, {}, token))).toBe('UNAUTHENTICATED');
  });

  it('stops working when its owner is disabled', async () => {
    const user = await createUser(app, ['MEMBER'], 'todisable');
    const created = await app.gql(CREATE, { input: { name: 'x', scopes: ['dataset:read'] } }, user.token);
    const token = created.data!.createApiToken.token;
    expect((await app.gql(ME, {}, token)).data!.me.email).toBe(user.email);
    await app.gql(`mutation($id: ID!) { disableUser(id: $id) { id } }`, { id: user.id }, (await loginAdmin(app)).token);
    expect(errorCode(await app.gql(ME, {}, token))).toBe('UNAUTHENTICATED');
  });
});

describe('graphql-ws on the same port and path', () => {
  it('accepts an API token in the connection params', async () => {
    const { token } = await newToken(['dataset:read']);
    const res = await overWebSocket(ME, { authorization: `Bearer ${token}` });
    expect(res.data.me.email).toBe(member.email);
  });

  it('accepts an access token in the connection params', async () => {
    const res = await overWebSocket(ME, { authorization: `Bearer ${member.token}` });
    expect(res.data.me.permissions).toContain('project:create');
  });

  it('closes the connection for an invalid token', async () => {
    const res = await overWebSocket(ME, { authorization: 'Bearer lt_pat_not-a-real-token' });
    expect(res.closed).toBe(4403);
  });

  it('applies the same rules and limits as HTTP', async () => {
    // No token, no socket: anonymous operations are refused at connection_init, as a bad token is.
    expect((await overWebSocket(ME, {})).closed).toBe(4403);
    const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { email }`).join(' ')} }`;
    const limited = await overWebSocket(aliases, { authorization: `Bearer ${member.token}` });
    expect(JSON.stringify(limited.errors)).toMatch(/alias/i);
  });
});
