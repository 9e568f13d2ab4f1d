import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./embedded-postgres.child.mjs', import.meta.url));

/** The superuser password every install had before passwords were generated. */
const LEGACY_PASSWORD = 'postgres';

/**
 * The superuser's password, kept (0600) in `file`: read, or generated on first use. Installs made
 * before this had the well-known postgres/postgres, which any local process could use.
 */
export function embeddedPassword(file: string): string {
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored) return stored;
  }
  mkdirSync(dirname(file), { recursive: true });
  const password = randomBytes(32).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Starts embedded PostgreSQL (initialising `databaseDir` on first use) in a supervised child process.
 * The superuser `postgres` has a random password kept in `passwordFile` (default: beside the data
 * directory, `<databaseDir>-password`); host connections need it (scram-sha-256). A data directory
 * still on the old default password is moved to the stored one on start.
 */
export async function startEmbeddedPostgres(opts: {
  databaseDir: string;
  port: number;
  persistent?: boolean;
  passwordFile?: string;
}): Promise<EmbeddedDatabase> {
  const passwordFile = opts.passwordFile ?? `${opts.databaseDir}-password`;
  const password = embeddedPassword(passwordFile);
  const persistent = opts.persistent ?? true;
  // The child reads the password from the file: command lines are visible to every local user.
  const args = { databaseDir: opts.databaseDir, port: opts.port, persistent, passwordFile };
  const child: ChildProcess = fork(childScript, [JSON.stringify(args)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: { ready: boolean; error?: string }) =>
      m.ready ? resolve() : reject(new Error(`embedded PostgreSQL failed to start: ${m.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited early (code ${code})`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.send('stop');
    }).then(() => {
      if (!persistent) rmSync(passwordFile, { force: true });
    });
  try {
    await rotateLegacyPassword(opts.port, password);
  } catch (error) {
    await stop();
    throw error;
  }
  const urlFor = (db: string) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${encodeURIComponent(db)}`;
  return { adminUrl: urlFor('postgres'), urlFor, stop };
}

/** Signs in with `password`; if the server still has the old default, changes it to `password`. */
async function rotateLegacyPassword(port: number, password: string) {
  const connect = async (pw: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: pw, database: 'postgres' });
    await client.connect();
    return client;
  };
  try {
    await (await connect(password)).end();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error; // 28P01: invalid_password
  }
  let legacy: pg.Client;
  try {
    legacy = await connect(LEGACY_PASSWORD);
  } catch {
    throw new Error(
      'embedded PostgreSQL refused the password in its password file (and the old default); restore the file or set DATABASE_URL',
    );
  }
  try {
    await legacy.query(`alter role postgres password '${password.replaceAll("'", "''")}'`);
  } finally {
    await legacy.end();
  }
}

/** Creates `database` if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
