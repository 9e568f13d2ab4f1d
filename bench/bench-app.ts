// The real API (runtime + HTTP/WS server) on a fresh database of the local PostgreSQL, for benchmarks.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startRuntime } from '../api/src/app.js';
import { loadConfig } from '../api/src/config.js';
import { createLogger } from '../api/src/logger.js';
import { startServer } from '../api/src/server.js';
import type { TestUser } from '../api/test/factories.js';
import type { TestApp } from '../api/test/test-app.js';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };

async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts the API on a new database and scratch directory; `close` removes both. */
export async function startBenchApp(name: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), `llmt-bench-${name}-`));
  const dbName = `bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${dbName}`);
  const config = loadConfig({
    DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${dbName}`,
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    WEB_BUILD_DIR: join(dir, 'none'),
    ...env,
  });
  const runtime = await startRuntime(config, createLogger('silent'));
  const server = await startServer(runtime, 0, '127.0.0.1');
  const gql: TestApp['gql'] = async (query, variables, token) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as never;
  };
  const app = { url: server.url, config, runtime, server, gql } as unknown as TestApp;
  const close = async () => {
    await server.stop();
    await runtime.close();
    await adminQuery(`drop database if exists ${dbName} with (force)`);
    rmSync(dir, { recursive: true, force: true });
  };
  return { app, dir, close };
}

/** The bench administrator, signed in. */
export async function benchLogin(app: TestApp): Promise<TestUser> {
  const res = await app.gql(`mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken user { id } } }`, {
    i: ADMIN,
  });
  const { accessToken, refreshToken, user } = res.data!.login;
  return { id: user.id, email: ADMIN.email, password: '', token: accessToken, refreshToken };
}
