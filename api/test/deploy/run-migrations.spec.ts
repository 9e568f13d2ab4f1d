import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/config.js';
import { loginAdmin } from '../factories.js';
import { ADMIN, freshDatabase, startTestApp, type TestApp } from '../test-app.js';

const run = promisify(execFile);
const apps: TestApp[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

const probe = async (app: TestApp, path: string) => {
  const res = await fetch(`${app.url}${path}`);
  return { status: res.status, body: (await res.json()) as { status: string; failed?: string[] } };
};

/** The migration Job's command: `npm run db:migrate` is this script under tsx. */
async function migrateEntryPoint(databaseUrl: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmt-migrate-'));
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(repoRoot, 'api/src/scripts/migrate.ts')], {
      cwd: join(repoRoot, 'api'),
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: join(repoRoot, 'api/tsconfig.json'),
        DATABASE_URL: databaseUrl,
        DATA_DIR: dataDir,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: 'warn',
      },
    });
    return stdout;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('health endpoints for an orchestrator', () => {
  it('answers /health/live and /health/ready, and the older /healthz and /readyz the same', async () => {
    const app = await startTestApp();
    apps.push(app);
    for (const path of ['/health/live', '/healthz'])
      expect(await probe(app, path)).toEqual({ status: 200, body: { status: 'ok' } });
    for (const path of ['/health/ready', '/readyz'])
      expect(await probe(app, path)).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('is not ready, and says storage, when nothing can be written to the data directory', async () => {
    const app = await startTestApp();
    apps.push(app);
    // The upload store creates its folder asynchronously at start; let it finish first.
    await expect.poll(() => existsSync(join(app.config.dataDir, 'uploads', 'incoming'))).toBe(true);
    // A file where the directory was: nothing can be stored (a lost or read-only volume alike).
    rmSync(app.config.dataDir, { recursive: true, force: true });
    writeFileSync(app.config.dataDir, '');
    expect(await probe(app, '/health/ready')).toEqual({
      status: 503,
      body: { status: 'not ready: storage', failed: ['storage'] },
    });
    expect((await probe(app, '/health/live')).status).toBe(200);
  });
});

describe('RUN_MIGRATIONS=false (cluster replicas)', () => {
  it('starts on a fresh database without migrating, stays unready until the migrate entry point ran, then serves', async () => {
    const databaseUrl = await freshDatabase();
    const app = await startTestApp({ DATABASE_URL: databaseUrl, RUN_MIGRATIONS: 'false' });
    apps.push(app);
    expect((await app.runtime.orm.migrator.getExecuted()).length).toBe(0);
    expect((await probe(app, '/health/live')).status).toBe(200);
    expect(await probe(app, '/health/ready')).toEqual({
      status: 503,
      body: { status: 'migrations pending', failed: ['migrations'] },
    });

    expect(await migrateEntryPoint(databaseUrl)).toMatch(/^applied: /m);

    expect(await probe(app, '/health/ready')).toEqual({ status: 200, body: { status: 'ready' } });
    // The entry point also made the first administrator (and the built-in roles it needs).
    const admin = await loginAdmin(app);
    expect(admin.email).toBe(ADMIN.email);
    // Run again (every rollout does): nothing to do, nothing breaks.
    expect(await migrateEntryPoint(databaseUrl)).toMatch(/database is up to date/);
  });
});
