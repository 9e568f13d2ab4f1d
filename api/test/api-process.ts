import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN, type TestApp } from './test-app.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface ApiProcess {
  child: ChildProcess;
  /** Kills the process with SIGKILL (no shutdown of any kind) and resolves once it is gone. */
  kill(): Promise<void>;
}

/**
 * The API as its own process (so a test can SIGKILL it), on `databaseUrl` and `dataDir`; resolves once
 * it serves. `app` is a TestApp-shaped client of it (url and gql), valid across restarts on one port.
 */
export async function startApiProcess(opts: {
  databaseUrl: string;
  dataDir: string;
  port: number;
  env?: Record<string, string>;
}): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'api/src/main.ts')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      TSX_TSCONFIG_PATH: join(repoRoot, 'api/tsconfig.json'),
      DATABASE_URL: opts.databaseUrl,
      DATA_DIR: opts.dataDir,
      PORT: String(opts.port),
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'warn',
      WEB_BUILD_DIR: join(opts.dataDir, 'no-web'),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('LLM Trainer is running')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`API exited (${code}): ${out.slice(-2000)}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A client of an API process on `port`, shaped like TestApp for the factories. */
export function apiClient(port: number): TestApp {
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    gql: async (query: string, variables?: Record<string, unknown>, token?: string) =>
      (await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as never,
  } as unknown as TestApp;
}
