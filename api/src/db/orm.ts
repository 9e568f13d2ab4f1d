import 'reflect-metadata';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { migrationsList } from '../../../migrations/index.js';
import { repoRoot } from '../config.js';
import { entities } from './entities.js';

export const migrationsDir = join(repoRoot, 'migrations');

/** `onQuery` sees every SQL statement (tests use it to prove list queries do not grow with N). */
export function ormOptions(clientUrl: string, poolMax = 10, log?: Logger, onQuery?: (sql: string) => void): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    pool: { min: 0, max: poolMax },
    debug: onQuery ? ['query'] : false,
    logger: (message) => {
      onQuery?.(message);
      log?.debug({ orm: message });
    },
    migrations: {
      path: migrationsDir,
      pathTs: migrationsDir,
      migrationsList,
      snapshot: true,
      snapshotName: '.snapshot',
      snapshotOnMigrate: false,
      transactional: true,
      allOrNothing: true,
    },
  });
}

export async function openOrm(
  clientUrl: string,
  poolMax = 10,
  log?: Logger,
  onQuery?: (sql: string) => void,
): Promise<MikroORM> {
  return MikroORM.init(ormOptions(clientUrl, poolMax, log, onQuery));
}

/** Applies pending migrations; returns their names. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}
