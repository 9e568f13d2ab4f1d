import { existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import * as tar from 'tar';
import { afterAll, describe, expect, it } from 'vitest';
import { createProject, createUser, login, loginAdmin } from '../../test/factories.js';
import { freshDatabase, startTestApp, type TestApp } from '../../test/test-app.js';
import { backup, restore, RestoreRefused } from './backup.js';

/** Every row of every application table, as sorted JSON: the state a user could observe. */
async function snapshot(url: string): Promise<Record<string, string[]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ t: string }>(
      `select table_name as t from information_schema.tables where table_schema = 'public' and table_name <> 'mikro_orm_migrations' order by 1`,
    );
    const out: Record<string, string[]> = {};
    for (const { t } of tables) {
      const { rows } = await client.query(`select row_to_json(x)::text as j from "${t}" x`);
      out[t] = rows.map((r) => r.j as string).sort();
    }
    return out;
  } finally {
    await client.end();
  }
}

const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.close().catch(() => {});
});

describe('backup and restore', () => {
  it('brings a wiped install back to the same state', async () => {
    const app = await startTestApp();
    apps.push(app);
    const owner = await createUser(app, ['MEMBER'], 'backup');
    const projectId = await createProject(app, owner.token, '数据集项目');
    const created = await app.gql(
      `mutation { createApiToken(input: { name: "ci", scopes: ["dataset:read"] }) { token } }`,
      {},
      owner.token,
    );
    const apiToken = created.data!.createApiToken.token as string;
    mkdirSync(join(app.config.dataDir, 'storage'), { recursive: true });
    writeFileSync(join(app.config.dataDir, 'storage', 'sample.jsonl'), '{"instruction":"你好","output":"世界"}\n');
    const before = await snapshot(app.databaseUrl);

    const archive = join(mkdtempSync(join(tmpdir(), 'llmt-bk-')), 'backup.tar.gz');
    const manifest = await backup(app.databaseUrl, app.config.dataDir, archive);
    expect(manifest.tables.find((t) => t.name === 'projects')!.rows).toBe(1);

    // A fresh install: empty database, empty data directory.
    const freshUrl = await freshDatabase();
    const freshDir = mkdtempSync(join(tmpdir(), 'llmt-fresh-'));
    await restore(freshUrl, freshDir, archive);
    expect(await snapshot(freshUrl)).toEqual(before);
    expect(readFileSync(join(freshDir, 'storage', 'sample.jsonl'), 'utf8')).toContain('你好');
    expect(readFileSync(join(freshDir, 'jwt-secret'), 'utf8')).toBe(
      readFileSync(join(app.config.dataDir, 'jwt-secret'), 'utf8'),
    );

    // The restored install works: same passwords, same projects, same API tokens.
    const restored = await startTestApp({ DATABASE_URL: freshUrl, DATA_DIR: freshDir });
    apps.push(restored);
    const again = await login(restored, owner.email, owner.password);
    const projects = await restored.gql(`{ projects { nodes { id name } } }`, {}, again.token);
    expect(projects.data!.projects.nodes).toEqual([{ id: projectId, name: '数据集项目' }]);
    expect((await restored.gql(`{ me { email } }`, {}, apiToken)).data!.me.email).toBe(owner.email);
    expect(existsSync(join(freshDir, 'postgres'))).toBe(false);
  });

  it('refuses to overwrite a database that holds data unless forced', async () => {
    const app = await startTestApp();
    apps.push(app);
    await loginAdmin(app);
    const archive = join(mkdtempSync(join(tmpdir(), 'llmt-bk-')), 'b.tar.gz');
    await backup(app.databaseUrl, app.config.dataDir, archive);
    await expect(restore(app.databaseUrl, app.config.dataDir, archive)).rejects.toThrow(RestoreRefused);
    await expect(restore(app.databaseUrl, app.config.dataDir, archive, { force: true })).resolves.toBeTruthy();
  });

  it('refuses a file that is not a backup, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmt-bk-'));
    const bogus = join(dir, 'notes.tar.gz');
    writeFileSync(bogus, 'hello');
    await expect(restore(await freshDatabase(), dir, join(dir, 'missing.tar.gz'))).rejects.toThrow(
      /No such backup file/,
    );
    await expect(restore(await freshDatabase(), dir, bogus)).rejects.toThrow();
  });

  it('refuses a backup holding a symbolic link before touching the database or the files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmt-bk-'));
    const stage = join(dir, 'stage');
    mkdirSync(join(stage, 'files'), { recursive: true });
    const manifest = { format: 'llm-trainer-backup', version: 1, createdAt: '', migrations: [], tables: [] };
    writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest));
    symlinkSync('/etc/passwd', join(stage, 'files', 'jwt-secret'));
    const archive = join(dir, 'linked.tar.gz');
    await tar.c({ gzip: true, file: archive, cwd: stage }, ['manifest.json', 'files']);
    const dataDir = join(dir, 'data');
    await expect(restore(await freshDatabase(), dataDir, archive)).rejects.toThrow(
      new RestoreRefused(
        `${archive} cannot be restored: refused archive entry "files/jwt-secret": symbolic links are not allowed; nothing was extracted`,
      ),
    );
    expect(existsSync(dataDir) && lstatSync(join(dataDir, 'jwt-secret'), { throwIfNoEntry: false })).toBeFalsy();
  });
});
