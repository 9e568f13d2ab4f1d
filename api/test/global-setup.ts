import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded-postgres.js';

declare module 'vitest' {
  interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL (a server where we may create databases)
 * or embedded PostgreSQL in a child process. Every test file creates its own database on it.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'llmt-test-pg-'));
  const port = 55000 + Math.floor(Math.random() * 4000);
  // The server's files and its superuser password file both live in (and go with) this private dir.
  const pg: EmbeddedDatabase = await startEmbeddedPostgres({ databaseDir: join(dir, 'pg'), port, persistent: false });
  project.provide('adminDatabaseUrl', pg.adminUrl);
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
