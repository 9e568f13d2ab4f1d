import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { startRuntime, type Runtime } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { ensureDatabase } from '../src/db/embedded-postgres.js';
import { createLogger } from '../src/logger.js';
import { startServer, type RunningServer } from '../src/server.js';

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-123' };

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, any>; path?: string[] }[];
}

export interface TestApp {
  url: string;
  config: Config;
  runtime: Runtime;
  server: RunningServer;
  databaseUrl: string;
  /** POSTs a GraphQL operation as JSON, optionally with a bearer token. */
  gql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A fresh database for this test file; returns its URL. */
export async function freshDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `t_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The real API (runtime + HTTP/WS server) on a random port against a fresh database. */
export async function startTestApp(
  env: Record<string, string> = {},
  onQuery?: (sql: string) => void,
): Promise<TestApp> {
  const databaseUrl = env.DATABASE_URL ?? (await freshDatabase());
  const dataDir = mkdtempSync(join(tmpdir(), 'llmt-data-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', // TEST_LOG_LEVEL=warn shows what the API logged
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    WEB_BUILD_DIR: join(dataDir, 'no-web'),
    ...env,
  });
  const runtime = await startRuntime(config, createLogger(config.LOG_LEVEL), onQuery);
  const server = await startServer(runtime, 0, '127.0.0.1');
  const gql: TestApp['gql'] = async (query, variables, token, headers = {}) => {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as never;
  };
  return {
    url: server.url,
    config,
    runtime,
    server,
    databaseUrl,
    gql,
    close: async () => {
      await server.stop();
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The first error's code, for terse assertions. */
export const errorCode = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code as string | undefined;
