// `npm start`: builds the web app when needed, then runs the API, which starts (embedded) PostgreSQL,
// migrates, creates the first administrator and the demo data, and serves GraphQL + the web app on
// one port; then one local worker agent (LOCAL_WORKER=false to skip) that trains on this machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Newest modification time under `dir` (skipping generated folders). */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'build', '.svelte-kit'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const handler = join(root, 'web', 'build', 'handler.js');
if (!existsSync(handler) || statSync(handler).mtimeMs < newest(join(root, 'web'))) {
  console.log('[start] building the web app…');
  const build = spawnSync('npm', ['run', 'build', '--workspace', 'web'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// The API's data directory (as api/src/config.ts resolves it), for the local worker's token and files.
const dataDir = resolve(root, process.env.DATA_DIR ?? './.data');
const localWorker = process.env.LOCAL_WORKER !== 'false';
const tokenFile = join(dataDir, 'local-worker.token');
rmSync(tokenFile, { force: true });

// tsx as a loader in this same process tree level: signals reach the API directly.
// An IPC channel: the API sends its start banner (URL, a generated administrator password) when it
// serves, and it is printed here as the last block, once the local worker is up too.
const api = spawn(process.execPath, ['--import', 'tsx', join(root, 'api', 'src', 'main.ts')], {
  cwd: root,
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  env: {
    ...process.env,
    TSX_TSCONFIG_PATH: join(root, 'api', 'tsconfig.json'),
    DEMO_DATA: process.env.DEMO_DATA ?? 'true',
    ...(localWorker ? { LOCAL_WORKER_TOKEN_FILE: tokenFile } : {}),
  },
});
const children = [api];
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => children.forEach((c) => c.kill(signal)));
// If our parent dies without a signal reaching us, stop the API rather than orphan it.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && children.forEach((c) => c.kill('SIGTERM')), 1000).unref();
api.on('exit', (code, signal) => {
  for (const c of children.slice(1)) c.kill('SIGTERM');
  process.exit(code ?? (signal ? 1 : 0));
});

const ready = new Promise((resolve) =>
  api.on('message', (message) => message?.type === 'ready' && resolve(/** @type {{ banner: string }} */ (message))),
);
let bannerShown = false;
const showBanner = (banner) => {
  if (bannerShown) return;
  bannerShown = true;
  process.stdout.write(banner);
};

// One worker on this machine (CPU, or its GPUs): it trains the demo and anything else queued.
const { banner } = await ready;
// The agent talks to this machine's API directly (not through PUBLIC_URL's proxy).
const url = `http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 4000}`;
if (!localWorker || !existsSync(tokenFile)) showBanner(banner);
else {
  const agent = spawn(process.execPath, ['--import', 'tsx', join(root, 'workers', 'agent', 'src', 'main.ts')], {
    cwd: root,
    stdio: ['inherit', 'pipe', 'inherit'],
    env: {
      ...process.env,
      LLMTRAINER_API_URL: url,
      LLMTRAINER_WORKER_TOKEN: readFileSync(tokenFile, 'utf8').trim(),
      LLMTRAINER_WORK_DIR: join(dataDir, 'worker'),
    },
  });
  children.push(agent);
  // The agent's output passes through; its "registered" line means it is up: then the banner.
  let pending = '';
  agent.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (bannerShown) return;
    pending = (pending + chunk.toString()).slice(-4096);
    if (/\] registered with /.test(pending)) showBanner(banner);
  });
  agent.on('exit', () => showBanner(banner));
  // A worker that cannot register (no Python, API unreachable) still leaves the operator their URL and password.
  setTimeout(() => showBanner(banner), 60_000).unref();
}
