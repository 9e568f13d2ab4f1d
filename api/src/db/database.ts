import { join } from 'node:path';
import type { Config } from '../config.js';
import { ensureDatabase, startEmbeddedPostgres } from './embedded-postgres.js';

export const EMBEDDED_DATABASE_NAME = 'llm_trainer';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  /** Stops the embedded PostgreSQL, if we started one. */
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise embedded PostgreSQL with its data under `DATA_DIR/postgres`. */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  const pg = await startEmbeddedPostgres({
    databaseDir: join(config.dataDir, 'postgres'),
    port: config.EMBEDDED_PG_PORT,
  });
  await ensureDatabase(pg.adminUrl, EMBEDDED_DATABASE_NAME);
  return { url: pg.urlFor(EMBEDDED_DATABASE_NAME), embedded: true, stop: () => pg.stop() };
}
