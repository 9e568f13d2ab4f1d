import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const childScript = fileURLToPath(new URL('./embedded-postgres.child.mjs', import.meta.url));

/** Starts embedded PostgreSQL (initialising `databaseDir` on first use) in a supervised child process. */
export async function startEmbeddedPostgres(opts: {
  databaseDir: string;
  port: number;
  persistent?: boolean;
}): Promise<EmbeddedDatabase> {
  const child: ChildProcess = fork(childScript, [JSON.stringify({ persistent: true, ...opts })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: { ready: boolean; error?: string }) =>
      m.ready ? resolve() : reject(new Error(`embedded PostgreSQL failed to start: ${m.error}`)),
    );
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited early (code ${code})`)));
  });
  const urlFor = (db: string) => `postgresql://postgres:postgres@127.0.0.1:${opts.port}/${db}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
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
