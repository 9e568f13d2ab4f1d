// run:read and project:manage are new: what existed before them keeps working after the migration.
import { randomUUID } from 'node:crypto';
import type { AbstractSqlDriver } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migration20261207160000_scoped_permissions as Migration } from '../../../../migrations/Migration20261207160000_scoped_permissions.js';
import { createApiToken, createUser, loginAdmin } from '../../../test/factories.js';
import { startTestApp, type TestApp } from '../../../test/test-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

/** Replays the migration on rows written as they were before it. */
async function migrate() {
  const migration = new Migration(app.runtime.orm.em.getDriver() as AbstractSqlDriver, app.runtime.orm.config);
  await migration.up();
  for (const sql of migration.getQueries()) await app.runtime.pool.query(String(sql));
}

describe('the scoped-permissions migration', () => {
  it('gives custom roles run:read and project:manage, personal tokens run:read, and worker tokens nothing', async () => {
    const admin = await loginAdmin(app);
    const role = `ANALYST_${randomUUID().slice(0, 6).toUpperCase()}`;
    await app.gql(
      `mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }`,
      { i: { name: role, permissions: ['dataset:read'] } },
      admin.token,
    );
    const member = await createUser(app, ['MEMBER'], 'old-token');
    await createApiToken(app, member, ['dataset:read']);
    const worker = await app.gql(`mutation { createWorkerToken(name: "old-worker") { token } }`, {}, admin.token);
    expect(worker.errors).toBeUndefined();
    // As before the new permissions existed.
    await app.runtime.pool.query(
      `update roles set permissions = array_remove(permissions, 'run:read') where name = $1`,
      [role],
    );
    await app.runtime.pool.query(`update api_tokens set scopes = array_remove(scopes, 'run:read')`);

    await migrate();
    const roles = await app.runtime.pool.query(`select name, permissions from roles where name = $1`, [role]);
    expect(roles.rows[0].permissions).toEqual(['dataset:read', 'project:manage', 'run:read']);
    const tokens = await app.runtime.pool.query(`select scopes from api_tokens order by created_at`);
    expect(tokens.rows.map((r) => r.scopes)).toEqual([['dataset:read', 'run:read'], ['worker:run']]);
  });
});
