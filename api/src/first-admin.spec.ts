import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../test/test-app.js';
import { startRuntime } from './app.js';
import { loadConfig } from './config.js';
import { User } from './modules/user/user.entity.js';

/** Starts the runtime on `databaseUrl`, returns what it logged and each user's global roles. */
async function start(databaseUrl: string, env: Record<string, string>) {
  const lines: { msg: string; level: number }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'llmt-admin-'));
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, ...env });
  const runtime = await startRuntime(config, pino({ level: 'info' }, sink));
  try {
    const users = await runtime.orm.em.fork().find(User, {}, { populate: ['roles'] });
    return { lines, roles: Object.fromEntries(users.map((u) => [u.email, u.roles.getItems().map((r) => r.name)])) };
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('first administrator', () => {
  it('is never an account someone already registered under ADMIN_EMAIL; the operator is told what to do', async () => {
    const databaseUrl = await freshDatabase();
    // An earlier start made an administrator; someone registered the default admin address meanwhile …
    await start(databaseUrl, { ADMIN_EMAIL: 'first@example.com', ADMIN_PASSWORD: 'first-admin-password' });
    const { Client } = (await import('pg')).default;
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query(
        `insert into users (id, email, display_name, password_hash, locale, created_at, updated_at)
         values (gen_random_uuid(), 'admin@localhost.localdomain', 'Squatter', 'x', 'en', now(), now())`,
      );
      // … and the only administrator is gone (deleted, say): the next start looks for a first admin.
      await db.query(`delete from users where email = 'first@example.com'`);
    } finally {
      await db.end();
    }
    const { lines, roles } = await start(databaseUrl, {});
    expect(roles['admin@localhost.localdomain']).not.toContain('ADMIN');
    const warning = lines.find((l) => l.level === 40 && /NOT made administrator/.test(l.msg));
    expect(warning?.msg).toMatch(/Set ADMIN_EMAIL to an address with no account/);

    // Following the advice makes a fresh administrator.
    const fixed = await start(databaseUrl, { ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'ops-admin-password' });
    expect(fixed.roles['ops@example.com']).toEqual(['ADMIN']);
    expect(fixed.roles['admin@localhost.localdomain']).not.toContain('ADMIN');
  });
});
