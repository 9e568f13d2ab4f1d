import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'llmt-pg-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const port = () => 58000 + Math.floor(Math.random() * 1000);

/** Connects as `user`/`password` and runs one query; the error code when refused. */
async function tryConnect(p: number, password: string): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port: p, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
    await client.query('select 1');
    return 'connected';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

describe('embedded PostgreSQL', () => {
  it('refuses the well-known postgres/postgres and keeps its own random password in a 0600 file', async () => {
    const databaseDir = join(dir, 'fresh');
    const passwordFile = join(dir, 'fresh-password');
    const p = port();
    const db = await startEmbeddedPostgres({ databaseDir, passwordFile, port: p, persistent: false });
    try {
      expect(await tryConnect(p, 'postgres')).toBe('28P01'); // invalid_password
      expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
      const password = readFileSync(passwordFile, 'utf8').trim();
      expect(password).toMatch(/^[\w-]{32,}$/);
      expect(await tryConnect(p, password)).toBe('connected');
      expect(new URL(db.adminUrl).password).toBe(password);
    } finally {
      await db.stop();
    }
  });

  it('rotates the old default password of an existing install on start and keeps working', async () => {
    const databaseDir = join(dir, 'old');
    const passwordFile = join(dir, 'old-password');
    const p = port();
    // An install from before: initialised, its superuser password the old default, no password file.
    const first = await startEmbeddedPostgres({ databaseDir, passwordFile, port: p });
    const client = new pg.Client({ connectionString: first.adminUrl });
    await client.connect();
    await client.query(`alter role postgres password 'postgres'`);
    await client.query('create table kept (v text)');
    await client.query(`insert into kept values ('still here')`);
    await client.end();
    await first.stop();
    rmSync(passwordFile);

    const again = await startEmbeddedPostgres({ databaseDir, passwordFile, port: p });
    try {
      expect(existsSync(passwordFile) && statSync(passwordFile).mode & 0o777).toBe(0o600);
      expect(await tryConnect(p, 'postgres')).toBe('28P01');
      const c = new pg.Client({ connectionString: again.adminUrl });
      await c.connect();
      expect((await c.query('select v from kept')).rows).toEqual([{ v: 'still here' }]);
      await c.end();
    } finally {
      await again.stop();
    }
  });
});
