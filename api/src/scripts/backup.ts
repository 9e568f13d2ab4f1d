// `npm run backup -- <file>`: one archive with a consistent database dump and the stored files.
import { resolve } from 'node:path';
import { getConfig } from '../config.js';
import { backup } from '../db/backup.js';
import { openDatabase } from '../db/database.js';

const target = process.argv[2];
if (!target) {
  console.error('usage: npm run backup -- <file.tar.gz>');
  process.exit(2);
}
const config = getConfig();
const database = await openDatabase(config);
try {
  const file = resolve(process.env.INIT_CWD ?? process.cwd(), target);
  const manifest = await backup(database.url, config.dataDir, file);
  const rows = manifest.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(`backup written to ${file}: ${manifest.tables.length} tables, ${rows} rows, plus stored files`);
  if (config.storage.kind === 's3')
    console.log(
      `stored files are in s3://${config.storage.bucket}${config.storage.prefix ? `/${config.storage.prefix}` : ''}, not in this archive: ` +
        'copy the bucket after this backup (its objects never change, so a later copy holds everything the dump refers to)',
    );
} finally {
  await database.stop();
}
