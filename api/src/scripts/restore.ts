// `npm run restore -- <file> [--force]`: brings an install back to the state of a backup.
import { resolve } from 'node:path';
import { getConfig } from '../config.js';
import { restore, RestoreRefused } from '../db/backup.js';
import { openDatabase } from '../db/database.js';

const args = process.argv.slice(2);
const source = args.find((a) => !a.startsWith('--'));
if (!source) {
  console.error('usage: npm run restore -- <file.tar.gz> [--force]');
  process.exit(2);
}
const config = getConfig();
const database = await openDatabase(config);
try {
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), source);
  const manifest = await restore(database.url, config.dataDir, file, { force: args.includes('--force') });
  console.log(
    `restored ${file} (taken ${manifest.createdAt}) into ${database.embedded ? 'the embedded database' : 'DATABASE_URL'}`,
  );
} catch (error) {
  if (!(error instanceof RestoreRefused)) throw error;
  console.error(`restore refused: ${error.message}`);
  process.exitCode = 1;
} finally {
  await database.stop();
}
