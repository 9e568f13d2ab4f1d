import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../test-app.js';
import { CREATE_RUN, FINISHED, tinyRun, waitForRun } from '../training.js';
import { waitForEvent } from '../uploads.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Everything the process prints (stdout and stderr, in arrival order). */
function collectOutput(child: ChildProcess) {
  const output = { text: '' };
  const onData = (chunk: Buffer) => void (output.text += chunk.toString());
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return output;
}

/** Resolves with the first match of `pattern` in the process's output, printed already or to come. */
function waitForOutput(child: ChildProcess, pattern: RegExp, output: { text: string }): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
    };
    // Registered after collectOutput's listener, so the text already holds the new chunk.
    const check = () => {
      const match = output.text.match(pattern);
      if (match) {
        stop();
        resolve(match);
      }
    };
    const onExit = (code: number | null) => {
      stop();
      reject(new Error(`exited early (${code}):\n${output.text.slice(-3000)}`));
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

const postgresProcessesFor = (dir: string) =>
  spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);

describe('npm start on a fresh data directory (what a newcomer does)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmt-smoke-'));
  const port = 46000 + Math.floor(Math.random() * 1000);
  const pgPort = 56000 + Math.floor(Math.random() * 1000);
  let child: ChildProcess;
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'comes up on embedded PostgreSQL, the printed admin signs in, the local worker trains the demo, SIGTERM stops everything',
    { timeout: 300_000 },
    async () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(port),
        EMBEDDED_PG_PORT: String(pgPort),
      };
      // The default console: no LOG_LEVEL, not production.
      for (const key of ['DATABASE_URL', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'NODE_ENV', 'LOG_LEVEL']) delete env[key];
      child = spawn('npm', ['start'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const output = collectOutput(child);

      const [, email, password] = await waitForOutput(child, /email:\s+(\S+)\s+password:\s+(\S+)/, output);
      const [, url] = await waitForOutput(child, /running at (http:\/\/\S+)/, output);
      // The banner (URL, then the administrator) is the last thing printed, after the worker is up.
      const bannerEnd = output.text.indexOf('(shown once; change it after signing in)');
      expect(output.text.indexOf('[agent local] registered')).toBeGreaterThan(-1);
      expect(output.text.indexOf('[agent local] registered')).toBeLessThan(output.text.indexOf('running at'));
      expect(output.text.indexOf('running at')).toBeLessThan(bannerEnd);
      expect((await (await fetch(`${url}/readyz`)).json()).status).toBe('ready');
      expect(postgresProcessesFor(dataDir).length).toBeGreaterThan(0);

      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken user { email roles { name } } } }',
          variables: { i: { email, password } },
        }),
      });
      const { accessToken, user } = (await res.json()).data.login;
      expect(user).toEqual({ email, roles: [{ name: 'ADMIN' }] });
      expect((await fetch(url)).status).toBe(200); // the web app is served on the same port

      // The demo: a project with a dataset, and a local worker that trains the tiny Qwen3 on it.
      await waitForOutput(child, /\[agent local\] registered/, output);
      const app = { url } as TestApp;
      const gql = async (query: string, variables: Record<string, unknown> = {}) =>
        (await (
          await fetch(`${url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
            body: JSON.stringify({ query, variables }),
          })
        ).json()) as { data: any; errors?: unknown };
      const [demo] = (await gql(`{ projects { nodes { id name } } }`)).data.projects.nodes;
      expect(demo.name).toBe('Demo');
      const datasets = await gql(`query($p: ID!) { datasets(projectId: $p) { nodes { versions { nodes { id } } } } }`, {
        p: demo.id,
      });
      const versionId = datasets.data.datasets.nodes[0].versions.nodes[0].id;
      await waitForEvent<{ datasetVersionProgress: { status: string } }>(
        app,
        accessToken,
        `subscription($id: ID!) { datasetVersionProgress(versionId: $id) { status } }`,
        { id: versionId },
        (e) => e.datasetVersionProgress.status === 'READY',
      );
      const created = await gql(CREATE_RUN, { i: tinyRun(versionId, { maxSteps: 3, saveSteps: 3 }) });
      expect(created.errors).toBeUndefined();
      const run = await waitForRun(app, accessToken, created.data.createRun.id, (r) => FINISHED.includes(r.status));
      expect(run.status).toBe('SUCCEEDED');
      const models = await gql(`query($p: ID!) { modelVersions(projectId: $p) { nodes { downloadPath } } }`, {
        p: demo.id,
      });
      const download = await fetch(`${url}${models.data.modelVersions.nodes[0].downloadPath}`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(download.status).toBe(200);
      expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(1000);

      // Sign-in, GraphQL, WebSocket, downloads, the worker's heartbeats and batches: none of it is a console line.
      const afterBanner = output.text.slice(bannerEnd).split('\n').slice(2).join('\n');
      expect(afterBanner).not.toMatch(/method[=":]+\s*"?(GET|POST|PATCH|HEAD)/);
      expect(afterBanner).not.toMatch(/"msg":"request"|\brequest\b.*\bstatus=/);

      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      // npm reports its own SIGTERM as its exit status; what matters is that the API drained and stopped.
      expect(output.text).toContain('LLM Trainer stopped cleanly');
      expect(postgresProcessesFor(dataDir)).toEqual([]);
    },
  );
});
