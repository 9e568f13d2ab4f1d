// Applies pending migrations to DATABASE_URL or the embedded database (`npm run db:migrate`).
import { getConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrate, openOrm } from '../db/orm.js';

const database = await openDatabase(getConfig());
try {
  const orm = await openOrm(database.url, 2);
  const applied = await migrate(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  await orm.close();
} finally {
  await database.stop();
}
