import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/test-app.js';
import { migrate, openOrm } from './orm.js';
import type { MikroORM } from '@mikro-orm/postgresql';

describe('migrations', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    orm = await openOrm(await freshDatabase(), 2);
  });
  afterAll(() => orm.close());

  it('apply to an empty database and leave no difference from the entities', async () => {
    expect((await migrate(orm)).length).toBeGreaterThan(0);
    // checkSchema() is true when the entities need a schema change the migrations do not make.
    expect(await orm.migrator.checkSchema()).toBe(false);
    const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  it('keep the audit log append-only', async () => {
    const conn = orm.em.getConnection();
    await conn.execute(
      `insert into audit_events (id, at, action, success, details) values (gen_random_uuid(), now(), 'test', true, '{}')`,
    );
    await expect(conn.execute(`update audit_events set action = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(conn.execute(`delete from audit_events`)).rejects.toThrow(/append-only/);
  });
});
