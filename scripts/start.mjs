// `npm start`: builds the web app when needed, then runs the API, which starts (embedded) PostgreSQL,
// migrates, creates the first administrator, and serves GraphQL + the web app on one port.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

// tsx as a loader in this same process tree level: signals reach the API directly.
const api = spawn(process.execPath, ['--import', 'tsx', join(root, 'api', 'src', 'main.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'api', 'tsconfig.json') },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => api.kill(signal));
// If our parent dies without a signal reaching us, stop the API rather than orphan it.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && api.kill('SIGTERM'), 1000).unref();
api.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
