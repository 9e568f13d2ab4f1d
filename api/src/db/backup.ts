import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  cpSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import * as tar from 'tar';
// The agent's extraction (plain files and directories only) is the one the API uses too.
import { extractArchive, UnsafeArchiveError } from '../../../workers/agent/src/safe-extract.js';
import { migrate, openOrm } from './orm.js';

/**
 * Backup archive (tar.gz): `manifest.json`, `db/<table>.copy` (COPY text format, one consistent
 * snapshot) and `files/` (the data directory minus PostgreSQL's own files).
 *
 * Why not pg_dump: the embedded server is PostgreSQL 18 and the only pg_dump on these machines is
 * older, which refuses newer servers. COPY inside one REPEATABLE READ transaction gives the same
 * consistency, works on any server version, and restores through our own migrations.
 */
const FORMAT = 'llm-trainer-backup';
const FORMAT_VERSION = 1;
/** Never archived (nor replaced by a restore): the database's own files (it is dumped logically), its
 * superuser password (the one of the server running here) and scratch space. */
const SKIPPED_DIRS = new Set(['postgres', 'postgres-password', 'migration-scratch']);

interface Manifest {
  format: string;
  version: number;
  createdAt: string;
  migrations: string[];
  tables: { name: string; columns: string[]; rows: number }[];
}

async function connect(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Application tables, parents before children (foreign-key order), so a restore can COPY in order. */
async function tablesInDependencyOrder(client: pg.Client): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    `select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations'
      order by table_name`,
  );
  const { rows: edges } = await client.query<{ child: string; parent: string }>(
    `select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent
       from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where c.contype = 'f' and n.nspname = 'public'`,
  );
  const ordered: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (ordered.includes(name) || path.has(name)) return;
    path.add(name);
    for (const e of edges)
      if (e.child.replaceAll('"', '') === name && e.parent.replaceAll('"', '') !== name)
        visit(e.parent.replaceAll('"', ''), path);
    ordered.push(name);
  };
  for (const t of tables) visit(t.name, new Set());
  return ordered;
}

const quote = (ident: string) => `"${ident.replaceAll('"', '""')}"`;

export async function backup(databaseUrl: string, dataDir: string, archive: string): Promise<Manifest> {
  const stage = mkdtempSync(join(tmpdir(), 'llmt-backup-'));
  const client = await connect(databaseUrl);
  try {
    mkdirSync(join(stage, 'db'));
    // One snapshot for every table: rows written meanwhile are either wholly in or wholly out.
    await client.query('begin isolation level repeatable read read only');
    const { rows: migrationRows } = await client.query<{ name: string }>(
      'select name from mikro_orm_migrations order by id',
    );
    const tables: Manifest['tables'] = [];
    for (const name of await tablesInDependencyOrder(client)) {
      const { rows: cols } = await client.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_schema = 'public' and table_name = $1 order by ordinal_position`,
        [name],
      );
      const columns = cols.map((c) => c.column_name);
      const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${quote(name)}`);
      await pipeline(
        client.query(copyTo(`copy ${quote(name)} (${columns.map(quote).join(', ')}) to stdout`)),
        createWriteStream(join(stage, 'db', `${name}.copy`)),
      );
      tables.push({ name, columns, rows: Number(rows[0].n) });
    }
    await client.query('commit');
    mkdirSync(join(stage, 'files'));
    if (existsSync(dataDir)) {
      for (const entry of readdirSync(dataDir)) {
        if (!SKIPPED_DIRS.has(entry)) cpSync(join(dataDir, entry), join(stage, 'files', entry), { recursive: true });
      }
    }
    const manifest: Manifest = {
      format: FORMAT,
      version: FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      migrations: migrationRows.map((m) => m.name),
      tables,
    };
    writeFileSync(join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await tar.create({ gzip: true, file: archive, cwd: stage, portable: true }, ['manifest.json', 'db', 'files']);
    return manifest;
  } finally {
    await client.end();
    rmSync(stage, { recursive: true, force: true });
  }
}

export class RestoreRefused extends Error {}

/**
 * Restores an archive into `databaseUrl` and `dataDir`. Refuses a database that already holds users
 * unless `force` (which wipes it). Migrations are replayed to the archive's point, rows are copied
 * in, then any newer migrations of this version run, so an old backup restores into a newer release.
 */
export async function restore(
  databaseUrl: string,
  dataDir: string,
  archive: string,
  opts: { force?: boolean } = {},
): Promise<Manifest> {
  if (!existsSync(archive)) throw new RestoreRefused(`No such backup file: ${archive}`);
  const stage = mkdtempSync(join(tmpdir(), 'llmt-restore-'));
  try {
    await extractArchive(archive, stage).catch((error: unknown) => {
      if (error instanceof UnsafeArchiveError)
        throw new RestoreRefused(`${archive} cannot be restored: ${error.message}`);
      throw error;
    });
    const manifestFile = join(stage, 'manifest.json');
    if (!existsSync(manifestFile))
      throw new RestoreRefused(`${archive} is not an LLM Trainer backup (no manifest.json)`);
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (manifest.format !== FORMAT || manifest.version > FORMAT_VERSION) {
      throw new RestoreRefused(
        `${archive} is not a backup this version can read (format ${manifest.format} v${manifest.version})`,
      );
    }
    await prepareEmptySchema(databaseUrl, opts.force ?? false);

    const orm = await openOrm(databaseUrl, 2);
    try {
      const known = (await orm.migrator.getPending()).map((m) => m.name);
      const unknown = manifest.migrations.filter((m) => !known.includes(m));
      if (unknown.length)
        throw new RestoreRefused(
          `The backup comes from a newer version (migrations ${unknown.join(', ')}); upgrade first`,
        );
      const last = manifest.migrations.at(-1);
      if (last) await orm.migrator.up({ to: last });
    } finally {
      await orm.close();
    }
    await copyTablesIn(databaseUrl, stage, manifest);
    const after = await openOrm(databaseUrl, 2);
    await migrate(after);
    await after.close();

    mkdirSync(dataDir, { recursive: true });
    for (const entry of readdirSync(dataDir))
      if (!SKIPPED_DIRS.has(entry)) rmSync(join(dataDir, entry), { recursive: true, force: true });
    cpSync(join(stage, 'files'), dataDir, { recursive: true });
    return manifest;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

async function prepareEmptySchema(databaseUrl: string, force: boolean) {
  const client = await connect(databaseUrl);
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from information_schema.tables where table_schema = 'public' and table_name = 'users'`,
    );
    if (rows[0].n) {
      const { rows: users } = await client.query<{ n: number }>('select count(*)::int as n from users');
      if (users[0].n && !force) {
        throw new RestoreRefused('The target database already holds data; pass --force to replace it');
      }
    }
    await client.query('drop schema public cascade');
    await client.query('create schema public');
  } finally {
    await client.end();
  }
}

async function copyTablesIn(databaseUrl: string, stage: string, manifest: Manifest) {
  const client = await connect(databaseUrl);
  try {
    await client.query('begin');
    for (const table of manifest.tables) {
      await pipeline(
        createReadStream(join(stage, 'db', `${table.name}.copy`)),
        client.query(copyFrom(`copy ${quote(table.name)} (${table.columns.map(quote).join(', ')}) from stdin`)),
      );
      const { rows } = await client.query<{ n: string }>(`select count(*) as n from ${quote(table.name)}`);
      if (Number(rows[0].n) !== table.rows)
        throw new Error(`restored ${rows[0].n} rows into ${table.name}, expected ${table.rows}`);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
