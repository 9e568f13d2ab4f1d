import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { ensureDatabase, startEmbeddedPostgres } from '../../api/src/db/embedded-postgres.js';
import { createLogger } from '../../api/src/logger.js';
import { startServer } from '../../api/src/server.js';

export interface BenchApp {
  url: string;
  token: string;
  projectId: string;
  /** POSTs a GraphQL operation as the administrator. */
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data: any; errors?: unknown[] }>;
  close(): Promise<void>;
}

/** The real API on embedded PostgreSQL in a scratch directory, signed in as the administrator with one project. */
export async function startTestAppForBench(): Promise<BenchApp> {
  const dir = mkdtempSync(join(tmpdir(), 'llmt-bench-app-'));
  const pg = await startEmbeddedPostgres({
    databaseDir: join(dir, 'pg'),
    port: 57000 + Math.floor(Math.random() * 1000),
    persistent: false,
  });
  await ensureDatabase(pg.adminUrl, 'bench');
  const config = loadConfig({
    DATABASE_URL: pg.urlFor('bench'),
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'silent',
    ADMIN_EMAIL: 'bench@example.com',
    ADMIN_PASSWORD: 'bench-password-1',
    WEB_BUILD_DIR: join(dir, 'none'),
  });
  const runtime = await startRuntime(config, createLogger('silent'));
  const server = await startServer(runtime, 0, '127.0.0.1');
  const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data: any; errors?: unknown[] };
  };
  const token = (
    await gql('mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
      i: { email: 'bench@example.com', password: 'bench-password-1' },
    })
  ).data.login.accessToken;
  const projectId = (await gql('mutation { createProject(input: { name: "bench" }) { id } }', {}, token)).data
    .createProject.id;
  return {
    url: server.url,
    token,
    projectId,
    gql: (query, variables = {}) => gql(query, variables, token),
    close: async () => {
      await server.stop();
      await runtime.close();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
