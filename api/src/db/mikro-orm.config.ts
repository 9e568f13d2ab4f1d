// Config for the MikroORM CLI (`npm run db:migration:create`). Uses DATABASE_URL or the embedded database.
import { getConfig } from '../config.js';
import { ormOptions } from './orm.js';

const config = getConfig();
const url = config.DATABASE_URL ?? process.env.MIKRO_ORM_CLIENT_URL;
if (!url) throw new Error('Set DATABASE_URL (or start the embedded database) to create a migration');
export default ormOptions(url);
