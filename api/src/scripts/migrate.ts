// `npm run db:migrate`: brings DATABASE_URL (or the embedded database) up to this release — migrations,
// built-in roles, the first administrator — and exits. The cluster's migration Job runs it before a
// rollout, so replicas started with RUN_MIGRATIONS=false never change the schema themselves.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { prepareDatabase } from '../app.js';
import { ConfigError, getConfig, repoRoot } from '../config.js';
import { openDatabase } from '../db/database.js';
import { openOrm } from '../db/orm.js';
import { createLogger } from '../logger.js';
import { PasswordHasher } from '../modules/auth/password.js';

const envFile = join(repoRoot, '.env');
if (existsSync(envFile)) process.loadEnvFile(envFile);
let config;
try {
  config = getConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
  process.exit(1);
}
const log = createLogger(config.LOG_LEVEL);
const database = await openDatabase(config);
try {
  const orm = await openOrm(database.url, 2, log);
  try {
    const hasher = new PasswordHasher(config.PASSWORD_HASH_CONCURRENCY);
    const { applied, generatedAdmin } = await prepareDatabase(orm, config, hasher, log);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    // Shown once, here only: set ADMIN_PASSWORD (a Secret) to choose it instead.
    if (generatedAdmin)
      console.log(`administrator created: ${generatedAdmin.email}, password ${generatedAdmin.password}`);
  } finally {
    await orm.close();
  }
} finally {
  await database.stop();
}
